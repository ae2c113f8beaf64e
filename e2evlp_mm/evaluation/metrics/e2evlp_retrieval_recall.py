# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Image-text retrieval recall from a full similarity matrix."""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
from mmdet.registry import METRICS
from mmpretrain.evaluation.metrics import RetrievalRecall

from .empty_metrics import zero_metrics


@METRICS.register_module()
class E2EVLPRetrievalRecall(RetrievalRecall):
    """Recall@K of image->text and text->image retrieval.

    Every data sample is one image (a row of the similarity matrix over
    all ``N_txt`` texts of the split) with the column indices of its
    positive texts (5 per image in COCO / Flickr30K). The rows of all
    samples form the ``(N_img, N_txt)`` matrix; text retrieval (``tr``,
    image query) ranks each row, image retrieval (``ir``, text query)
    ranks each column. A query counts as a hit at K when any positive is
    among its top K; both directions use mmpretrain's
    :meth:`RetrievalRecall.calculate`.

    Args:
        topk (int | Sequence[int]): The K of Recall@K. Defaults to
            ``(1, 5, 10)``.
        collect_device (str): ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): Metric name prefix. Defaults to
            ``'retrieval'``.
    """
    default_prefix = 'retrieval'

    def __init__(self,
                 topk: Union[int, Sequence[int]] = (1, 5, 10),
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(
            topk=topk, collect_device=collect_device, prefix=prefix)

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Keep each image's score row and positive text indices.

        Args:
            data_batch (dict): A batch from the dataloader (unused).
            data_samples (Sequence[dict]): One per image: ``pred_i2t_score``
                FloatTensor (N_txt,) over all texts of the split, and
                ``gt_text_id`` (list[int] or LongTensor) the column indices
                of its positive texts.
        """
        for sample in data_samples:
            score = torch.as_tensor(sample['pred_i2t_score'])
            self.results.append(
                dict(
                    score=score.detach().float().cpu(),
                    gt_text_id=torch.as_tensor(
                        sample['gt_text_id']).long().flatten().cpu()))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Build the matrix and compute both directions.

        Args:
            results (list[dict]): What :meth:`process` kept, from all ranks.

        Returns:
            dict[str, float]: ``tr_r{k}``, ``ir_r{k}`` for every K and
            their mean ``r_mean``, in percent (each 0.0 with no image).
        """
        if not results:
            names = [f'{d}_r{k}' for k in self.topk for d in ('tr', 'ir')]
            return zero_metrics(self, names + ['r_mean'],
                                'no image was evaluated')
        sim = torch.stack([r['score'] for r in results])
        positive = torch.zeros_like(sim, dtype=torch.bool)
        for i, res in enumerate(results):
            positive[i, res['gt_text_id']] = True
        tr, ir = self.calculate_both(sim, positive, self.topk)
        metrics = {}
        for k, tr_k, ir_k in zip(self.topk, tr, ir):
            metrics[f'tr_r{k}'] = tr_k
            metrics[f'ir_r{k}'] = ir_k
        metrics['r_mean'] = sum(metrics.values()) / len(metrics)
        return metrics

    @classmethod
    def calculate_both(
            cls, sim: torch.Tensor, positive: torch.Tensor,
            topk: Sequence[int]) -> Tuple[List[float], List[float]]:
        """Recall@K in both directions of one similarity matrix.

        Args:
            sim (Tensor): (N_img, N_txt) image-text scores.
            positive (Tensor): (N_img, N_txt) bool, True for matched pairs.
            topk (Sequence[int]): The K values.

        Returns:
            tuple[list[float], list[float]]: Text retrieval (per image)
            and image retrieval (per text) recalls in percent, one per K.
        """
        topk_tr = [min(k, sim.size(1)) for k in topk]
        topk_ir = [min(k, sim.size(0)) for k in topk]
        tr = cls.calculate(sim, positive.long(), topk=topk_tr)
        ir = cls.calculate(sim.t(), positive.t().long(), topk=topk_ir)
        return [float(r) for r in tr], [float(r) for r in ir]
