# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Accuracies of the pre-training heads (MLM and ITM)."""
from typing import Dict, List, Optional, Sequence, Union

import torch
from mmdet.registry import METRICS
from mmengine.evaluator import BaseMetric

from .empty_metrics import zero_metrics


def _as_tensor(value: Union[torch.Tensor, float, int,
                            Sequence]) -> torch.Tensor:
    return torch.as_tensor(value).detach().cpu()


@METRICS.register_module()
class E2EVLPPretrainMetric(BaseMetric):
    """Masked-token and image-text-matching accuracy of pre-training.

    Each part is reported only when its fields are present, so the metric
    fits any mix of pre-training tasks. For box AP put mmdet's
    ``CocoMetric`` next to it: ``val_evaluator = [dict(type='CocoMetric',
    ...), dict(type='E2EVLPPretrainMetric')]``.

    * MLM accuracy: correct predicted token ids over all masked positions
      of the dataset (positions where ``mlm_labels != -100``), so samples
      with more masks weigh more.
    * ITM accuracy: ``pred_itm_score > itm_thr`` against ``itm_label``.

    Args:
        itm_thr (float): Score above which a pair is predicted as matched.
            Defaults to 0.5.
        collect_device (str): ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): Metric name prefix. Defaults to
            ``'pretrain'``.
    """
    default_prefix = 'pretrain'

    def __init__(self,
                 itm_thr: float = 0.5,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.itm_thr = itm_thr

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Count correct masked tokens and ITM decisions per sample.

        Args:
            data_batch (dict): A batch from the dataloader (unused).
            data_samples (Sequence[dict]): Model outputs. MLM:
                ``mlm_labels`` LongTensor (L,) (``-100`` = not masked) and
                ``pred_mlm_ids`` LongTensor, either (L,) aligned with the
                labels or (M,) for the M masked positions in order. ITM:
                ``itm_label`` (0/1) and ``pred_itm_score``, the matched
                probability (scalar), or (2,) scores of
                (mismatched, matched) decided by argmax.
        """
        for sample in data_samples:
            result = {}
            if 'pred_mlm_ids' in sample and 'mlm_labels' in sample:
                labels = _as_tensor(sample['mlm_labels']).flatten()
                preds = _as_tensor(sample['pred_mlm_ids']).flatten()
                masked = labels != -100
                if preds.numel() == labels.numel():
                    preds = preds[masked]
                result['mlm_correct'] = int((preds == labels[masked]).sum())
                result['mlm_total'] = int(masked.sum())
            if 'pred_itm_score' in sample and 'itm_label' in sample:
                score = _as_tensor(sample['pred_itm_score']).flatten()
                pred = int(score.argmax()) if score.numel() == 2 else int(
                    score.item() > self.itm_thr)
                result['itm_correct'] = int(
                    pred == int(_as_tensor(sample['itm_label'])))
            self.results.append(result)

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Reduce the counts.

        Args:
            results (list[dict]): Per-sample counts from all ranks.

        Returns:
            dict[str, float]: ``mlm_acc`` and/or ``itm_acc`` in percent;
            both 0.0 with no sample, ``mlm_acc`` 0.0 when the samples
            with MLM fields had no masked position.
        """
        if not results:
            return zero_metrics(self, ['mlm_acc', 'itm_acc'],
                                'no sample was evaluated')
        metrics = {}
        mlm_total = sum(r.get('mlm_total', 0) for r in results)
        if mlm_total > 0:
            mlm_correct = sum(r.get('mlm_correct', 0) for r in results)
            metrics['mlm_acc'] = 100.0 * mlm_correct / mlm_total
        elif any('mlm_total' in r for r in results):
            metrics.update(zero_metrics(self, ['mlm_acc'],
                                        'no token was masked'))
        itm = [r['itm_correct'] for r in results if 'itm_correct' in r]
        if itm:
            metrics['itm_acc'] = 100.0 * sum(itm) / len(itm)
        return metrics
