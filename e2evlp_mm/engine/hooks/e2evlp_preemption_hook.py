# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Stop on SIGTERM / SIGUSR1 after a checkpoint, with a status to requeue on.
"""
import os
import signal
from typing import Dict, Optional, Sequence

import torch
from mmdet.registry import HOOKS
from mmengine.dist import all_reduce, get_rank, get_world_size
from mmengine.hooks import Hook

from .e2evlp_checkpoint_hook import E2EVLPCheckpointHook

# sysexits.h EX_TEMPFAIL: "a temporary failure; the user is invited to
# retry". docs/long_runs.md shows a SLURM script that requeues on it.
PREEMPTED_EXIT_CODE = 75


class E2EVLPPreempted(SystemExit):
    """Raised to end a preempted run once its checkpoint is saved."""


class IgnoreSignalsInWorker:
    """A data-loader ``worker_init_fn`` that also ignores stop signals.

    SLURM signals every process of a job step, data-loader workers
    included; a worker killed by SIGTERM would fail the main process
    before it can save. Workers ignore the signal and end with the main
    process instead.

    Args:
        init_fn (callable, optional): The loader's own ``worker_init_fn``.
        signals (Sequence[int]): Signal numbers to ignore.
    """

    def __init__(self, init_fn, signals: Sequence[int]) -> None:
        self.init_fn = init_fn
        self.signals = list(signals)

    def __call__(self, worker_id: int) -> None:
        for signum in self.signals:
            signal.signal(signum, signal.SIG_IGN)
        if self.init_fn is not None:
            self.init_fn(worker_id)


@HOOKS.register_module()
class E2EVLPPreemptionHook(Hook):
    """Save and exit with :data:`PREEMPTED_EXIT_CODE` on a stop signal.

    The signal handler only records the signal, so the iteration under
    way completes. After each ``check_interval``-th iteration the ranks
    agree whether any of them was signalled (a one-element all-reduce);
    if so, every rank stops after that same iteration, the checkpoint
    hook saves the state (rank 0 writes) and points ``last_checkpoint``
    at it, and the process exits with :data:`PREEMPTED_EXIT_CODE`.
    ``tools/train.py --resume`` continues from it.

    Needs an :class:`E2EVLPCheckpointHook`; exact resume needs an
    E2E-VLP train loop (``E2EVLPIterBasedTrainLoop`` /
    ``E2EVLPEpochBasedTrainLoop``).

    Args:
        signals (Sequence[str]): Signal names to stop on.
        check_interval (int): Iterations between agreements; a signal is
            acted on at most ``check_interval - 1`` iterations late.
        exit_code (int): Exit status of a stopped run.
    """

    priority = 'LOWEST'  # after the checkpoint hook in after_train_iter

    def __init__(self,
                 signals: Sequence[str] = ('SIGTERM', 'SIGUSR1'),
                 check_interval: int = 1,
                 exit_code: int = PREEMPTED_EXIT_CODE) -> None:
        self.signals = [getattr(signal, name) for name in signals]
        self.check_interval = check_interval
        self.exit_code = exit_code
        self.received: Optional[int] = None
        self.received_in = 0
        self._runner = None
        self._previous: Dict[int, object] = {}

    def _handle(self, signum: int, frame) -> None:
        if self.received is None:  # the iteration under way, from 1
            self.received, self.received_in = signum, self._runner.iter + 1

    def before_train(self, runner) -> None:
        """Install the signal handlers and find the checkpoint hook."""
        self._runner = runner
        self.checkpointer = next(
            (h for h in runner.hooks if isinstance(h, E2EVLPCheckpointHook)),
            None)
        if self.checkpointer is None:
            raise ValueError(
                'E2EVLPPreemptionHook needs default_hooks.checkpoint of '
                "type='E2EVLPCheckpointHook'")
        for signum in self.signals:
            self._previous[signum] = signal.signal(signum, self._handle)
        loader = runner.train_dataloader
        if getattr(loader, 'num_workers', 0) and not isinstance(
                loader.worker_init_fn, IgnoreSignalsInWorker):
            loader.worker_init_fn = IgnoreSignalsInWorker(
                loader.worker_init_fn, self.signals)

    def after_train(self, runner) -> None:
        """Give the signals their previous handlers back."""
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()

    def _agreed_stop(self) -> bool:
        flag = torch.tensor([0 if self.received is None else 1])
        if get_world_size() > 1:
            all_reduce(flag, op='max')
        return bool(flag.item())

    def _report_status(self) -> None:
        """Pass the exit status to ``tools/dist_train.sh``.

        torchrun turns a worker's status 75 into its own 1; the launcher
        script names a file in ``E2EVLP_EXIT_STATUS_FILE`` and exits with
        the status rank 0 writes there.
        """
        path = os.environ.get('E2EVLP_EXIT_STATUS_FILE')
        if path and get_rank() == 0:
            with open(path, 'w') as f:
                f.write(str(self.exit_code))

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        """Stop here when any rank has received a stop signal."""
        if not self.every_n_train_iters(runner, self.check_interval) or \
                not self._agreed_stop():
            return
        path = self.checkpointer.save_iteration(runner)
        name = (f'{signal.Signals(self.received).name} during iteration '
                f'{self.received_in}') if self.received \
            else 'a stop signal on another rank'
        runner.logger.warning(
            f'Preempted ({name}): stopped after iteration {runner.iter + 1} '
            f'(epoch {runner.epoch + 1}); the state is saved in {path}. '
            f'Exit status {self.exit_code}; continue with tools/train.py '
            'CONFIG --resume')
        self.after_train(runner)
        self._report_status()
        from ..cli import close_distributed  # cli imports the hooks
        close_distributed()
        raise E2EVLPPreempted(self.exit_code)
