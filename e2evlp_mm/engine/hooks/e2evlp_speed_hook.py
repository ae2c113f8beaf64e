# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Say once, early in training, how fast this machine runs the config."""
import math
import os
import time
from datetime import datetime, timedelta
from typing import Optional

from mmdet.registry import HOOKS
from mmengine.hooks import Hook

from ..machine import cpu_model


@HOOKS.register_module()
class E2EVLPSpeedHook(Hook):
    """Log the CPU, the load, the measured s/iter and the time left.

    Before training it logs the CPU model, the core count and the load
    average. After ``warmup + window`` iterations of the run itself it logs
    the seconds per iteration over the last ``window`` and the estimated
    end of training. It measures the run's own iterations, so it costs no
    time (``tools/analysis_tools/demo_speed.py`` times a config apart,
    e.g. for several thread counts).

    Args:
        warmup (int): Iterations left out of the measure (the first ones
            allocate memory and warm caches). Defaults to 5.
        window (int): Iterations measured. Defaults to 10.
    """

    priority = 'LOW'

    def __init__(self, warmup: int = 5, window: int = 10) -> None:
        if warmup < 0 or window < 1:
            raise ValueError('E2EVLPSpeedHook needs warmup >= 0 and '
                             f'window >= 1, got {warmup} and {window}')
        self.warmup = warmup
        self.window = window
        self._start: Optional[float] = None
        self._first_iter = 0
        self.seconds_per_iter: Optional[float] = None

    def before_train(self, runner) -> None:
        self._first_iter = runner.iter  # 0, or where a resume starts
        self._start = time.perf_counter() if self.warmup == 0 else None
        load = os.getloadavg()[0] if hasattr(os, 'getloadavg') else math.nan
        # the 1-minute load average also counts the processes that just
        # ended (make demo's backbone stage), so it is printed, not judged
        runner.logger.info(f'CPU: {cpu_model()}, {os.cpu_count()} cores, '
                           f'load average {load:.1f} (1 min)')

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        done = runner.iter + 1 - self._first_iter
        if done == self.warmup:
            self._start = time.perf_counter()
        elif done == self.warmup + self.window and self._start is not None:
            self.seconds_per_iter = (
                time.perf_counter() - self._start) / self.window
            left = (runner.max_iters - runner.iter - 1) * \
                self.seconds_per_iter
            end = datetime.now() + timedelta(seconds=left)
            runner.logger.info(
                f'speed: {self.seconds_per_iter:.2f} s/iter over iterations '
                f'{runner.iter + 2 - self.window}-{runner.iter + 1}; '
                f'{runner.max_iters - runner.iter - 1} iterations left, '
                f'~{left / 60:.1f} min, done at about {end:%H:%M}')
