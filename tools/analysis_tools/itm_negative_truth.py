# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""How many ITM negatives of a shapes-world config are true of their image.

    python tools/analysis_tools/itm_negative_truth.py \\
        configs/demo/e2evlp_shapes_pretrain.py [--paper-negatives]

Runs each pre-training dataset of the config (the test set, then every
training dataset) up to its ``E2EVLPSampleITMNegative`` (images are not
read), with numpy seeded by the config's ``randomness.seed``, and judges
each negative text against the image's scene record
(``e2evlp_mm/evaluation/caption_truth.py``). ``--paper-negatives`` drops
the sampler's ``false_of`` (any other image's text, the paper's), which
shows the share the option removes.
"""
import argparse
import copy
from typing import Dict, List, Optional

import numpy as np
from mmdet.registry import DATASETS
from mmengine.config import Config
from mmengine.registry import init_default_scope

import e2evlp_mm  # noqa: F401  (registers everything)
from e2evlp_mm.evaluation.caption_truth import judge_caption, load_scenes
from e2evlp_mm.evaluation.text_conditions import ITM_NEGATIVE, transform_name

SCENES = ('vg/annotations/vg_det_train.json',
          'vg/annotations/vg_det_val.json')


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('config')
    parser.add_argument('--paper-negatives', action='store_true',
                        help="any other image's text (no false_of)")
    parser.add_argument('--max-samples', type=int, default=2000,
                        help='samples read per dataset and draw')
    parser.add_argument('--draws', type=int, default=1,
                        help='passes over each dataset (new negatives '
                        'each, the random stream continuing)')
    parser.add_argument('--data-root', default='data/shapes_world/',
                        help='where the scene records are')
    return parser.parse_args(argv)


def _datasets(cfg: Config) -> Dict[str, dict]:
    """Name -> dataset config: ``test``, then ``train.0``, ``train.1``..."""
    train = cfg.train_dataloader.dataset
    parts = train.get('datasets', [train])
    return {'test': cfg.test_dataloader.dataset,
            **{f'train.{i}': d for i, d in enumerate(parts)}}


def _up_to_negatives(dataset: dict, paper: bool) -> dict:
    """The dataset config with its pipeline cut after the ITM sampler,
    without reading images."""
    dataset = copy.deepcopy(dataset)
    pipeline = []
    for t in dataset['pipeline']:
        name = transform_name(t)
        if 'LoadImage' in name or name in ('Resize', 'E2EVLPRandomFlip'):
            continue
        pipeline.append(t)
        if name == ITM_NEGATIVE:
            if paper:
                t.pop('false_of', None)
            break
    else:
        raise ValueError(f'{dataset["type"]} has no {ITM_NEGATIVE}')
    dataset['pipeline'] = pipeline
    return dataset


def main(argv: Optional[List[str]] = None) -> Dict[str, dict]:
    args = parse_args(argv)
    init_default_scope('mmdet')
    cfg = Config.fromfile(args.config)
    scenes = {}
    for f in SCENES:
        scenes.update(load_scenes(args.data_root + f))
    out = {}
    for name, dataset in _datasets(cfg).items():
        ds = DATASETS.build(_up_to_negatives(dataset, args.paper_negatives))
        np.random.seed(cfg.get('randomness', {}).get('seed', 0))
        negatives = true = 0
        examples = []
        for i in [i for _ in range(args.draws)
                  for i in range(min(len(ds), args.max_samples))]:
            sample = ds[i]
            if sample['itm_label'] != 0:
                continue
            negatives += 1
            if judge_caption(sample['text'], scenes[sample['img_id']]).true:
                true += 1
                examples.append(sample['text'])
        share = 100.0 * true / max(negatives, 1)
        print(f'{name}: {negatives} negatives, {true} true of their image '
              f'({share:.1f}%)' + (f', e.g. {examples[:3]}' if true else ''))
        out[name] = dict(negatives=negatives, true=true, share=share)
    return out


if __name__ == '__main__':
    main()
