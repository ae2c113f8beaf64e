# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Registering the package does not load the synthetic-world generator."""
import subprocess
import sys


def test_import_e2evlp_mm_leaves_the_generator_out():
    code = ('import sys, e2evlp_mm; '
            "from mmdet.registry import DATASETS; "
            "assert DATASETS.get('E2EVLPRetrievalDataset'); "
            "print(sorted(m for m in sys.modules "
            "if m.startswith('e2evlp_mm.datasets.shapes_world')))")
    out = subprocess.run([sys.executable, '-c', code], capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == '[]'
