# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""E2EVLPSpeedHook: the CPU before training, the measured speed early."""
import time
from types import SimpleNamespace

import pytest

from e2evlp_mm.engine.hooks import E2EVLPSpeedHook


class _Logger:

    def __init__(self) -> None:
        self.lines = []

    def info(self, msg: str) -> None:
        self.lines.append(msg)


def _train(hook: E2EVLPSpeedHook, start: int, max_iters: int,
           seconds: float) -> _Logger:
    runner = SimpleNamespace(iter=start, max_iters=max_iters,
                             logger=_Logger())
    hook.before_train(runner)
    for runner.iter in range(start, max_iters):
        time.sleep(seconds if runner.iter - start >= hook.warmup else 0)
        hook.after_train_iter(runner, 0)
    return runner.logger


@pytest.mark.parametrize('start', [0, 30])  # a fresh run, a resumed one
def test_speed_is_measured_once_after_the_warmup(start):
    hook = E2EVLPSpeedHook(warmup=2, window=4)
    lines = _train(hook, start, 40, 0.01).lines
    assert lines[0].startswith('CPU: ') and ' cores, load average ' in lines[0]
    assert len(lines) == 2  # one speed line, not one per iteration
    assert 0.01 <= hook.seconds_per_iter < 0.05
    left = 40 - start - 6
    assert (f'over iterations {start + 3}-{start + 6}; {left} iterations '
            'left') in lines[1]


def test_no_warmup_and_bad_arguments():
    hook = E2EVLPSpeedHook(warmup=0, window=3)
    assert len(_train(hook, 0, 5, 0.0).lines) == 2
    with pytest.raises(ValueError, match='window >= 1'):
        E2EVLPSpeedHook(window=0)
