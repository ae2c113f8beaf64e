# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Val / test loops that rank a whole retrieval split with a cross
encoder (mmpretrain's ``RetrievalTestLoop`` pattern), on any number of
processes."""
import time
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from mmdet.registry import LOOPS
from mmengine.dataset import Compose
from mmengine.dist import all_gather_object
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.runner import TestLoop, ValLoop
from torch import Tensor


def gather_texts(local: Dict[int, str]) -> List[str]:
    """The whole text gallery, in text-id order, on every rank.

    Args:
        local (dict[int, str]): Sentence by global text id, for the images
            this rank saw.

    Returns:
        list[str]: All ``N_txt`` sentences; entry ``j`` has text id ``j``.

    Raises:
        ValueError: If the text ids of all ranks are not ``0..N_txt-1``.
    """
    texts: Dict[int, str] = {}
    for part in all_gather_object(local):
        texts.update(part)
    if sorted(texts) != list(range(len(texts))):
        raise ValueError('gt_text_id of the gallery must be 0..N_txt-1 '
                         f'over the split; got {len(texts)} ids up to '
                         f'{max(texts, default=-1)}.')
    return [texts[j] for j in range(len(texts))]


def gather_image_embeds(images: List[dict],
                        img_ids: List[int]) -> Tuple[Tensor, Tensor]:
    """Pre-filter embeddings of every gallery image, on every rank.

    A distributed sampler pads the split with repeated images; each image
    is kept once, in ``img_id`` order, so every rank (and a single
    process) sees the same gallery.

    Args:
        images (list[dict]): This rank's images from ``encode_images``,
            each with ``embed`` (itc_dims,).
        img_ids (list[int]): Their ``img_id``.

    Returns:
        tuple[Tensor, Tensor]: Embeddings (N_img, itc_dims) of the whole
        gallery and the gallery row (N_local,) of each local image.
    """
    local = (img_ids, [im['embed'].cpu() for im in images])
    embeds: Dict[int, Tensor] = {}
    for ids, parts in all_gather_object(local):
        embeds.update(zip(ids, parts))
    order = sorted(embeds)
    row_of = {img_id: row for row, img_id in enumerate(order)}
    device = images[0]['embed'].device
    gallery = torch.stack([embeds[i] for i in order]).to(device)
    rows = torch.tensor([row_of[i] for i in img_ids], device=device)
    return gallery, rows


def rank_split(loop, prefix: str, text_pipeline: Compose,
               prefilter_topk: Optional[int]) -> Dict[str, float]:
    """Collect images and texts, score all pairs, evaluate.

    The dataloader yields test-mode ``E2EVLPRetrievalDataset`` samples (one
    per image, metainfo ``text`` = its sentences, ``gt_text_id``). Images
    go through the model's ``encode_images`` as they come. The gallery's
    sentences (gathered from all ranks) are tokenized once, in text-id
    order, by ``text_pipeline`` (the project's ``E2EVLPTokenize``). Each
    rank scores the rows of its own images against every text with
    ``model.score_all`` (the pre-filter, if any, ranks the whole gathered
    gallery, so its candidates do not depend on the number of ranks) and
    hands each sample its row as ``pred_i2t_score``; the evaluator
    collects the rows of all ranks in dataset order and
    ``E2EVLPRetrievalRecall`` gives both recall directions.

    Args:
        loop (ValLoop | TestLoop): The running loop.
        prefix (str): ``'val'`` or ``'test'`` (hook names).
        text_pipeline (Compose): Maps ``dict(text=str)`` to a dict with
            ``text_ids``.
        prefilter_topk (int, optional): See ``E2EVLPRetriever.score_all``.

    Returns:
        dict[str, float]: The evaluator's metrics.
    """
    runner = loop.runner
    model = runner.model.module if is_model_wrapper(
        runner.model) else runner.model
    runner.call_hook(f'before_{prefix}')
    runner.call_hook(f'before_{prefix}_epoch')
    model.eval()
    images: List[dict] = []
    samples: list = []
    local_texts: Dict[int, str] = {}
    start = time.perf_counter()
    for idx, data_batch in enumerate(loop.dataloader):
        runner.call_hook(
            f'before_{prefix}_iter', batch_idx=idx, data_batch=data_batch)
        with torch.no_grad():
            data = model.data_preprocessor(data_batch, False)
            images += model.encode_images(data['inputs'],
                                          data['data_samples'])
        for ds in data['data_samples']:
            local_texts.update(zip(ds.gt_text_id, ds.text))
            samples.append(ds)
        runner.call_hook(
            f'after_{prefix}_iter',
            batch_idx=idx,
            data_batch=data_batch,
            outputs=data['data_samples'])
    text_ids = [
        torch.as_tensor(text_pipeline(dict(text=text))['text_ids'])
        for text in gather_texts(local_texts)
    ]
    gallery = None
    if prefilter_topk is not None and images and 'embed' in images[0]:
        gallery = gather_image_embeds(images,
                                      [int(ds.img_id) for ds in samples])
    with torch.no_grad():
        scores, num_pairs = model.score_all(images, text_ids,
                                            prefilter_topk, gallery)
    seconds = time.perf_counter() - start
    print_log(
        f'ranked {len(images)} images x {len(text_ids)} texts on this '
        f'rank: {num_pairs} joint passes, {seconds:.1f} s '
        f'(prefilter_topk={prefilter_topk})', logger='current')
    for ds, row in zip(samples, scores.cpu()):
        ds.pred_i2t_score = row
    loop.evaluator.process(samples, None)
    dataset = getattr(loop.dataloader, 'dataset', None)
    size = len(dataset) if dataset is not None else len(samples)
    metrics = loop.evaluator.evaluate(size)
    runner.call_hook(f'after_{prefix}_epoch', metrics=metrics)
    runner.call_hook(f'after_{prefix}')
    return metrics


class RetrievalRankingMixin:
    """``__init__`` and ``run`` shared by the val and test loops.

    Args:
        runner (Runner): The runner.
        dataloader (Dataloader | dict): Test-mode retrieval dataset (a
            distributed sampler may shard it over any number of ranks).
        evaluator (Evaluator | dict | list): ``E2EVLPRetrievalRecall``.
        text_pipeline (Sequence[dict]): Tokenizes one gallery sentence,
            e.g. ``[dict(type='E2EVLPTokenize', tokenizer_path=...,
            max_length=40)]``.
        prefilter_topk (int, optional): Candidates per query from the
            dual-encoder pre-filter; None scores all pairs.
        fp16 (bool): Unused; kept for the loop signature.
    """
    prefix = 'test'

    def __init__(self, runner, dataloader, evaluator,
                 text_pipeline: Sequence[dict],
                 prefilter_topk: Optional[int] = None,
                 fp16: bool = False) -> None:
        super().__init__(runner, dataloader, evaluator, fp16=fp16)
        self.text_pipeline = Compose(list(text_pipeline))
        self.prefilter_topk = prefilter_topk

    def run(self) -> Dict[str, float]:
        """Rank the split and return its recalls."""
        return rank_split(self, self.prefix, self.text_pipeline,
                          self.prefilter_topk)


@LOOPS.register_module()
class E2EVLPRetrievalTestLoop(RetrievalRankingMixin, TestLoop):
    """Test loop ranking every text for every image (and vice versa).

    See :class:`RetrievalRankingMixin` for the arguments.
    """
    prefix = 'test'


@LOOPS.register_module()
class E2EVLPRetrievalValLoop(RetrievalRankingMixin, ValLoop):
    """Validation twin of :class:`E2EVLPRetrievalTestLoop` (same args)."""
    prefix = 'val'
