# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""What a metric reports when it has nothing to score."""
import logging
from typing import Dict, Iterable

from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log


def zero_metrics(metric: BaseMetric, keys: Iterable[str],
                 why: str) -> Dict[str, float]:
    """Every metric ``metric`` would have produced, as 0.0, with a
    warning naming why.

    A validation whose metric returns no value ends the run where the
    checkpoint hook's ``save_best`` (or a scheduler) reads it: a
    ``KeyError`` hours into training. Early in training a model may keep
    no prediction a metric can score (a VG head predicting no COCO class),
    which is a bad score, not a fault.

    Args:
        metric (BaseMetric): The metric (its class and prefix are named).
        keys (Iterable[str]): Its metric names, without the prefix.
        why (str): Why there was nothing to score.

    Returns:
        dict[str, float]: ``{key: 0.0}`` for every key.
    """
    metrics = {key: 0.0 for key in keys}
    prefix = f'{metric.prefix}/' if metric.prefix else ''
    names = ', '.join(prefix + key for key in metrics)
    print_log(
        f'{type(metric).__name__}: {why}; {names} logged as 0.0.',
        logger='current',
        level=logging.WARNING)
    return metrics


def predicted_caption(metric: BaseMetric, sample: dict) -> str:
    """The ``pred_caption`` of a model output, or a clear error.

    Args:
        metric (BaseMetric): The metric that needs it (named in the error).
        sample (dict): One model output.

    Returns:
        str: The decoded caption.

    Raises:
        KeyError: The model wrote no caption (generation switched off by
            ``model.test_cfg.with_caption=False``, or no tokenizer to decode
            it); raised on the first batch, not after the whole test.
    """
    if 'pred_caption' not in sample:
        raise KeyError(
            f'{type(metric).__name__}: the model output of image '
            f'{sample.get("img_id", sample.get("image_id"))} has no '
            '`pred_caption`; turn caption generation on '
            '(`model.test_cfg.with_caption=True`, a `text_cfg.tokenizer_path`'
            ') or remove this metric from the evaluator.')
    return sample['pred_caption']
