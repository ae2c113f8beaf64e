# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Run ``tools/`` entry points in real processes and read what they left.

Used by the tests of preemption, exact resume and moved work dirs, which
run the toy configs of ``tests/data/configs`` (``toy_long*.py``).
"""
import json
import os
import os.path as osp
import subprocess
import sys
from typing import List, Optional, Sequence

import torch

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
TOY_LONG = osp.join(ROOT, 'tests', 'data', 'configs', 'toy_long.py')
TOY_LONG_EPOCHS = osp.join(ROOT, 'tests', 'data', 'configs',
                           'toy_long_epochs.py')


def tool_env(**extra: str) -> dict:
    """The environment of a tool process: this tree first, one thread."""
    return dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1',
                PYTHON=sys.executable, **extra)


def run_tool(args: Sequence[str], cwd: str, expect: Optional[int] = 0,
             **env: str) -> subprocess.CompletedProcess:
    """Run ``python ROOT/<args[0]> args[1:]`` (``args[0]`` e.g.
    ``tools/train.py``), or ``bash`` for a ``.sh``; check its status.

    Args:
        args (Sequence[str]): Script (relative to the repository) and
            arguments.
        cwd (str): Working folder.
        expect (int, optional): Expected exit status; None: any.
        **env: Extra environment variables.
    """
    script = osp.join(ROOT, args[0])
    cmd = ['bash' if script.endswith('.sh') else sys.executable, script]
    proc = subprocess.run(
        cmd + list(args[1:]), cwd=cwd, capture_output=True, text=True,
        timeout=600, env=tool_env(**env))
    if expect is not None:
        assert proc.returncode == expect, (
            f'exit {proc.returncode}\n{proc.stdout[-3000:]}\n'
            f'{proc.stderr[-3000:]}')
    return proc


def derived_config(path: str, base: str, **overrides: str) -> str:
    """Write a config inheriting ``base`` with ``key = <python text>``."""
    lines = [f'_base_ = {base!r}'] + [f'{k} = {v}' for k, v in
                                        overrides.items()]
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return path


def hooks_text(*extra: str) -> str:
    """``custom_hooks`` of ``toy_long.py`` plus ``extra`` dict texts."""
    return ('[dict(type="E2EVLPDumpRankWeights"), '
            'dict(type="E2EVLPRecordTraining"), '
            'dict(type="E2EVLPPreemptionHook"), ' + ', '.join(extra) + ']')


def records(work_dir: str, rank: int = 0) -> List[dict]:
    """The lines of ``E2EVLPRecordTraining``, oldest first."""
    with open(osp.join(work_dir, f'record_rank{rank}.jsonl')) as f:
        return [json.loads(line) for line in f]


def load(path: str) -> dict:
    """``torch.load`` a checkpoint or weight dump on the CPU."""
    return torch.load(path, map_location='cpu', weights_only=True)


def same_weights(a: str, b: str) -> bool:
    """Whether two weight dumps are bit-identical."""
    wa, wb = load(a), load(b)
    return wa.keys() == wb.keys() and all(
        torch.equal(wa[k], wb[k]) for k in wa)


def last_checkpoint_name(work_dir: str) -> str:
    """The file name ``work_dir/last_checkpoint`` points at."""
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        return osp.basename(f.read().strip())


def start_tool(args: Sequence[str], cwd: str) -> subprocess.Popen:
    """:func:`run_tool` without waiting (output discarded)."""
    return subprocess.Popen(
        [sys.executable, osp.join(ROOT, args[0])] + list(args[1:]),
        cwd=cwd, env=tool_env(), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
