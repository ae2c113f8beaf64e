# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Running the repository's tools as subprocesses in tests."""
import os
import os.path as osp
import subprocess
from typing import Sequence

# the repository holding this package (put on the subprocess's PYTHONPATH)
ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))


def run_checked(cmd: Sequence[str], cwd: str, timeout: int = 600,
                **env: str) -> str:
    """Run a command with this repository importable and one OpenMP
    thread per process, and require exit status 0.

    Args:
        cmd (Sequence[str]): The command.
        cwd (str): Its working directory.
        timeout (int): Seconds before it is killed. Defaults to 600.
        **env (str): More environment variables (e.g. ``PORT``).

    Returns:
        str: Its stdout and stderr.

    Raises:
        AssertionError: On a non-zero exit, with the end of its output.
    """
    proc = subprocess.run(
        list(cmd), cwd=cwd, capture_output=True, text=True, timeout=timeout,
        env=dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1', **env))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr
