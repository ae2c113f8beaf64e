# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Query latency of ``E2EVLPInferencer.search`` over growing image
galleries, with the dual-encoder pre-filter and with every image scored,
and how often both give the same top-5.

The gallery (the first max(--sizes) images of a folder, sorted) is
encoded once; each size searches its first N images. A query is one
``search`` call (tokenize, text embedding, pre-filter over the gallery,
joint passes). Exhaustive scoring is timed on galleries up to
--full-max images and estimated above from its cost per joint pass.

Example (a 10,000-image shapes world; the demo retriever)::

    python tools/dataset_converters/make_shapes_world.py --out W \
        --num-images 40 --num-nlvr2 8 --num-flickr 10000
    python tools/analysis_tools/gallery_search_benchmark.py \
        work_dirs/demo_retrieval --images W/flickr30k/flickr30k-images \
        --karpathy W/karpathy/dataset_flickr30k.json \
        --sizes 100 1000 10000 --num-queries 20
"""
import argparse
import json
import os.path as osp
import statistics
import time
from typing import List

import torch

from e2evlp_mm.apis import E2EVLPInferencer
from e2evlp_mm.apis.inputs import to_input_list
from e2evlp_mm.engine import exit_on_data_error


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('model', help='retrieval config or work dir')
    parser.add_argument('--weights', help="default: the work dir's last")
    parser.add_argument('--images', required=True, help='image folder')
    parser.add_argument('--sizes', type=int, nargs='+',
                        default=[100, 1000, 10000])
    parser.add_argument(
        '--karpathy', help='Karpathy json of the images: queries are the '
        'first sentence of gallery images (default: --texts)')
    parser.add_argument('--texts', nargs='+', default=['a red circle'])
    parser.add_argument('--num-queries', type=int, default=20)
    parser.add_argument('--check-size', type=int, default=100,
                        help='gallery size of the top-5 comparison')
    parser.add_argument(
        '--check-topk', type=int, nargs='*', default=[],
        help='also compare these pre-filter sizes on --check-size')
    parser.add_argument('--full-max', type=int, default=1000,
                        help='largest gallery scored exhaustively')
    parser.add_argument('--full-queries', type=int, default=3,
                        help='queries timed exhaustively per size')
    parser.add_argument('--batch-size', type=int, default=50)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--cache', help='also save the gallery here')
    return parser.parse_args()


def queries(args, images: List[str]) -> List[str]:
    """The first sentence of the first gallery images, or --texts."""
    if not args.karpathy:
        return args.texts[:args.num_queries]
    with open(args.karpathy) as f:
        by_name = {
            im['filename']: im['sentences'][0]['raw']
            for im in json.load(f)['images']
        }
    step = max(1, min(args.sizes) // args.num_queries)
    return [by_name[osp.basename(x)]
            for x in images[:min(args.sizes):step]][:args.num_queries]


def timed(inferencer, gallery, texts, prefilter_topk) -> tuple:
    """Per-query seconds and top-5 indices."""
    seconds, top5 = [], []
    for text in texts:
        start = time.perf_counter()
        result = inferencer.search(gallery, texts=text, topk=5,
                                   prefilter_topk=prefilter_topk)[0]
        seconds.append(time.perf_counter() - start)
        top5.append([r['index'] for r in result['topk']])
    return seconds, top5


def agreement(top: List[list], full_top: List[list]) -> str:
    """Queries whose top-5 equals the exhaustive one (same order), and the
    mean share of the exhaustive top-5 found."""
    same = sum(a == b for a, b in zip(top, full_top))
    found = statistics.mean(
        len(set(a) & set(b)) / len(b) for a, b in zip(top, full_top))
    return f'{same} / {len(top)} (found {100 * found:.0f}%)'


def main() -> None:
    args = parse_args()
    with exit_on_data_error(args.model):  # e.g. a pickle with code
        inferencer = E2EVLPInferencer(args.model, weights=args.weights,
                                      device=args.device)
    images = to_input_list(args.images)[:max(args.sizes)]
    texts = queries(args, images)
    start = time.perf_counter()
    with torch.no_grad():
        gallery = inferencer.build_gallery(images=images,
                                           batch_size=args.batch_size)
    print(f'encoded {gallery.num_images} images in '
          f'{time.perf_counter() - start:.1f} s')
    if args.cache:
        gallery.save(args.cache)
        print(f'saved {args.cache} ({osp.getsize(args.cache) / 2**20:.0f} '
              'MiB)')
    k = inferencer.default_prefilter_topk()
    print(f'{len(texts)} queries; prefilter_topk={k}')
    print('| images | ms / query, top-k pre-filter | ms / query, all '
          'images | same top-5 |')
    print('|---|---|---|---|')
    per_pass, rows = None, []
    for size in sorted(args.sizes):
        part = gallery.head(size)
        pre, pre_top = timed(inferencer, part, texts, k)
        same = ''
        if size == args.check_size:
            full, full_top = timed(inferencer, part, texts, None)
            same = agreement(pre_top, full_top)
        elif size <= args.full_max:
            full, _ = timed(inferencer, part, texts[:args.full_queries],
                            None)
        if size <= args.full_max:
            per_pass = statistics.median(full) / size
            full_ms = f'{1e3 * statistics.median(full):.0f}'
        else:
            full_ms = f'~{1e3 * per_pass * size:.0f} (est.)'
        print(f'| {size} | {1e3 * statistics.median(pre):.1f} | '
              f'{full_ms} | {same} |')
        if size == args.check_size and args.check_topk:
            rows.append((part, full_top))
    for part, full_top in rows:
        print(f'\n| pre-filter k ({part.num_images} images) | ms / query | '
              'same top-5 |\n|---|---|---|')
        for topk in args.check_topk:
            seconds, top = timed(inferencer, part, texts, topk)
            print(f'| {topk} | {1e3 * statistics.median(seconds):.1f} | '
                  f'{agreement(top, full_top)} |')


if __name__ == '__main__':
    main()
