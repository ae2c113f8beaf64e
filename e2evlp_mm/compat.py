# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Fixes for the pinned OpenMMLab stack, applied on ``import e2evlp_mm``.

Each fix is minimal and names the breakage it mends. Where a pinned
version works, the pin in ``requirements/runtime.txt`` is the fix and
nothing is patched here:

* mmpretrain 1.2.0 fails at import with transformers >= 4.57
  (``apply_chunking_to_forward`` left ``transformers.modeling_utils``),
  which also breaks ``import mmdet.models``: pinned
  ``transformers==4.51.3`` (imports cleanly).
* numpy 2.4 removed ``np.in1d``, called by mmpretrain's retrieval metric:
  pinned ``numpy==2.3.5``.

Patched here:

* mmengine 0.10.7 saves a ``MessageHub`` holding
  :class:`~mmengine.logging.HistoryBuffer` objects (and numpy scalars) in
  every checkpoint, and resumes with a bare ``torch.load``. Since torch
  2.6 defaults to ``weights_only=True``, ``--resume`` fails with
  ``Unsupported global: mmengine.logging.history_buffer.HistoryBuffer``.
  The buffer's ``__getstate__`` also pickles its class-level table of
  statistics functions as ``getattr(HistoryBuffer, 'min')`` calls, and
  ``getattr`` must never be allow-listed. So we (1) stop pickling that
  table, which ``HistoryBuffer`` rebuilds at import anyway (its
  ``__setstate__`` accepts states without it), and (2) allow-list the
  remaining plain-data globals, rather than turning ``weights_only`` off.
* mmengine 0.10.7's ``pytorch`` launcher calls ``torch.cuda.set_device``
  unconditionally, so ``tools/dist_train.sh`` dies on a machine without a
  GPU (our CI). Without CUDA we skip that call and use the ``gloo``
  backend (NCCL needs GPUs); with CUDA mmengine's code runs unchanged.
  DDP takes no device ids for CPU modules: ``tools/train.py`` and
  ``tools/test.py`` set them to None without a GPU
  (:func:`e2evlp_mm.engine.cpu_distributed.fit_model_wrapper_to_device`).
* mmengine 0.10.7 reads local checkpoints with a bare ``torch.load``
  (plain data only since torch 2.6, unless an environment variable says
  otherwise) and URLs (``https://``, ``torchvision://``,
  ``open-mmlab://``, ``mmcls://``) with ``load_state_dict_from_url``,
  whose ``weights_only`` defaults to False: a downloaded checkpoint could
  run code. Both now go through :mod:`e2evlp_mm.engine.safe_load`
  (``weights_only=True`` with the allow-list below, one clear error
  naming a refused file; ``.safetensors`` weights are read too), so
  ``--resume``, ``load_from``, ``tools/test.py``, ``Pretrained`` inits and
  ``E2EVLPInferencer`` never unpickle code.
"""
import warnings

import mmengine.dist.utils as mmengine_dist_utils
import mmengine.runner.checkpoint as mmengine_checkpoint
import numpy as np
import torch
import torch.distributed as torch_dist
from mmengine.logging import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader

_init_dist_pytorch = mmengine_dist_utils._init_dist_pytorch


def _checkpoint_safe_globals() -> list:
    """Globals found in an mmengine 0.10.7 training checkpoint.

    Returns:
        list: Classes and functions for
        :func:`torch.serialization.add_safe_globals`.
    """
    scalar_types = [type(np.dtype(t)) for t in ('float64', 'float32',
                                                 'int64', 'int32', 'bool')]
    return [
        HistoryBuffer,
        np.ndarray,
        np.dtype,
        np._core.multiarray._reconstruct,
        np._core.multiarray.scalar,
        *scalar_types,
    ]


def _history_buffer_getstate(self: HistoryBuffer) -> dict:
    """Pickle a ``HistoryBuffer`` without its statistics-function table."""
    return {k: v for k, v in self.__dict__.items()
            if k != 'statistics_methods'}


def _init_dist_pytorch_cpu(backend: str = 'nccl',
                           init_backend: str = 'torch',
                           **kwargs) -> None:
    """mmengine's ``_init_dist_pytorch`` that also works without CUDA."""
    if torch.cuda.is_available() or init_backend != 'torch':
        return _init_dist_pytorch(backend, init_backend=init_backend,
                                  **kwargs)
    if backend != 'gloo':
        warnings.warn(
            f'no CUDA device: using the gloo backend, not {backend}',
            stacklevel=2)
    torch_dist.init_process_group(backend='gloo', **kwargs)


def _load_from_local(filename: str, map_location=None) -> dict:
    """mmengine's local checkpoint loader reading plain data only."""
    # imported here: the engine package imports mmengine's registries
    from .engine.safe_load import load_checkpoint_file
    return load_checkpoint_file(filename, map_location)


def _load_url(url: str, *args, **kwargs):
    """mmengine's ``load_url`` reading plain data only."""
    from .engine.safe_load import safe_load_url
    return safe_load_url(url, *args, **kwargs)


def apply() -> None:
    """Apply every fix; safe to call more than once."""
    HistoryBuffer.__getstate__ = _history_buffer_getstate
    mmengine_dist_utils._init_dist_pytorch = _init_dist_pytorch_cpu
    torch.serialization.add_safe_globals(_checkpoint_safe_globals())
    CheckpointLoader.register_scheme(
        prefixes='', loader=_load_from_local, force=True)
    mmengine_checkpoint.load_from_local = _load_from_local
    mmengine_checkpoint.load_url = _load_url


apply()
