"""E2EVLPPreemptionHook's signal handling, in-process (real signals)."""
import os
import signal
from types import SimpleNamespace

import pytest
from torch.utils.data import DataLoader

from e2evlp_mm.engine import E2EVLPCheckpointHook, E2EVLPPreemptionHook
from e2evlp_mm.engine.hooks.e2evlp_preemption_hook import (
    IgnoreSignalsInWorker,
)


def _runner(workers=2):
    return SimpleNamespace(
        hooks=[E2EVLPCheckpointHook(interval=1)], iter=6,
        train_dataloader=DataLoader(list(range(4)), num_workers=workers))


@pytest.mark.parametrize('name', ['SIGUSR1', 'SIGTERM'])
def test_a_stop_signal_is_noted_not_acted_on(name):
    hook, runner = E2EVLPPreemptionHook(), _runner()
    previous = signal.getsignal(getattr(signal, name))
    hook.before_train(runner)
    try:
        os.kill(os.getpid(), getattr(signal, name))  # this process lives
        assert hook.received == getattr(signal, name)
        assert hook.received_in == 7  # the iteration under way
        assert hook._agreed_stop()
        # workers of the loader ignore the signal, then seed as before
        init = runner.train_dataloader.worker_init_fn
        assert isinstance(init, IgnoreSignalsInWorker)
        assert getattr(signal, name) in init.signals
    finally:
        hook.after_train(runner)
    assert signal.getsignal(getattr(signal, name)) == previous


def test_without_the_checkpoint_hook_it_refuses_to_start():
    runner = _runner()
    runner.hooks = []
    with pytest.raises(ValueError, match='E2EVLPCheckpointHook'):
        E2EVLPPreemptionHook().before_train(runner)
