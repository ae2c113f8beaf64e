# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Val / test loops that rank a whole retrieval split with a cross
encoder (mmpretrain's ``RetrievalTestLoop`` pattern)."""
import time
from typing import Dict, List, Optional, Sequence

import torch
from mmdet.registry import LOOPS
from mmengine.dataset import Compose
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.runner import TestLoop, ValLoop


def rank_split(loop, prefix: str, text_pipeline: Compose,
               prefilter_topk: Optional[int]) -> Dict[str, float]:
    """Collect images and texts, score all pairs, evaluate.

    The dataloader yields test-mode ``E2EVLPRetrievalDataset`` samples (one
    per image, metainfo ``text`` = its sentences, ``gt_text_id``). Images
    go through the model's ``encode_images`` as they come; the gallery's
    sentences are tokenized once, in text-id order, by ``text_pipeline``
    (the project's ``E2EVLPTokenize``); ``model.score_all`` builds the
    (N_img, N_txt) score matrix; each image sample then carries its row as
    ``pred_i2t_score`` for ``E2EVLPRetrievalRecall`` (which gives both the
    text- and the image-retrieval recalls).

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
    texts: Dict[int, str] = {}
    start = time.perf_counter()
    for idx, data_batch in enumerate(loop.dataloader):
        runner.call_hook(
            f'before_{prefix}_iter', batch_idx=idx, data_batch=data_batch)
        with torch.no_grad():
            data = model.data_preprocessor(data_batch, False)
            images += model.encode_images(data['inputs'],
                                          data['data_samples'])
        for ds in data['data_samples']:
            texts.update(zip(ds.gt_text_id, ds.text))
            samples.append(ds)
        runner.call_hook(
            f'after_{prefix}_iter',
            batch_idx=idx,
            data_batch=data_batch,
            outputs=data['data_samples'])
    text_ids = [
        torch.as_tensor(text_pipeline(dict(text=texts[j]))['text_ids'])
        for j in range(len(texts))
    ]
    with torch.no_grad():
        scores, num_pairs = model.score_all(images, text_ids, prefilter_topk)
    seconds = time.perf_counter() - start
    print_log(
        f'ranked {len(images)} images x {len(text_ids)} texts: '
        f'{num_pairs} joint passes, {seconds:.1f} s '
        f'(prefilter_topk={prefilter_topk})', logger='current')
    for ds, row in zip(samples, scores.cpu()):
        ds.pred_i2t_score = row
    loop.evaluator.process(samples, None)
    metrics = loop.evaluator.evaluate(len(samples))
    runner.call_hook(f'after_{prefix}_epoch', metrics=metrics)
    runner.call_hook(f'after_{prefix}')
    return metrics


@LOOPS.register_module()
class E2EVLPRetrievalTestLoop(TestLoop):
    """Test loop ranking every text for every image (and vice versa).

    Single process: the score matrix needs the whole split on one rank.

    Args:
        runner (Runner): The runner.
        dataloader (Dataloader | dict): Test-mode retrieval dataset.
        evaluator (Evaluator | dict | list): ``E2EVLPRetrievalRecall``.
        text_pipeline (Sequence[dict]): Tokenizes one gallery sentence,
            e.g. ``[dict(type='E2EVLPTokenize', tokenizer_path=...,
            max_length=40)]``.
        prefilter_topk (int, optional): Candidates per query from the
            dual-encoder pre-filter; None scores all pairs.
        fp16 (bool): Unused; kept for the TestLoop signature.
    """

    def __init__(self, runner, dataloader, evaluator,
                 text_pipeline: Sequence[dict],
                 prefilter_topk: Optional[int] = None,
                 fp16: bool = False) -> None:
        super().__init__(runner, dataloader, evaluator, fp16=fp16)
        self.text_pipeline = Compose(list(text_pipeline))
        self.prefilter_topk = prefilter_topk

    def run(self) -> Dict[str, float]:
        """Rank the split and return its recalls."""
        return rank_split(self, 'test', self.text_pipeline,
                          self.prefilter_topk)


@LOOPS.register_module()
class E2EVLPRetrievalValLoop(ValLoop):
    """Validation twin of :class:`E2EVLPRetrievalTestLoop` (same args)."""

    def __init__(self, runner, dataloader, evaluator,
                 text_pipeline: Sequence[dict],
                 prefilter_topk: Optional[int] = None,
                 fp16: bool = False) -> None:
        super().__init__(runner, dataloader, evaluator, fp16=fp16)
        self.text_pipeline = Compose(list(text_pipeline))
        self.prefilter_topk = prefilter_topk

    def run(self) -> Dict[str, float]:
        """Rank the split and return its recalls."""
        return rank_split(self, 'val', self.text_pipeline,
                          self.prefilter_topk)
