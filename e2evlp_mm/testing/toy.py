# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""A toy model, dataset and hook for tests of the training plumbing.

Not imported by ``e2evlp_mm``: test configs load it through
``custom_imports`` so that it never shows in users' registries.
"""
import os.path as osp
from typing import Dict, List, Optional

import torch
import torch.nn as nn
from mmdet.registry import DATASETS, HOOKS, MODELS
from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmengine.model import BaseModel
from torch.utils.data import Dataset


@MODELS.register_module()
class E2EVLPToyRegressor(BaseModel):
    """Linear regression ``y = w x + b`` trained with an MSE loss."""

    def __init__(self, in_features: int = 4) -> None:
        super().__init__()
        self.linear = nn.Linear(in_features, 1)

    def forward(self,
                inputs: torch.Tensor,
                data_samples: Optional[List] = None,
                mode: str = 'tensor') -> Dict[str, torch.Tensor]:
        """Args: inputs (Tensor): ``(B, in_features + 1)``, target last."""
        pred = self.linear(inputs[:, :-1]).squeeze(1)
        if mode == 'loss':
            return dict(loss_mse=((pred - inputs[:, -1])**2).mean())
        return pred


@DATASETS.register_module()
class E2EVLPToyRegression(Dataset):
    """``length`` fixed samples of ``x ~ N(0, 1)``, ``y = sum(x) + 1``."""

    def __init__(self, length: int = 32, in_features: int = 4) -> None:
        gen = torch.Generator().manual_seed(0)
        x = torch.randn(length, in_features, generator=gen)
        self.data = torch.cat([x, x.sum(1, keepdim=True) + 1], dim=1)
        self.metainfo = dict()

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, idx: int) -> Dict[str, torch.Tensor]:
        return dict(inputs=self.data[idx])


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
