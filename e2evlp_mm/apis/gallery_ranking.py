# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Rank a gallery with ``E2EVLPRetriever`` (inferencer's ``retrieve``)."""
from typing import Dict, Iterable, List, Sequence

import torch
from torch import Tensor, nn


@torch.no_grad()
def score_gallery(model: nn.Module, image_batches: Iterable[Dict],
                  text_ids: Sequence[Tensor]) -> Tensor:
    """Cross-encoder scores of every image with every text.

    Args:
        model (nn.Module): An ``E2EVLPRetriever``.
        image_batches (Iterable[dict]): Collated pipeline outputs
            (``inputs``, ``data_samples``), as a dataloader yields them.
        text_ids (Sequence[Tensor]): ``[CLS] text [SEP]`` ids (L_j,).

    Returns:
        Tensor: (N_img, N_txt) matching logits (all pairs scored).
    """
    images = []
    for data in image_batches:
        data = model.data_preprocessor(data, False)
        images += model.encode_images(data['inputs'], data['data_samples'])
    scores, _ = model.score_all(images, list(text_ids))
    return scores.cpu()


def rank(scores: Tensor, names: Sequence[str], topk: int) -> List[List]:
    """Top-k gallery items of each query row.

    Args:
        scores (Tensor): (N_query, N_gallery).
        names (Sequence[str]): A name per gallery item (text or image).
        topk (int): Items per query (capped at the gallery size).

    Returns:
        list[list[dict]]: Per query ``[{index, name, score}]``, best first.
    """
    values, index = scores.topk(min(topk, scores.size(1)), dim=1)
    return [[
        dict(index=j, name=names[j], score=round(s, 4))
        for j, s in zip(row_index, row_values)
    ] for row_index, row_values in zip(index.tolist(), values.tolist())]
