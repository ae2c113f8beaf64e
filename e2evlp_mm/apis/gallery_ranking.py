# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Encode and search a retrieval gallery with ``E2EVLPRetriever``.

A query goes through the dual-encoder pre-filter (one dot product per
gallery item) and the joint pass only scores its ``prefilter_topk`` best
candidates, so a query costs ``prefilter_topk`` joint passes whatever the
gallery size; ``prefilter_topk=None`` scores every item (what
``score_all`` does without ``topk``).
"""
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.utils.rnn import pad_sequence


@torch.no_grad()
def encode_image_batches(model: nn.Module,
                         image_batches: Iterable[Dict]) -> Dict[str, Tensor]:
    """Encoder inputs and pre-filter embeddings of images.

    Args:
        model (nn.Module): An ``E2EVLPRetriever``.
        image_batches (Iterable[dict]): Collated pipeline outputs
            (``inputs``, ``data_samples``), as a dataloader yields them.

    Returns:
        dict[str, Tensor]: ``image_feat`` (N, HW, d), ``image_mask``
        (N, HW), ``image_pos`` (N, HW, d), padded to the largest token
        count (True in the mask), and ``image_embed`` (N, itc_dims) or
        None without the pre-filter branch.
    """
    images = []
    for data in image_batches:
        data = model.data_preprocessor(data, False)
        images += model.encode_images(data['inputs'], data['data_samples'])
    if not images:
        raise ValueError('no images to encode')
    tokens = max(im['feat'].size(1) for im in images)

    def pad(key: str, value) -> Tensor:
        """(N, tokens, ...) of ``key``, images padded at the end."""
        parts = []
        for image in images:
            x = image[key]
            extra = tokens - x.size(1)
            sides = (0, 0, 0, extra) if x.dim() == 3 else (0, extra)
            parts.append(F.pad(x, sides, value=value) if extra else x)
        return torch.cat(parts)

    return dict(
        image_feat=pad('feat', 0.),
        image_mask=pad('feat_mask', True),
        image_pos=pad('feat_pos', 0.),
        image_embed=torch.stack([im['embed'] for im in images])
        if 'embed' in images[0] else None)


@torch.no_grad()
def encode_text_ids(model: nn.Module,
                    text_ids: Sequence[Tensor]) -> Dict[str, Tensor]:
    """Padded token ids and pre-filter embeddings of texts.

    Args:
        model (nn.Module): An ``E2EVLPRetriever``.
        text_ids (Sequence[Tensor]): ``[CLS] text [SEP]`` ids (L_j,).

    Returns:
        dict[str, Tensor]: ``text_ids`` (N, L), ``text_mask`` (N, L) and
        ``text_embed`` (N, itc_dims) or None without the pre-filter branch.
    """
    pad_id = model.text_embedding.pad_id
    device = next(model.parameters()).device
    ids = pad_sequence(list(text_ids), batch_first=True,
                       padding_value=pad_id).to(device)
    mask = ids == pad_id
    embed = None
    if model.retrieval_head.with_itc:
        batch = model.test_cfg.get('text_batch_size', 256)
        embed = torch.cat([
            model.retrieval_head.embed_texts(
                model.text_only_cls(ids[j:j + batch], mask[j:j + batch]))
            for j in range(0, len(ids), batch)
        ])
    return dict(text_ids=ids, text_mask=mask, text_embed=embed)


def prefilter(query_embed: Optional[Tensor], gallery_embed: Optional[Tensor],
              num_items: int, topk: Optional[int]) -> Tuple[Tensor, Tensor]:
    """Candidates of one query and the base score of every gallery item.

    Args:
        query_embed (Tensor, optional): (itc_dims,).
        gallery_embed (Tensor, optional): (N, itc_dims).
        num_items (int): N.
        topk (int, optional): Candidates kept; None keeps all.

    Returns:
        tuple[Tensor, Tensor]: Candidate indices (K,), best first, and
        base scores (N,): ``-1e4 + cosine`` (``-1e4`` without the
        pre-filter), so scored candidates rank above every other item.
    """
    if topk is not None and (query_embed is None or gallery_embed is None):
        raise ValueError('The top-k pre-filter needs '
                         'retrieval_head.itc_dims.')
    if query_embed is None or gallery_embed is None:
        base = torch.full((num_items, ), -1e4)
        return torch.arange(num_items), base
    sim = gallery_embed @ query_embed
    order = sim.argsort(descending=True)
    if topk is not None:
        order = order[:topk]
    return order, sim - 1e4


@torch.no_grad()
def joint_logits(model: nn.Module, image: Sequence[Tensor],
                 text: Sequence[Tensor], order: Tensor) -> Tensor:
    """Cross-encoder logits of one query with gallery items.

    The query side has one row (broadcast), the gallery side N rows of
    which ``order`` picks the candidates, in batches of
    ``test_cfg.text_batch_size`` pairs.

    Args:
        model (nn.Module): An ``E2EVLPRetriever``.
        image (Sequence[Tensor]): Tokens (1 or N, HW, d), padding mask
            (1 or N, HW), positions (1 or N, HW, d).
        text (Sequence[Tensor]): Ids and padding mask, (1 or N, L) each.
        order (Tensor): Candidate rows (K,) of the gallery side.

    Returns:
        Tensor: (K,) logits, in ``order``.
    """
    batch = model.test_cfg.get('text_batch_size', 256)
    logits = []
    for part in order.split(batch):

        def take(x: Tensor, part: Tensor = part) -> Tensor:
            if x.size(0) == 1:  # the query, or a gallery of one
                return x.expand(len(part), *x.shape[1:])
            return x[part]

        cls = model.joint_cls(*[take(x) for x in (*image, *text)])
        logits.append(model.retrieval_head(cls).float())
    return torch.cat(logits) if logits else order.new_zeros(0).float()


@torch.no_grad()
def search_scores(model: nn.Module, gallery, queries: Dict[str, Tensor],
                  prefilter_topk: Optional[int]) -> Tuple[Tensor, int]:
    """Scores of every gallery item for each query.

    Text queries (from :func:`encode_text_ids`) rank the gallery's images,
    image queries (from :func:`encode_image_batches`) its texts. Items
    the pre-filter leaves out keep ``-1e4 + cosine`` (see
    :func:`prefilter`).

    Args:
        model (nn.Module): An ``E2EVLPRetriever``.
        gallery (RetrievalGallery): On the model's device.
        queries (dict[str, Tensor]): Encoded queries, Q rows.
        prefilter_topk (int, optional): Joint passes per query; None
            scores every item.

    Returns:
        tuple[Tensor, int]: Scores (Q, N) on the CPU and the number of
        joint passes.
    """
    by_text = 'text_ids' in queries
    if by_text:
        num_queries, num_items = len(queries['text_ids']), gallery.num_images
        query_embed, item_embed = queries['text_embed'], gallery.image_embed
        items = (gallery.image_feat, gallery.image_mask, gallery.image_pos)
    else:
        num_queries, num_items = len(queries['image_feat']), gallery.num_texts
        query_embed, item_embed = queries['image_embed'], gallery.text_embed
        items = (gallery.text_ids, gallery.text_mask)
    if not num_items:
        raise ValueError('the gallery has no ' +
                         ('images' if by_text else 'texts') + ' to rank')
    rows, passes = [], 0
    for q in range(num_queries):
        order, base = prefilter(
            None if query_embed is None else query_embed[q], item_embed,
            num_items, prefilter_topk)
        if by_text:
            query = (queries['text_ids'][q:q + 1],
                     queries['text_mask'][q:q + 1])
            logits = joint_logits(model, items, query, order)
        else:
            query = (queries['image_feat'][q:q + 1],
                     queries['image_mask'][q:q + 1],
                     queries['image_pos'][q:q + 1])
            logits = joint_logits(model, query, items, order)
        base = base.to(logits.device)
        base[order] = logits
        rows.append(base.cpu())
        passes += len(order)
    return torch.stack(rows), passes


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
