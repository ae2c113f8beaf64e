# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Turn a training checkpoint into a file to share (mmdet's
``publish_model.py``).

A training checkpoint also holds the optimizer's state (twice the
weights for AdamW), the parameter schedulers, the message hub (logged
scalars, random states) and the loops' progress. Publishing keeps what
inference needs: ``state_dict`` and ``meta`` (the vocabularies and
``dataset_meta`` that :class:`E2EVLPInferencer` reads, the training
config). The file name ends in the first 8 hex digits of its sha256, as
OpenMMLab's model zoos name theirs, so a download can be checked with
``sha256sum``.
"""
import hashlib
import os
import os.path as osp
from typing import List

import torch

from .safe_load import load_checkpoint_file
from .safetensors_checkpoint import save_safetensors

KEPT_KEYS = ('state_dict', 'meta')


def file_sha256(path: str) -> str:
    """The sha256 of a file, in hex."""
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def _rename_with_hash(tmp: str, stem: str, ext: str) -> str:
    """Move ``tmp`` to ``<stem>-<sha256[:8]><ext>``; return that path."""
    final = f'{stem}-{file_sha256(tmp)[:8]}{ext}'
    os.replace(tmp, final)
    return final


def publish_checkpoint(in_file: str, out_file: str,
                       safetensors: bool = False) -> List[str]:
    """Write the shareable copy of a checkpoint.

    Args:
        in_file (str): A checkpoint (read as plain data only).
        out_file (str): Output name, with or without ``.pth``: the file
            written is ``<out_file>-<sha256[:8]>.pth``.
        safetensors (bool): Also write ``<out_file>-<sha256[:8]>
            .safetensors`` (the weights, hash of that file) and its meta
            as ``.json`` beside it (see
            :mod:`e2evlp_mm.engine.safetensors_checkpoint`).

    Returns:
        list[str]: The written files.

    Raises:
        KeyError: The checkpoint has no ``state_dict``.
    """
    checkpoint = load_checkpoint_file(in_file)
    if 'state_dict' not in checkpoint:
        raise KeyError(f'{in_file}: no state_dict (keys: '
                       f'{sorted(checkpoint)})')
    published = {k: checkpoint[k] for k in KEPT_KEYS if k in checkpoint}
    published.setdefault('meta', {})
    stem = out_file[:-len('.pth')] if out_file.endswith('.pth') else out_file
    if osp.dirname(stem):
        os.makedirs(osp.dirname(stem), exist_ok=True)
    tmp = f'{stem}.{os.getpid()}.tmp'
    torch.save(published, tmp)
    written = [_rename_with_hash(tmp, stem, '.pth')]
    if safetensors:
        tmp_weights = f'{stem}.{os.getpid()}.tmp.safetensors'
        _, tmp_meta = save_safetensors(published['state_dict'],
                                       published['meta'], tmp_weights)
        weights = _rename_with_hash(tmp_weights, stem, '.safetensors')
        meta = osp.splitext(weights)[0] + '.json'
        os.replace(tmp_meta, meta)
        written += [weights, meta]
    return written
