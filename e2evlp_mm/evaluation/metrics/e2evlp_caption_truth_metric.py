# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Share of generated shapes-world captions that are true of their scene."""
from typing import Dict, List, Optional, Sequence

from mmdet.registry import METRICS
from mmengine.evaluator import BaseMetric

from .empty_metrics import predicted_caption, zero_metrics


@METRICS.register_module()
class E2EVLPCaptionTruthMetric(BaseMetric):
    """Caption truth from the scene records (shapes world only).

    Each image's first predicted caption is judged against its scene by
    :func:`~e2evlp_mm.evaluation.caption_truth.judge_caption`: every
    colour, shape, colour + shape, count, left / right / above / below
    relation and position it states must hold. Logs, in percent:

    - ``caption_truth/true``: captions with nothing false;
    - ``caption_truth/true_shape``: captions that are true and name a
      shape (not only ``shapes`` / ``objects``).

    The generator's own captions score 100 / about 73.5.

    Args:
        ann_file (str): Scene records: the shapes world's
            ``vg/annotations/vg_det_{train,val}.json`` (boxes, shapes,
            colours; ids are COCO ids). See
            :func:`~e2evlp_mm.evaluation.caption_truth.load_scenes`.
        collect_device (str): ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): Metric name prefix. Defaults to
            ``'caption_truth'``.
    """
    default_prefix = 'caption_truth'

    def __init__(self,
                 ann_file: str,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.ann_file = ann_file

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Keep each sample's image id and predicted caption.

        Args:
            data_batch (dict): A batch from the dataloader (unused).
            data_samples (Sequence[dict]): Model outputs; each holds
                ``pred_caption`` (str) and metainfo ``img_id``.
        """
        for sample in data_samples:
            img_id = sample.get('img_id', sample.get('image_id'))
            self.results.append(
                dict(
                    image_id=int(img_id),
                    caption=predicted_caption(self, sample)))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Judge the first caption of every image against its scene.

        Args:
            results (list[dict]): What :meth:`process` kept, from all ranks.

        Returns:
            dict[str, float]: ``true`` and ``true_shape`` in percent (0.0
            with a warning when there is no caption).

        Raises:
            KeyError: An image id without a scene in ``ann_file``.
        """
        captions: Dict[int, str] = {}
        for res in results:
            captions.setdefault(res['image_id'], res['caption'])
        if not captions:
            return zero_metrics(self, ('true', 'true_shape'),
                                'no caption to score')
        # lazy: the judge reads the shapes world's vocabulary, which
        # registering the package must not load (test_import_chain.py)
        from ..caption_truth import judge_caption, load_scenes, summarize
        scenes = load_scenes(self.ann_file)
        missing = [i for i in captions if i not in scenes]
        if missing:
            raise KeyError(f'No scene in {self.ann_file} for images '
                           f'{missing[:5]}')
        return summarize(
            judge_caption(c, scenes[i]) for i, c in captions.items())
