# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""A toy model, dataset and hook for tests of the training plumbing.

Not imported by ``e2evlp_mm``: test configs load it through
``custom_imports`` so that it never shows in users' registries.
"""
import errno
import json
import os
import os.path as osp
import random
import signal
import time
from typing import Dict, List, Optional

import numpy as np
import psutil
import torch
import torch.nn as nn
from mmdet.registry import DATASETS, HOOKS, MODELS
from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmengine.model import BaseModel
from torch.utils.data import Dataset


@MODELS.register_module()
class E2EVLPToyRegressor(BaseModel):
    """Linear regression ``y = w x + b`` trained with an MSE loss.

    ``dropout`` > 0 draws from PyTorch's generator in every step.
    """

    def __init__(self, in_features: int = 4, dropout: float = 0.0) -> None:
        super().__init__()
        self.linear = nn.Linear(in_features, 1)
        self.dropout = nn.Dropout(dropout)

    def forward(self,
                inputs: torch.Tensor,
                data_samples: Optional[List] = None,
                mode: str = 'tensor') -> Dict[str, torch.Tensor]:
        """Args: inputs (Tensor): ``(B, in_features + 1)``, target last."""
        pred = self.linear(self.dropout(inputs[:, :-1])).squeeze(1)
        if mode == 'loss':
            return dict(loss_mse=((pred - inputs[:, -1])**2).mean())
        return pred


@DATASETS.register_module()
class E2EVLPToyRegression(Dataset):
    """``length`` fixed samples of ``x ~ N(0, 1)``, ``y = sum(x) + 1``.

    ``noise`` > 0 adds ``noise * (N(0, 1) + U(0, 1))`` to ``y`` on every
    load, drawn from NumPy's and Python's generators (like a random
    transform); ``with_index`` returns the sample index as
    ``data_samples``.
    """

    def __init__(self,
                 length: int = 32,
                 in_features: int = 4,
                 noise: float = 0.0,
                 with_index: bool = False) -> None:
        gen = torch.Generator().manual_seed(0)
        x = torch.randn(length, in_features, generator=gen)
        self.data = torch.cat([x, x.sum(1, keepdim=True) + 1], dim=1)
        self.metainfo = dict()
        self.noise = noise
        self.with_index = with_index

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, idx: int) -> Dict[str, torch.Tensor]:
        sample = self.data[idx].clone()
        if self.noise:
            sample[-1] += self.noise * float(np.random.randn() +
                                             random.random())
        if self.with_index:
            return dict(inputs=sample, data_samples=idx)
        return dict(inputs=sample)


@HOOKS.register_module()
class E2EVLPDumpRankWeights(Hook):
    """Save each rank's training state when training starts and ends.

    ``work_dir/start_rank{r}.pth`` holds the iteration, optimizer state and
    weights seen by ``before_train`` (after any resume) and
    ``work_dir/rank{r}.pth`` the final weights.
    """

    def _weights(self, runner) -> dict:
        return getattr(runner.model, 'module', runner.model).state_dict()

    def before_train(self, runner) -> None:
        torch.save(
            dict(
                iter=runner.iter,
                optimizer=runner.optim_wrapper.state_dict(),
                state_dict=self._weights(runner)),
            osp.join(runner.work_dir, f'start_rank{get_rank()}.pth'))

    def after_train(self, runner) -> None:
        torch.save(self._weights(runner),
                   osp.join(runner.work_dir, f'rank{get_rank()}.pth'))


@HOOKS.register_module()
class E2EVLPRecordTraining(Hook):
    """Append each iteration's loss (exact, as hex) and sample indices.

    One JSON line per iteration to ``work_dir/record_rank{r}.jsonl``:
    ``{"iter": n, "loss": "0x1.8p+1", "samples": [...]}`` (``n`` counts
    from 1).
    """

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        samples = data_batch.get('data_samples') if isinstance(
            data_batch, dict) else None
        line = dict(
            iter=runner.iter + 1,
            loss=float(outputs['loss'].detach()).hex(),
            samples=[] if samples is None else
            [int(i) for i in samples])
        path = osp.join(runner.work_dir, f'record_rank{get_rank()}.jsonl')
        with open(path, 'a') as f:
            f.write(json.dumps(line) + '\n')


@HOOKS.register_module()
class E2EVLPSendSignal(Hook):
    """Send a real signal while iteration ``at`` (from 1) runs, on rank 0.

    Args:
        at (int): The iteration.
        signal_name (str): E.g. ``'SIGTERM'``.
        ancestor (int): Signal this process (0), its parent (1: torchrun)
            or grandparent (2: ``tools/dist_train.sh``), as a scheduler
            signals the launcher.
    """

    def __init__(self, at: int, signal_name: str = 'SIGTERM',
                 ancestor: int = 0) -> None:
        self.at = at
        self.signum = getattr(signal, signal_name)
        self.ancestor = ancestor

    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        if runner.iter + 1 == self.at and get_rank() == 0:
            pid = os.getpid()
            for _ in range(self.ancestor):
                pid = psutil.Process(pid).ppid()
            os.kill(pid, self.signum)


@HOOKS.register_module()
class E2EVLPCheckpointWriteFault(Hook):
    """Fault the checkpoint writes after the first one.

    ``'slow'``: write half the bytes, flush, sleep ``pause`` s (a test
    kills the process meanwhile), then the rest. ``'enospc'``: write half
    the bytes, then fail as a full disk does.

    Args:
        fault (str): ``'slow'`` or ``'enospc'``.
        pause (float): Seconds of the slow write.
    """

    def __init__(self, fault: str = 'slow', pause: float = 60.0) -> None:
        self.fault = fault
        self.pause = pause

    def before_train(self, runner) -> None:
        from e2evlp_mm.engine import atomic_file
        checkpoints = []

        def faulty_write(f, data: bytes) -> None:
            if len(data) > 1024:  # a checkpoint, not last_checkpoint
                checkpoints.append(len(data))
            if len(checkpoints) <= 1 or len(data) <= 1024:
                f.write(data)
                return
            f.write(data[:len(data) // 2])
            f.flush()
            if self.fault == 'enospc':
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            time.sleep(self.pause)
            f.write(data[len(data) // 2:])

        atomic_file._write_all = faulty_write
