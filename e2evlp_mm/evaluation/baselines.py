# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Trivial baselines for the demo tables, scored by the real metrics.

Each baseline fills the prediction fields of the test samples (random
boxes, the majority answer or label, a constant caption, random retrieval
scores) and runs the config's own test metrics on them, so a model's
numbers and its baseline's are computed the same way on the same samples.
"""
from collections import Counter
from typing import Callable, Dict, List

import numpy as np
import torch
from mmdet.registry import DATASETS, METRICS
from mmdet.structures import DetDataSample
from mmengine.config import Config
from mmengine.runner import set_random_seed
from mmengine.structures import InstanceData

Fill = Callable[[DetDataSample, object], None]


def _as_list(cfgs) -> list:
    return list(cfgs) if isinstance(cfgs, (list, tuple)) else [cfgs]


def train_infos(cfg: Config) -> List[dict]:
    """Data infos (no pipeline) of every training dataset of ``cfg``."""
    dataset = cfg.train_dataloader.dataset
    infos = []
    for ds_cfg in dataset.get('datasets', [dataset]):
        ds = DATASETS.build(dict(ds_cfg, pipeline=[]))
        infos += [ds.get_data_info(i) for i in range(len(ds))]
    return infos


def majority(values: list):
    """The most frequent value (ties: the first seen)."""
    return Counter(values).most_common(1)[0][0]


def score_baseline(cfg: Config, fill: Fill, seed: int = 0) -> Dict:
    """Run ``cfg``'s test metrics on test samples filled by ``fill``.

    Args:
        cfg (Config): A task config (its ``test_dataloader`` and
            ``test_evaluator`` are used).
        fill (callable): ``fill(data_sample, dataset)`` writes the
            baseline's prediction fields into ``data_sample``.
        seed (int): Seeds the test pipeline's randomness and ``fill``'s.

    Returns:
        dict: ``'<prefix>/<metric>'`` -> value, as the test loop logs them.
    """
    set_random_seed(seed)
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    samples = []
    for idx in range(len(dataset)):
        data_sample = dataset[idx]['data_samples']
        fill(data_sample, dataset)
        samples.append(data_sample.to_dict())
    results = {}
    for metric_cfg in _as_list(cfg.test_evaluator):
        metric = METRICS.build(metric_cfg)
        metric.dataset_meta = dataset.metainfo
        metric.process({}, samples)
        prefix = f'{metric.prefix}/' if metric.prefix else ''
        results.update({
            prefix + k: v
            for k, v in metric.compute_metrics(metric.results).items()
        })
    return results


def random_boxes(rng: np.random.Generator, num: int = 10) -> Fill:
    """``num`` random boxes of random classes and scores per image."""

    def fill(data_sample: DetDataSample, dataset) -> None:
        h, w = data_sample.ori_shape
        xy = rng.uniform(0, 1, (num, 2)) * [w, h]
        wh = rng.uniform(0.1, 0.5, (num, 2)) * [w, h]
        classes = len(dataset.metainfo['classes'])
        data_sample.pred_instances = InstanceData(
            bboxes=torch.tensor(np.concatenate([xy, xy + wh], 1)).float(),
            scores=torch.tensor(rng.uniform(0, 1, num)).float(),
            labels=torch.tensor(rng.integers(0, classes, num)))

    return fill


def random_ranking(rng: np.random.Generator) -> Fill:
    """Random image-to-text scores over the whole text gallery."""

    def fill(data_sample: DetDataSample, dataset) -> None:
        data_sample.pred_i2t_score = torch.tensor(
            rng.uniform(0, 1, dataset.text_size)).float()

    return fill


def constant(**fields) -> Fill:
    """The same prediction fields for every sample."""

    def fill(data_sample: DetDataSample, dataset) -> None:
        for key, value in fields.items():
            setattr(data_sample, key, value)

    return fill
