# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Draw a grid of predictions on held-out samples of a trained model.

Picks ``--num`` samples spread over the config's test set, runs
``E2EVLPInferencer`` with each sample's text (question, statement; for
retrieval the texts of all picked images form the gallery) and writes one
PNG grid of ``E2EVLPVisualizer`` pictures. Example::

    python tools/analysis_tools/demo_pictures.py work_dirs/demo \\
        --out work_dirs/demo/pictures/pretrain.png
"""
import argparse
import os
import os.path as osp
from typing import List

import numpy as np
from mmdet.registry import DATASETS
from PIL import Image

from e2evlp_mm.apis import E2EVLPInferencer
from e2evlp_mm.engine import exit_on_data_error


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('model', help='work dir, or a config with --weights')
    parser.add_argument('--weights', help='checkpoint')
    parser.add_argument('--out', required=True, help='output PNG')
    parser.add_argument('--num', type=int, default=8, help='samples')
    parser.add_argument('--cols', type=int, default=4, help='grid columns')
    parser.add_argument('--pred-score-thr', type=float, default=0.5)
    parser.add_argument('--device', default='cpu')
    return parser.parse_args()


def grid(pictures: List[np.ndarray], cols: int,
         gap: int = 6) -> np.ndarray:
    """Tile RGB pictures of any sizes on a white canvas, row by row."""
    cell_h = max(p.shape[0] for p in pictures)
    cell_w = max(p.shape[1] for p in pictures)
    rows = (len(pictures) + cols - 1) // cols
    cols = min(cols, len(pictures))
    canvas = np.full((rows * (cell_h + gap) - gap,
                      cols * (cell_w + gap) - gap, 3), 255, np.uint8)
    for i, pic in enumerate(pictures):
        y, x = (i // cols) * (cell_h + gap), (i % cols) * (cell_w + gap)
        canvas[y:y + pic.shape[0], x:x + pic.shape[1]] = pic
    return canvas


def main() -> None:
    args = parse_args()
    with exit_on_data_error(args.model):  # e.g. a pickle with code
        inferencer = E2EVLPInferencer(
            args.model, weights=args.weights, device=args.device)
    dataset = DATASETS.build(inferencer.cfg.test_dataloader.dataset)
    step = max(1, len(dataset) // args.num)
    infos = [dataset.get_data_info(i)
             for i in range(0, len(dataset), step)][:args.num]
    images = [info['img_path'] for info in infos]
    kwargs = dict(return_vis=True, pred_score_thr=args.pred_score_thr)
    if 'retrieve' in inferencer.tasks:
        gallery = [t for info in infos for t in info['text'][:1]]
        result = inferencer(images, gallery=gallery, topk=3, **kwargs)
    elif set(inferencer.tasks) & {'vqa', 'nlvr2'}:
        result = inferencer([tuple(i) if isinstance(i, list) else i
                             for i in images],
                            texts=[info['text'] for info in infos],
                            **kwargs)
    else:  # detection and / or captioning: the image alone
        result = inferencer(images, task='+'.join(
            t for t in inferencer.tasks if t != 'itm'), **kwargs)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    # 128 colours without dithering: flat shapes and text stay exact and
    # the noisy backgrounds compress (a 4 x 2 grid is ~60 KB, not ~900 KB)
    Image.fromarray(grid(result['visualization'], args.cols)).quantize(
        colors=128, method=Image.Quantize.FASTOCTREE,
        dither=Image.Dither.NONE).save(args.out, optimize=True)
    print(f'wrote {args.out} ({len(infos)} held-out samples of '
          f'{"+".join(inferencer.tasks)})')


if __name__ == '__main__':
    main()
