# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""What a truth-only ranker reaches on the shapes world's retrieval test.

    python tools/analysis_tools/retrieval_truth.py \\
        [--world data/shapes_world] [--seed 0] [--split test]

Judges every text of the Flickr30k-format split against every image's
scene (``caption_truth``; the scenes are regenerated from the world's
seed, as no annotation file records them) and prints how many images a
text is true of, and the expected recall of a ranker that puts the true
images (texts) first and breaks ties at random: IR R@K = min(1, K / n)
for a text true of n images; TR R@K = 1 - C(n - m, K) / C(n, K) for an
image with m own texts among n true ones. Such a ranker is no ceiling (a
model can learn that a scene's own specific captions outscore generic
ones), but it shows how much of retrieval is ambiguous.
"""
import argparse
import json
import os.path as osp
from math import comb
from typing import Dict, List, Optional

from e2evlp_mm.datasets.shapes_world.generator import flickr_scene
from e2evlp_mm.evaluation.caption_truth import judge_caption

KS = (1, 5, 10)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--world', default='data/shapes_world')
    parser.add_argument('--seed', type=int, default=0,
                        help='the seed the world was made with')
    parser.add_argument('--split', default='test')
    return parser.parse_args(argv)


def truth_recall(truth: List[List[bool]],
                 owner: List[int]) -> Dict[str, float]:
    """Expected recall of the truth-only ranker with random ties.

    Args:
        truth (list[list[bool]]): ``truth[t][i]``: text t is true of
            image i (each text of its own image).
        owner (list[int]): The image each text belongs to.

    Returns:
        dict[str, float]: ``ir_r{K}``, ``tr_r{K}`` and ``r_mean``, percent.
    """
    num_images = len(truth[0])
    out = {}
    for k in KS:
        out[f'ir_r{k}'] = 100 * sum(min(1.0, k / sum(row))
                                    for row in truth) / len(truth)
        tr = 0.0
        for i in range(num_images):
            n = sum(row[i] for row in truth)
            m = owner.count(i)
            tr += 1 - (comb(n - m, k) / comb(n, k) if k <= n - m else 0.0)
        out[f'tr_r{k}'] = 100 * tr / num_images
    out['r_mean'] = sum(out.values()) / (2 * len(KS))
    return out


def main(argv: Optional[List[str]] = None) -> Dict[str, float]:
    args = parse_args(argv)
    with open(osp.join(args.world, 'karpathy', 'dataset_flickr30k.json')) as f:
        items = [i for i in json.load(f)['images']
                 if i['split'] == args.split]
    scenes = [flickr_scene(args.seed,
                           int(osp.splitext(i['filename'])[0]) - 1000000)[0]
              for i in items]
    owner = [k for k, i in enumerate(items) for _ in i['sentences']]
    texts = [s['raw'] for i in items for s in i['sentences']]
    truth = [[judge_caption(t, sc).true for sc in scenes] for t in texts]
    wrong = [t for t, row, k in zip(texts, truth, owner) if not row[k]]
    if wrong:
        raise ValueError(f'texts false of their own scene (another seed?): '
                         f'{wrong[:3]}')
    out = truth_recall(truth, owner)
    print(f'{len(texts)} texts, {len(items)} images; a text is true of '
          f'{sum(map(sum, truth)) / len(texts):.2f} images on average')
    print('truth-only ranker, random ties: ' + ', '.join(
        f'{k} {v:.1f}' for k, v in out.items()))
    return out


if __name__ == '__main__':
    main()
