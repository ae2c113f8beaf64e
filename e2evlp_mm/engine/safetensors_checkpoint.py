# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Published weights as ``.safetensors`` with their meta as json beside.

``NAME.safetensors`` holds the ``state_dict`` (safetensors is a format
without code: a json header and raw tensor bytes); ``NAME.json`` the
checkpoint's ``meta`` (the vocabularies and ``dataset_meta`` the
inferencer reads, the training config). The safetensors header records
the sha256 of the json, so a meta file that does not belong to the
weights is refused.
"""
import hashlib
import json
import os.path as osp
from typing import Any, Dict, Tuple

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

from .atomic_file import E2EVLPCheckpointError

META_SHA_KEY = 'e2evlp_meta_sha256'


def meta_path(weights: str) -> str:
    """The meta json beside ``NAME.safetensors``: ``NAME.json``."""
    return osp.splitext(weights)[0] + '.json'


def _plain(value: Any) -> Any:
    """json's fallback: arrays and tensors as lists, numpy scalars as
    numbers, sets as sorted lists."""
    if isinstance(value, (np.ndarray, torch.Tensor, np.generic)):
        return value.tolist()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f'meta value {value!r} ({type(value).__name__}) has no '
                    'json form')


def meta_json(meta: dict) -> bytes:
    """``meta`` as the UTF-8 json written beside the weights."""
    return json.dumps(meta, default=_plain, ensure_ascii=False,
                      sort_keys=True).encode('utf-8')


def save_safetensors(state_dict: Dict[str, torch.Tensor], meta: dict,
                     weights: str) -> Tuple[str, str]:
    """Write ``weights`` (``.safetensors``) and its meta json.

    Args:
        state_dict (dict[str, Tensor]): The model weights. Tensors that
            share memory (tied weights) are stored once each.
        meta (dict): The checkpoint's ``meta`` (json-able, see
            :func:`meta_json`).
        weights (str): Output path ending in ``.safetensors``.

    Returns:
        tuple[str, str]: The weights and the meta json paths.
    """
    data = meta_json(meta)
    meta_file = meta_path(weights)
    with open(meta_file, 'wb') as f:
        f.write(data)
    tensors = {k: v.detach().cpu().clone().contiguous()
               for k, v in state_dict.items()}
    save_file(tensors, weights,
              metadata={'format': 'pt',
                        META_SHA_KEY: hashlib.sha256(data).hexdigest()})
    return weights, meta_file


def load_safetensors(weights: str, map_location: Any = None) -> dict:
    """Read :func:`save_safetensors`' files as a checkpoint dict.

    Args:
        weights (str): The ``.safetensors`` file.
        map_location: Ignored: tensors are read on the CPU (loading them
            into a model moves them to its device).

    Returns:
        dict: ``state_dict`` and ``meta``.

    Raises:
        E2EVLPCheckpointError: The meta json is missing or is not the one
            written with these weights.
    """
    with safe_open(weights, framework='pt') as f:
        header = f.metadata() or {}
    meta_file = meta_path(weights)
    if not osp.isfile(meta_file):
        raise E2EVLPCheckpointError(
            f'{weights}: its meta {meta_file} is missing (publish_model.py '
            '--safetensors writes both; copy them together)')
    with open(meta_file, 'rb') as f:
        data = f.read()
    expected = header.get(META_SHA_KEY)
    if expected is not None and \
            hashlib.sha256(data).hexdigest() != expected:
        raise E2EVLPCheckpointError(
            f'{meta_file} is not the meta saved with {weights} (sha256 '
            f'differs from {expected} recorded in the weights)')
    return dict(state_dict=load_file(weights, device='cpu'),
                meta=json.loads(data.decode('utf-8')))
