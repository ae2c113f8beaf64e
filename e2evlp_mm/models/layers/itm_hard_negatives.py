# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""In-batch hard negatives for image-text matching (ALBEF's, Li et al.
2021, Sec. 3.2): each image is paired with the text of another image that
the contrastive embeddings find similar, so ITM trains on pairs it cannot
tell apart by a glance."""
import torch
from torch import Tensor


def sample_hard_texts(sim: Tensor, keys: Tensor, candidates: Tensor,
                      temperature: float) -> Tensor:
    """Draw for each image a text of another image, ``p ~ softmax(sim /
    temperature)`` over the allowed texts.

    Args:
        sim (Tensor): Image-to-text cosine similarity (B, B); row i is
            image i, column j the text of sample j.
        keys (Tensor): Image of each sample, (B,): a text of the same
            image is never drawn.
        candidates (Tensor): Bool (B,), the texts that may be drawn (those
            known to describe their own sample's image).
        temperature (float): Softmax temperature.

    Returns:
        Tensor: LongTensor (B,), the drawn column of each row, -1 where no
        text is allowed.
    """
    keys = keys.to(sim.device)
    allowed = (keys[:, None] != keys[None]) & candidates.to(sim.device)[None]
    choice = torch.full_like(keys, -1)
    rows = allowed.any(1)
    if bool(rows.any()):
        logits = (sim[rows].float() / temperature).masked_fill(
            ~allowed[rows], float('-inf'))
        choice[rows] = torch.multinomial(logits.softmax(1), 1)[:, 0]
    return choice
