"""Preemption of a 2-rank run under tools/dist_train.sh (torchrun, gloo).

The scheduler's SIGTERM goes to the launcher script, which passes it to
torchrun, which forwards it to both workers; they agree on the iteration,
rank 0 saves, the script exits with the requeue status 75, and
``tools/dist_train.sh --resume`` continues bit-identically.
"""
import os

import pytest
import torch

from e2evlp_mm.engine import PREEMPTED_EXIT_CODE
from e2evlp_mm.testing.runs import (
    TOY_LONG,
    derived_config,
    hooks_text,
    last_checkpoint_name,
    records,
    run_tool,
    same_weights,
)

DIST = 'tools/dist_train.sh'


@pytest.mark.skipif(
    not torch.distributed.is_gloo_available(), reason='needs gloo')
def test_sigterm_to_torchrun_then_resume_is_bit_identical(tmp_path):
    port = 29700 + os.getpid() % 200
    ref, work = str(tmp_path / 'ref'), str(tmp_path / 'w')
    run_tool([DIST, TOY_LONG, '2', '--work-dir', ref], str(tmp_path),
             PORT=str(port))
    config = derived_config(
        str(tmp_path / 'sig.py'), TOY_LONG,
        custom_hooks=hooks_text(
            'dict(type="E2EVLPSendSignal", at=4, ancestor=2)'))
    proc = run_tool([DIST, config, '2', '--work-dir', work], str(tmp_path),
                    expect=PREEMPTED_EXIT_CODE, PORT=str(port + 1))
    # torchrun forwards the signal; the ranks may see it one or more
    # iterations apart, but stop after the same one.
    stopped = [records(work, rank)[-1]['iter'] for rank in (0, 1)]
    assert stopped[0] == stopped[1] >= 4
    assert last_checkpoint_name(work) == f'iter_{stopped[0]}.pth'
    assert proc.stdout.count('Preempted (SIGTERM during') >= 1
    run_tool([DIST, TOY_LONG, '2', '--work-dir', work, '--resume'],
             str(tmp_path), PORT=str(port + 2))
    for rank in (0, 1):
        assert records(work, rank)[-(9 - stopped[0]):] == \
            records(ref, rank)[stopped[0]:]
        assert same_weights(f'{ref}/rank{rank}.pth', f'{work}/rank{rank}.pth')
