# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Detection memory in which some images are encoded without their text.

Pre-training detects objects on the joint encoding of ``[CLS] text [SEP]``
and the image, but a user's image usually comes alone (the web demo,
``demo/image_demo.py``): a detector that has only seen text beside its
images finds boxes worse, and offset, without it. Training some rows of a
batch on the image-only encoding (which captioning computes anyway)
teaches both. The rows keep the joint memory's length: their text slots are
zeros masked out of the decoder's cross-attention, so each such row decodes
exactly as the image alone would.
"""
from typing import Dict

import torch
from torch import Tensor


def with_image_only_rows(joint: Dict, image: Dict, rows: Tensor) -> Dict:
    """The joint encoder memory with ``rows`` taken from the image-only one.

    Args:
        joint (dict): :meth:`E2EVLPBase.forward_encoder` of ``[CLS] text
            [SEP] image``: ``memory`` (B, L + HW, d), ``memory_mask``
            (B, L + HW) True at padding, ``memory_pos`` (B, L + HW, d) and
            ``num_text`` L.
        image (dict): The same of the image alone: ``memory`` (B, HW, d),
            ``memory_mask`` (B, HW), ``memory_pos`` (B, HW, d).
        rows (Tensor): Bool (B,), True for the images decoded without
            text; best on the CPU (testing it then needs no device sync).

    Returns:
        dict: Like ``joint``; in the chosen rows the first L slots are
        zeros masked out and the image slots are the image-only encoding.
    """
    num_text = joint['num_text']
    if num_text == 0 or not bool(rows.any()):
        return joint
    memory = image['memory']
    rows = rows.to(memory.device, non_blocking=True)
    text_slots = memory.new_zeros(memory.size(0), num_text, memory.size(2))
    padded = torch.cat([text_slots, memory], 1)
    padded_mask = torch.cat([
        image['memory_mask'].new_ones(memory.size(0), num_text),
        image['memory_mask']
    ], 1)
    return dict(
        joint,
        memory=torch.where(rows[:, None, None], padded, joint['memory']),
        memory_mask=torch.where(rows[:, None], padded_mask,
                                joint['memory_mask']))
