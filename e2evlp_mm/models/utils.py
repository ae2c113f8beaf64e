# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Batching helpers shared by the E2E-VLP models and heads."""
from typing import Tuple

import torch
from mmdet.structures import SampleList
from torch import Tensor


def stack_labels(data_samples: SampleList, key: str,
                 device: torch.device) -> Tensor:
    """Stack a per-sample scalar class label into a batch.

    Args:
        data_samples (list[:obj:`DetDataSample`]): Samples that all carry
            ``key`` (an int or a one-element tensor), e.g. ``'itm_label'``
            or ``'nlvr_label'``.
        key (str): Field name.
        device (torch.device): Where the labels go.

    Returns:
        Tensor: LongTensor (B,).
    """
    return torch.stack([
        torch.as_tensor(getattr(ds, key)).long().reshape(())
        for ds in data_samples
    ]).to(device)


def top1_accuracy(logits: Tensor, labels: Tensor) -> Tensor:
    """Percent of samples whose arg-max class is the label (for logs).

    Args:
        logits (Tensor): (B, C).
        labels (Tensor): (B,).

    Returns:
        Tensor: Detached scalar in ``[0, 100]``.
    """
    return 100 * (logits.argmax(-1) == labels).float().mean().detach()


def stack_text(data_samples: SampleList, key: str,
               pad_value: int) -> Tuple[Tensor, Tensor]:
    """Right-pad a per-sample 1-D token field into a batch.

    Args:
        data_samples (list[:obj:`DetDataSample`]): Samples that all carry
            ``key`` as a ``LongTensor`` of shape (L_i,).
        key (str): Field name, e.g. ``'text_ids'``, ``'mlm_labels'`` or
            ``'caption_ids'``.
        pad_value (int): Value written at padded positions (the pad id for
            token ids, ``-100`` for labels).

    Returns:
        tuple[Tensor, Tensor]: ``ids`` of shape (B, L) with
        ``L = max_i L_i`` and the padding mask of shape (B, L), True at
        padded positions (mmdet/PyTorch ``key_padding_mask`` convention).
    """
    seqs = [torch.as_tensor(getattr(ds, key)).long() for ds in data_samples]
    max_len = max(len(s) for s in seqs)
    ids = seqs[0].new_full((len(seqs), max_len), pad_value)
    mask = torch.ones(
        len(seqs), max_len, dtype=torch.bool, device=seqs[0].device)
    for i, seq in enumerate(seqs):
        ids[i, :len(seq)] = seq
        mask[i, :len(seq)] = False
    return ids, mask
