# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Group-wise one-to-many assignment of DETR queries (Group DETR).

Chen et al., "Group DETR: Fast DETR Training with Group-Wise One-to-Many
Assignment", ICCV 2023: in training the decoder runs ``K`` groups of ``N``
queries side by side; self-attention stays inside a group and each group
is Hungarian-matched to the ground truth on its own, so every object gets
``K`` positive queries per step. At test time only the first group runs,
so the model at inference is DETR's with ``N`` queries.
"""
from typing import List, TypeVar

import torch
from torch import Tensor

Sample = TypeVar('Sample')


def group_self_attn_mask(num_queries: int, num_groups: int,
                         device: torch.device) -> Tensor:
    """Block-diagonal self-attention mask of ``num_groups`` query groups.

    Args:
        num_queries (int): Queries per group ``N``.
        num_groups (int): Groups ``K``.
        device (torch.device): Where the mask goes.

    Returns:
        Tensor: Bool (K * N, K * N), True where a query may *not* attend
        (a query of another group), as ``nn.MultiheadAttention`` takes it.
    """
    group = torch.arange(num_groups, device=device).repeat_interleave(
        num_queries)
    return group[:, None] != group[None, :]


def split_query_groups(hidden_states: Tensor, num_groups: int) -> Tensor:
    """Make every query group an image of its own for the detection loss.

    Args:
        hidden_states (Tensor): Decoder outputs, (num_layers, B, K * N, d).
        num_groups (int): Groups ``K``.

    Returns:
        Tensor: (num_layers, B * K, N, d), the ``K`` groups of image ``b``
        at rows ``b * K ... b * K + K - 1``.
    """
    layers, batch, queries, dims = hidden_states.shape
    return hidden_states.reshape(layers, batch * num_groups,
                                 queries // num_groups, dims)


def repeat_per_group(samples: List[Sample], num_groups: int) -> List[Sample]:
    """Each sample ``num_groups`` times, in :func:`split_query_groups`'s
    order (the same object, not a copy: ground truth is only read)."""
    return [sample for sample in samples for _ in range(num_groups)]
