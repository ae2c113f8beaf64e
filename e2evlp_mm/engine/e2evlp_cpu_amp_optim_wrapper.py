# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Mixed-precision training on a machine without a GPU."""
from contextlib import contextmanager
from typing import Iterator, Optional, Union

import torch
from mmdet.registry import OPTIM_WRAPPERS
from mmengine.optim import AmpOptimWrapper, OptimWrapper
from torch import nn


@OPTIM_WRAPPERS.register_module()
class E2EVLPCPUAmpOptimWrapper(AmpOptimWrapper):
    """mmengine's ``AmpOptimWrapper`` with CPU autocast.

    mmengine 0.10.7's ``AmpOptimWrapper`` refuses to be built without a
    GPU (``AmpOptimizerWrapper is only available training on gpu``) and
    its ``autocast`` allows only bfloat16 on CPU. This wrapper runs the
    forward pass under ``torch.autocast('cpu', dtype)`` with float16 or
    bfloat16. float16 keeps a dynamic loss scale
    (``torch.amp.GradScaler('cpu')``, as on a GPU); bfloat16 has float32's
    exponent range and needs none (its scaler is disabled). Checkpoints
    stay compatible with ``AmpOptimWrapper`` (``loss_scaler`` state).

    ``tools/train.py`` picks it in place of ``AmpOptimWrapper`` when the
    machine has no GPU (see :func:`e2evlp_mm.engine.select_amp`); on most
    CPUs mixed precision is slower than float32: it is there to run and
    test the mixed-precision path, not for speed.

    Args:
        loss_scale (float | str | dict): As ``AmpOptimWrapper``:
            ``'dynamic'``, an initial scale, or ``GradScaler`` arguments.
            Ignored for bfloat16. Defaults to ``'dynamic'``.
        dtype (str | torch.dtype, optional): ``'float16'`` or
            ``'bfloat16'``; None means bfloat16 (CPU autocast's default).
        **kwargs: :class:`mmengine.optim.OptimWrapper` arguments
            (``optimizer``, ``clip_grad``, ``accumulative_counts``).
    """

    def __init__(self,
                 loss_scale: Union[str, float, dict] = 'dynamic',
                 dtype: Optional[Union[str, torch.dtype]] = None,
                 **kwargs) -> None:
        OptimWrapper.__init__(self, **kwargs)  # without the GPU check
        if isinstance(dtype, str):
            dtype = getattr(torch, dtype, None)
        if dtype is None:
            dtype = torch.bfloat16
        if dtype not in (torch.float16, torch.bfloat16):
            raise ValueError('E2EVLPCPUAmpOptimWrapper: dtype must be '
                             f"'float16' or 'bfloat16', got {dtype}")
        self.cast_dtype = dtype
        self._scale_update_param = None
        enabled = dtype == torch.float16
        if loss_scale == 'dynamic':
            scaler_args = {}
        elif isinstance(loss_scale, float):
            self._scale_update_param = loss_scale
            scaler_args = dict(init_scale=loss_scale)
        elif isinstance(loss_scale, dict):
            scaler_args = dict(loss_scale)
        else:
            raise TypeError('loss_scale must be a float, a dict or '
                            f"'dynamic', got {loss_scale!r}")
        self.loss_scaler = torch.amp.GradScaler(
            'cpu', enabled=enabled, **scaler_args)

    @contextmanager
    def optim_context(self, model: nn.Module) -> Iterator[None]:
        """Gradient accumulation context and CPU autocast.

        Args:
            model (nn.Module): The training model.
        """
        with OptimWrapper.optim_context(self, model), torch.autocast(
                'cpu', dtype=self.cast_dtype):
            yield
