# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Count the parameters of the six E2E-VLP variants of paper Table 5.

Builds each model from ``configs/_base_/models/e2evlp_r50.py`` with the
backbone depth and encoder layers changed (no pretrained weights) and
prints the count beside the paper's.

Usage: ``python tools/analysis_tools/count_params.py [--config CFG]``
"""
import argparse
import copy

from mmdet.registry import MODELS
from mmdet.utils import register_all_modules
from mmengine.config import Config

# (encoder layers, ResNet depth) -> parameters in millions (Table 5)
PAPER = {
    (6, 50): 49,
    (6, 101): 68,
    (6, 152): 84,
    (12, 50): 59,
    (12, 101): 78,
    (12, 152): 94
}


def count(model_cfg: dict, layers: int, depth: int) -> dict:
    """Parameters (in millions) of one variant, in total and by part."""
    cfg = copy.deepcopy(model_cfg)
    cfg.encoder.num_layers = layers
    cfg.backbone.depth = depth
    model = MODELS.build(cfg)
    parts = {}
    for name, p in model.named_parameters():
        key = name.split('.')[0]
        parts[key] = parts.get(key, 0) + p.numel()
    parts = {k: v / 1e6 for k, v in parts.items()}
    parts['total'] = sum(parts.values())
    return parts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--config', default='configs/_base_/models/e2evlp_r50.py')
    args = parser.parse_args()
    cfg = Config.fromfile(args.config)
    register_all_modules()
    print(f'{"layers":>6} {"backbone":>8} {"ours (M)":>9} '
          f'{"paper (M)":>9} {"diff":>7}   parts (M)')
    for (layers, depth), paper in PAPER.items():
        parts = count(cfg.model, layers, depth)
        total = parts.pop('total')
        detail = ', '.join(f'{k} {v:.2f}' for k, v in parts.items())
        print(f'{layers:>6} {"r" + str(depth):>8} {total:>9.1f} '
              f'{paper:>9} {100 * (total - paper) / paper:>+6.1f}%   '
              f'{detail}')


if __name__ == '__main__':
    main()
