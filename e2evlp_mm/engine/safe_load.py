# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Read checkpoints without ever running code from them.

A ``.pth`` file is a pickle, and unpickling may call any importable
function: a shared checkpoint whose pickle calls ``os.system`` runs it on
the machine that opens it. Every checkpoint the project opens (training
``--resume`` and ``load_from``, ``tools/test.py``, the inferencer and its
vocabulary reader, the demos, gallery caches, the analysis tools) is read
here, with ``torch.load(weights_only=True)`` and the plain-data allow-list
of :mod:`e2evlp_mm.compat`, which also routes mmengine's checkpoint
loaders to these functions. ``.safetensors`` weights (with their meta
json, see :mod:`e2evlp_mm.engine.safetensors_checkpoint`) are read too.
"""
import os
import os.path as osp
import pickle
from typing import Any, Optional

import torch

from .atomic_file import E2EVLPCheckpointError

REPUBLISH_HINT = ('re-save it with tools/model_converters/publish_model.py '
                  'from a trusted copy')
_TORCH_SAYS = 'WeightsUnpickler error:'


class E2EVLPUnsafeCheckpoint(E2EVLPCheckpointError):
    """A checkpoint whose pickle holds more than plain data (code)."""


def _reason(error: Exception) -> str:
    """The line of PyTorch's refusal that names the refused global."""
    lines = [line.strip() for line in str(error).splitlines()
             if line.strip()]
    for line in lines:
        if _TORCH_SAYS in line:
            line = line.split(_TORCH_SAYS, 1)[1].strip()
            return line.split('. Please', 1)[0].rstrip('.')
    for line in lines:
        if 'GLOBAL' in line:
            return line.rstrip('.')
    return lines[0] if lines else repr(error)


def refused(path: str, error: Exception, hint: str = REPUBLISH_HINT,
            what: str = 'checkpoint') -> E2EVLPUnsafeCheckpoint:
    """The error that names a refused file and why it was refused.

    Args:
        path (str): The file (or URL).
        error (Exception): ``torch.load``'s ``UnpicklingError``.
        hint (str): What the user can do instead.
        what (str): What the file should be.
    """
    return E2EVLPUnsafeCheckpoint(
        f'{path} is not a plain-data {what}: torch.load(weights_only=True) '
        f'refused it ({_reason(error)}). e2evlp-mm never unpickles code '
        f'from a {what}; {hint}.')


def safe_load(path: str,
              map_location: Any = 'cpu',
              mmap: bool = False,
              hint: str = REPUBLISH_HINT,
              what: str = 'checkpoint') -> Any:
    """``torch.load`` that only reads plain data (tensors, containers,
    numbers, strings and the allow-listed globals).

    Args:
        path (str): A file saved with ``torch.save``.
        map_location: As for ``torch.load``. Defaults to ``'cpu'``.
        mmap (bool): Memory-map the tensors (they stay on disk); files
            that cannot be mapped (the legacy format) are read whole.
        hint (str): What the error tells the user to do.
        what (str): What the file should be (for the error).

    Returns:
        The unpickled object.

    Raises:
        E2EVLPUnsafeCheckpoint: The pickle needs a global outside the
            allow-list (it would run code), naming the file.
    """
    path = os.fspath(path)
    try:
        if mmap:
            try:
                return torch.load(path, map_location=map_location,
                                  mmap=True, weights_only=True)
            except RuntimeError:  # not a zip checkpoint: cannot be mapped
                pass
        return torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as error:
        raise refused(path, error, hint, what) from None


def load_checkpoint_file(path: str, map_location: Any = 'cpu',
                         mmap: bool = False) -> dict:
    """A checkpoint file: a ``.pth`` (:func:`safe_load`) or published
    ``.safetensors`` weights with their meta json.

    Args:
        path (str): The file.
        map_location: As for ``torch.load``. Defaults to ``'cpu'``.
        mmap (bool): Memory-map a ``.pth`` file's tensors.

    Returns:
        dict: The checkpoint (``state_dict``, ``meta``, ...).

    Raises:
        FileNotFoundError: No such file.
        E2EVLPUnsafeCheckpoint: See :func:`safe_load`.
    """
    path = osp.expanduser(os.fspath(path))
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path} can not be found.')
    if path.endswith('.safetensors'):
        from .safetensors_checkpoint import load_safetensors
        return load_safetensors(path, map_location)
    return safe_load(path, map_location, mmap=mmap)


def safe_load_url(url: str,
                  model_dir: Optional[str] = None,
                  map_location: Any = None,
                  progress: bool = True,
                  check_hash: bool = False,
                  file_name: Optional[str] = None) -> Any:
    """``torch.hub.load_state_dict_from_url`` (which unpickles anything by
    default) reading plain data only; mmengine's ``http(s)://``,
    ``torchvision://``, ``open-mmlab://`` and ``mmcls://`` loaders call it.

    Args:
        url (str): The checkpoint's URL.
        model_dir (str, optional): Download folder (torch hub's default).
        map_location: As for ``torch.load``.
        progress (bool): Show a download progress bar.
        check_hash (bool): Check the file name's sha256 prefix.
        file_name (str, optional): Name of the downloaded file.

    Raises:
        E2EVLPUnsafeCheckpoint: See :func:`safe_load`, naming the URL.
    """
    try:
        return torch.hub.load_state_dict_from_url(
            url, model_dir=model_dir, map_location=map_location,
            progress=progress, check_hash=check_hash, file_name=file_name,
            weights_only=True)
    except pickle.UnpicklingError as error:
        raise refused(url, error) from None
