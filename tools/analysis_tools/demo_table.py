# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Print the `make demo` table: the model's test metrics beside trivial
baselines, all scored by the same metric classes on the same held-out
samples.

Baselines: random boxes (detection), the majority training token at
every masked position (MLM), the majority training ITM label (ITM), and
the most frequent training caption for every image (captioning).

    python tools/analysis_tools/demo_table.py CONFIG TEST_WORK_DIR
"""
import argparse
import glob
import json
import os.path as osp
import sys
from collections import Counter
from typing import Dict, List, Tuple

import numpy as np
import torch
from mmdet.registry import DATASETS, METRICS
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import set_random_seed
from mmengine.structures import InstanceData

import e2evlp_mm  # noqa: F401
from e2evlp_mm.datasets import build_tokenizer

# (label, metric key in the test json, scale to a fraction, target)
ROWS = [
    ('COCO bbox AP', 'coco/bbox_mAP', 1.0, None),
    ('COCO bbox AP50', 'coco/bbox_mAP_50', 1.0, 0.30),
    ('MLM accuracy', 'pretrain/mlm_acc', 0.01, 0.50),
    ('ITM accuracy', 'pretrain/itm_acc', 0.01, 0.80),
    ('caption BLEU-4', 'caption/Bleu_4', 1.0, 0.25),
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='the demo config')
    parser.add_argument('test_dir', help='work dir of tools/test.py')
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args()


def latest_test_metrics(test_dir: str) -> Dict[str, float]:
    """Read the metrics json mmengine writes at the end of ``test``."""
    files = sorted(glob.glob(osp.join(test_dir, '*', '*.json')))
    if not files:
        sys.exit(f'no test metrics json under {test_dir}')
    with open(files[-1]) as f:
        return json.load(f)


def train_statistics(cfg: Config) -> Tuple[int, int, str]:
    """Majority masked-token id, majority ITM label, commonest caption."""
    tokenizer = build_tokenizer(cfg.tokenizer_path)
    captions = Counter()
    for ds_cfg in cfg.train_dataloader.dataset.datasets:
        ds = DATASETS.build(dict(ds_cfg, pipeline=[]))
        for idx in range(len(ds)):
            captions[ds.get_data_info(idx)['caption']] += 1
    tokens = Counter()
    for text, count in captions.items():
        for tok in tokenizer(text, add_special_tokens=False)['input_ids']:
            tokens[tok] += count
    # ITM: matched and mismatched pairs are equally likely (prob=0.5), so
    # the majority label is a coin's; we predict "matched".
    return tokens.most_common(1)[0][0], 1, captions.most_common(1)[0][0]


def baseline_metrics(cfg: Config, seed: int) -> Dict[str, float]:
    """Score the trivial baselines on the test samples."""
    majority_token, majority_itm, constant_caption = train_statistics(cfg)
    set_random_seed(seed)
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    rng = np.random.default_rng(seed)
    num_classes = len(dataset.metainfo['classes'])
    samples: List[dict] = []
    for idx in range(len(dataset)):
        packed = dataset[idx]
        ds = packed['data_samples']
        h, w = ds.ori_shape
        xy = rng.uniform(0, 1, (10, 2)) * [w, h]
        wh = rng.uniform(0.1, 0.5, (10, 2)) * [w, h]
        ds.pred_instances = InstanceData(
            bboxes=torch.tensor(np.concatenate([xy, xy + wh], 1)).float(),
            scores=torch.tensor(rng.uniform(0, 1, 10)).float(),
            labels=torch.tensor(rng.integers(0, num_classes, 10)))
        labels = ds.mlm_labels
        ds.pred_mlm_ids = torch.where(labels != -100, majority_token,
                                      labels)
        ds.pred_itm_score = float(majority_itm)
        ds.pred_caption = constant_caption
        samples.append(ds.to_dict())
    results = {}
    for metric_cfg in cfg.test_evaluator:
        metric = METRICS.build(metric_cfg)
        metric.dataset_meta = dataset.metainfo
        metric.process({}, samples)
        results.update({
            f'{metric.prefix}/{k}' if metric.prefix else k: v
            for k, v in metric.compute_metrics(metric.results).items()
        })
    return results


def main() -> None:
    args = parse_args()
    cfg = Config.fromfile(args.config)
    init_default_scope('mmdet')
    model = latest_test_metrics(args.test_dir)
    base = baseline_metrics(cfg, args.seed)
    print()
    print(f'{"task":<18}{"E2E-VLP":>10}{"baseline":>10}{"target":>9}  ok')
    print('-' * 52)
    for label, key, scale, target in ROWS:
        ours, theirs = model[key] * scale, base[key] * scale
        good = ours > theirs and (target is None or ours >= target)
        tgt = f'{target:>9.2f}' if target is not None else f'{"-":>9}'
        print(f'{label:<18}{ours:>10.3f}{theirs:>10.3f}{tgt}  '
              f'{"yes" if good else "NO"}')


if __name__ == '__main__':
    main()
