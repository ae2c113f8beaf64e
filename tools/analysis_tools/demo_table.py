# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Print a demo table: each task's test metrics beside a trivial baseline
scored by the same metrics on the same held-out samples.

    python tools/analysis_tools/demo_table.py TASK=CONFIG:TEST_DIR [...]

TASK is one of pretrain, vqa, nlvr2, caption, retrieval, det; TEST_DIR the
``--work-dir`` of ``tools/test.py``. Baselines: random boxes (detection),
the majority training token at masked positions (MLM), "matched" for every
pair (ITM), the majority training answer (VQA) or label (NLVR2), the most
frequent training caption (captioning), random scores (retrieval). Every
score is printed in percent (COCO AP, BLEU-4 and CIDEr x 100), as in
docs/results.md; "caption true" is the share of captions true of their
scene ("true+shape": and naming a shape).
"""
import argparse
import glob
import json
import os.path as osp
import sys
from typing import Dict

import numpy as np
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

import e2evlp_mm  # noqa: F401
from e2evlp_mm.datasets import build_tokenizer
from e2evlp_mm.evaluation import baselines as B

# Share of captions true of their scene, and true and naming a shape
# (E2EVLPCaptionTruthMetric; the reference captions: 100 and ~73.5).
CAPTION_TRUTH = [('caption true', 'caption_truth/true', 1, None),
                 ('caption true+shape', 'caption_truth/true_shape', 1, None)]
# task -> [(row label, metric key, scale to percent, target % or None)]
ROWS = {
    'pretrain': [('COCO bbox AP', 'coco/bbox_mAP', 100, None),
                 ('COCO bbox AP50', 'coco/bbox_mAP_50', 100, 30),
                 ('MLM accuracy', 'pretrain/mlm_acc', 1, 50),
                 ('ITM accuracy', 'pretrain/itm_acc', 1, 80),
                 ('caption BLEU-4', 'caption/Bleu_4', 100, 25),
                 *CAPTION_TRUTH],
    'vqa': [('VQA accuracy', 'VQA/acc', 1, None)],
    'nlvr2': [('NLVR2 accuracy', 'NLVR2/acc', 1, None)],
    'caption': [('caption BLEU-4', 'caption/Bleu_4', 100, None),
                ('caption CIDEr', 'caption/CIDEr', 100, None),
                *CAPTION_TRUTH],
    'retrieval': [('IR R@1', 'retrieval/ir_r1', 1, None),
                  ('TR R@1', 'retrieval/tr_r1', 1, None),
                  ('retrieval R mean', 'retrieval/r_mean', 1, None)],
    'det': [('det+text AP', 'coco/bbox_mAP', 100, None),
            ('det+text AP50', 'coco/bbox_mAP_50', 100, None)],
}


def _mlm_and_rest(cfg: Config, rng: np.random.Generator) -> B.Fill:
    infos = B.train_infos(cfg)
    tokenizer = build_tokenizer(cfg.tokenizer_path)
    token = B.majority([
        t for info in infos
        for t in tokenizer(info['caption'], add_special_tokens=False)[
            'input_ids']
    ])
    boxes = B.random_boxes(rng)
    rest = B.constant(
        pred_itm_score=1.0,
        pred_caption=B.majority([i['caption'] for i in infos]))

    def fill(data_sample, dataset) -> None:
        boxes(data_sample, dataset)
        rest(data_sample, dataset)
        labels = data_sample.mlm_labels
        data_sample.pred_mlm_ids = torch.where(labels != -100, token, labels)

    return fill


def baseline_fill(task: str, cfg: Config, rng) -> B.Fill:
    """The trivial baseline of ``task``."""
    if task == 'pretrain':
        return _mlm_and_rest(cfg, rng)
    if task == 'det':
        return B.random_boxes(rng)
    if task == 'retrieval':
        return B.random_ranking(rng)
    infos = B.train_infos(cfg)
    if task == 'vqa':
        return B.constant(pred_answer=B.majority(
            [B.majority(i['gt_answer']) for i in infos]))
    if task == 'nlvr2':
        return B.constant(
            pred_nlvr_label=B.majority([i['nlvr_label'] for i in infos]))
    if task == 'caption':
        return B.constant(
            pred_caption=B.majority([i['caption'] for i in infos]))
    raise ValueError(f'unknown task {task!r}; one of {sorted(ROWS)}')


def test_metrics(test_dir: str) -> Dict[str, float]:
    """Read the metrics json mmengine writes at the end of ``test``."""
    files = sorted(glob.glob(osp.join(test_dir, '*', '*.json')))
    if not files:
        sys.exit(f'no test metrics json under {test_dir}')
    with open(files[-1]) as f:
        return json.load(f)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('runs', nargs='+', help='TASK=CONFIG:TEST_DIR')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()
    init_default_scope('mmdet')
    lines = []
    for run in args.runs:
        task, rest = run.split('=', 1)
        config, test_dir = rest.split(':', 1)
        cfg = Config.fromfile(config)
        ours = test_metrics(test_dir)
        rng = np.random.default_rng(args.seed)
        base = B.score_baseline(cfg, baseline_fill(task, cfg, rng),
                                args.seed)
        for label, key, scale, target in ROWS[task]:
            if key not in ours:  # a test run from before the metric
                lines.append(f'{label:<18}{"-":>10}{"-":>10}{"-":>8}  '
                             f'({key} not in {test_dir})')
                continue
            mine, theirs = ours[key] * scale, base[key] * scale
            ok = mine > theirs and (target is None or mine >= target)
            tgt = f'{target}' if target is not None else '-'
            lines.append(f'{label:<18}{mine:>10.1f}{theirs:>10.1f}'
                         f'{tgt:>8}  {"yes" if ok else "NO"}')
    print(f'\n{"metric (%)":<18}{"E2E-VLP":>10}{"baseline":>10}'
          f'{"target":>8}  beats')
    print('-' * 54)
    print('\n'.join(lines))


if __name__ == '__main__':
    main()
