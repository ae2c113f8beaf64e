# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""NLVR2 accuracy."""
from typing import Dict, List, Sequence

from mmdet.registry import METRICS
from mmengine.evaluator import BaseMetric

from .empty_metrics import zero_metrics


@METRICS.register_module()
class E2EVLPNLVR2Acc(BaseMetric):
    """Accuracy of the predicted NLVR2 label (True/False statement).

    mmpretrain's ``Accuracy`` reads ``pred_score`` / ``gt_label``; our data
    contract names these ``pred_nlvr_label`` / ``nlvr_label``, and plain
    binary accuracy is a one-liner, so this metric reads them directly.

    Args:
        collect_device (str): ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): Metric name prefix. Defaults to ``'NLVR2'``.
    """
    default_prefix = 'NLVR2'

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Keep whether each prediction is right.

        Args:
            data_batch (dict): A batch from the dataloader (unused).
            data_samples (Sequence[dict]): Model outputs; each holds
                ``pred_nlvr_label`` and ``nlvr_label`` (int or 0-dim
                tensor, 1 for True, 0 for False).
        """
        for sample in data_samples:
            self.results.append(
                int(sample['pred_nlvr_label']) == int(sample['nlvr_label']))

    def compute_metrics(self, results: List[bool]) -> Dict[str, float]:
        """Compute the accuracy.

        Args:
            results (list[bool]): Per-sample correctness from all ranks.

        Returns:
            dict[str, float]: ``acc`` in percent (0.0 with no sample).
        """
        if not results:
            return zero_metrics(self, ['acc'], 'no pair was evaluated')
        return {'acc': 100.0 * sum(results) / len(results)}
