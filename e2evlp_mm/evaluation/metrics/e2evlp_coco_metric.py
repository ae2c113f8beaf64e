# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""COCO box AP of one source of a joint COCO + VG vocabulary."""
from typing import Dict, List, Optional, Sequence

import mmengine
import torch
from mmdet.evaluation.metrics import CocoMetric
from mmdet.registry import METRICS

from .empty_metrics import zero_metrics

# Kept for a sample of another source: not None, which mmengine's
# collect_results drops before it cuts the padding.
OTHER_SOURCE = 'another source'
# CocoMetric's metric names when `metric_items` is None
AP_ITEMS = ('mAP', 'mAP_50', 'mAP_75', 'mAP_s', 'mAP_m', 'mAP_l')
AR_ITEMS = ('AR@100', 'AR@300', 'AR@1000', 'AR_s@1000', 'AR_m@1000',
            'AR_l@1000')


@METRICS.register_module()
class E2EVLPCocoMetric(CocoMetric):
    """mmdet's ``CocoMetric`` for a model whose classes are a joint
    vocabulary (VG's objects, COCO's names mapped onto them).

    ``CocoMetric`` maps label ``i`` to the category of the annotation file
    named ``dataset_meta['classes'][i]``; with VG's 1600 names and COCO's
    80 that mapping is wrong. Here predicted labels are mapped back through
    ``class_aliases`` (``coco_to_vg.json`` of ``vg_to_det.py``) to the
    annotation file's categories, and predictions of classes with no
    category there are dropped. ``source`` keeps only the samples of one
    dataset of a ``ConcatDataset`` (their ``source`` meta key), so COCO
    val2017 and VG val are scored separately in one validation.

    A validation that keeps no prediction (early in training the model
    may predict no class with a category in the file) reports every
    metric ``CocoMetric`` would have (``bbox_mAP``, ``bbox_mAP_50``...) as
    0.0 with a warning, where ``CocoMetric`` returns nothing and
    ``save_best='coco/bbox_mAP'`` would end the run.

    Args:
        class_aliases (str, optional): Json ``{file category name: class
            name}``; None maps names one to one (the VG val file).
        source (str, optional): ``'coco'`` or ``'vg'``; None keeps all.
        **kwargs: :class:`mmdet.evaluation.CocoMetric` arguments
            (``ann_file`` is required, ``metric``, ``prefix``...).
    """

    def __init__(self, *args, class_aliases: Optional[str] = None,
                 source: Optional[str] = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self._coco_api is None:
            raise ValueError('E2EVLPCocoMetric needs `ann_file`.')
        self.ann_file = kwargs.get('ann_file', args[0] if args else None)
        self.class_aliases = class_aliases
        self.source = source
        self._label_map: Optional[Dict[int, int]] = None

    def _build_label_map(self) -> Dict[int, int]:
        """Model label -> index into the annotation file's categories."""
        cats = self._coco_api.dataset['categories']
        aliases = mmengine.load(self.class_aliases) \
            if self.class_aliases else {}
        index = {n: i for i, n in enumerate(self.dataset_meta['classes'])}
        label_map = {}
        for j, cat in enumerate(cats):
            name = aliases.get(cat['name'], cat['name'])
            if name in index:
                label_map[index[name]] = j
        if not label_map:
            raise ValueError(
                f'E2EVLPCocoMetric: no category of {self.ann_file!r} is a '
                'class of the model (check class_aliases)')
        # CocoMetric writes category_id = cat_ids[label]
        self.cat_ids = [cat['id'] for cat in cats]
        return label_map

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Relabel this source's samples, then ``CocoMetric``'s; keep one
        result per sample.

        A sample of another source is kept as :data:`OTHER_SOURCE` and
        dropped only in :meth:`compute_metrics`: mmengine's
        ``collect_results`` restores the dataset order and cuts the
        distributed sampler's padding by counting one result per sample,
        so a rank must not drop any here.

        Args:
            data_batch (dict): A batch from the dataloader (unused).
            data_samples (Sequence[dict]): Model outputs with
                ``pred_instances`` (``bboxes`` (N, 4), ``scores`` (N,),
                ``labels`` (N,)), ``img_id``, ``ori_shape`` and, for a
                ``ConcatDataset``, ``source``.
        """
        if self._label_map is None:
            self._label_map = self._build_label_map()
        for sample in data_samples:
            if self.source is not None and \
                    sample.get('source', self.source) != self.source:
                self.results.append(OTHER_SOURCE)
                continue
            pred = dict(sample['pred_instances'])
            labels = pred['labels'].cpu()
            mapped = torch.tensor(
                [self._label_map.get(int(x), -1) for x in labels],
                dtype=torch.long)
            keep = mapped >= 0
            for key in ('bboxes', 'scores'):
                pred[key] = pred[key].cpu()[keep]
            pred['labels'] = mapped[keep]
            super().process(data_batch, [dict(sample, pred_instances=pred)])

    def compute_metrics(self, results: list) -> Dict[str, float]:
        """``CocoMetric``'s metrics over this source's samples.

        Args:
            results (list): One entry per sample of all ranks, in dataset
                order: ``CocoMetric``'s ``(gt, result)``, or
                :data:`OTHER_SOURCE` for a sample of another source.

        Returns:
            dict[str, float]: ``CocoMetric``'s metrics; each 0.0 when no
            sample of this source or no prediction was kept (empty when
            ``format_only``).
        """
        kept = [r for r in results if not isinstance(r, str)]
        if self.format_only:
            return super().compute_metrics(kept) if kept else {}
        if not kept:
            return zero_metrics(
                self, self.metric_names(),
                f'no sample of source {self.source!r} was evaluated')
        why = (f'none of the {len(kept)} samples kept a prediction (the '
               f'model predicted no class of a category of {self.ann_file})')
        if not any(len(pred['labels']) for _, pred in kept):
            return zero_metrics(self, self.metric_names(), why)
        return super().compute_metrics(kept) or zero_metrics(
            self, self.metric_names(), why)

    def metric_names(self) -> List[str]:
        """The names ``CocoMetric`` gives its metrics (no prefix), e.g.
        ``['bbox_mAP', 'bbox_mAP_50', ...]``."""
        names = []
        for metric in self.metrics:
            if metric == 'proposal_fast':
                names += [f'AR@{num}' for num in self.proposal_nums]
            elif metric == 'proposal':
                names += list(self.metric_items or AR_ITEMS)
            else:
                names += [f'{metric}_{item}'
                          for item in self.metric_items or AP_ITEMS]
        return names
