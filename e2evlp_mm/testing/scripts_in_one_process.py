# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Run several command-line scripts in one fresh Python process.

Each ``python SCRIPT ARGS`` costs an interpreter start and the import of
torch, mmdet and the project (seconds on CI). Tests that only need to see
how many scripts react to the same input run them here one after another
(``runpy``, as ``python SCRIPT`` would, with ``sys.argv`` set), in one
process apart from the test's own, and read back each one's outcome.
"""
import json
import os.path as osp
import runpy
import subprocess
import sys
import tempfile
from typing import List, Sequence

from .runs import ROOT, tool_env


def run_scripts(calls: Sequence[Sequence[str]], cwd: str,
                timeout: int = 600) -> List[dict]:
    """Run the scripts in one new process, in order.

    Args:
        calls (Sequence[Sequence[str]]): ``[script, *args]`` each, the
            script relative to the repository (``tools/train.py``).
        cwd (str): Working folder of the process.
        timeout (int): Seconds for all of them.

    Returns:
        list[dict]: Per call, ``exit`` (0, the ``sys.exit`` status, or 1
        for an exception) and ``message`` (the ``sys.exit`` text or
        ``ExceptionType: text``; empty when it ended normally).
    """
    with tempfile.TemporaryDirectory() as tmp:
        spec, out = osp.join(tmp, 'calls.json'), osp.join(tmp, 'out.json')
        with open(spec, 'w') as f:
            json.dump([list(c) for c in calls], f)
        proc = subprocess.run(
            [sys.executable, '-m', __name__, spec, out], cwd=cwd,
            capture_output=True, text=True, timeout=timeout,
            env=tool_env())
        assert proc.returncode == 0 and osp.isfile(out), (
            proc.stdout[-3000:] + proc.stderr[-3000:])
        with open(out) as f:
            return json.load(f)


def _run_one(script: str, args: List[str]) -> dict:
    path = osp.join(ROOT, script)
    argv, sys.argv = sys.argv, [path] + args
    sys.path.insert(0, osp.dirname(path))  # as `python path` does
    try:
        runpy.run_path(path, run_name='__main__')
        return dict(exit=0, message='')
    except SystemExit as e:
        if isinstance(e.code, str):
            return dict(exit=1, message=e.code)
        return dict(exit=e.code or 0, message='')
    except Exception as e:  # the outcome to report, not to hide
        return dict(exit=1, message=f'{type(e).__name__}: {e}')
    finally:
        sys.argv = argv
        sys.path.pop(0)


def main() -> None:
    """``python -m e2evlp_mm.testing.scripts_in_one_process CALLS OUT``."""
    with open(sys.argv[1]) as f:
        calls = json.load(f)
    outcomes = [_run_one(call[0], call[1:]) for call in calls]
    with open(sys.argv[2], 'w') as f:
        json.dump(outcomes, f)


if __name__ == '__main__':
    main()
