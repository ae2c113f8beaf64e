# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Generate the synthetic shapes world (COCO, VG, VQA v2, NLVR2, Karpathy).

Example::

    python tools/dataset_converters/make_shapes_world.py \
        --out data/shapes_world --num-images 2000 --seed 0
"""
import argparse
import time

from e2evlp_mm.datasets.shapes_world import make_shapes_world


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument('--num-images', type=int, default=2000,
                        help='COCO train+val images')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--image-size', type=int, default=128)
    parser.add_argument('--num-nlvr2', type=int, default=5000,
                        help='NLVR2 statements (train+dev+test1: 80/10/10)')
    parser.add_argument('--num-flickr', type=int, default=300)
    parser.add_argument('--val-fraction', type=float, default=0.15)
    parser.add_argument('--questions-per-image', type=int, default=5)
    parser.add_argument('--no-tokenizer', action='store_true',
                        help='skip training tokenizer/')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    start = time.perf_counter()
    counts = make_shapes_world(
        args.out, num_images=args.num_images, seed=args.seed,
        image_size=args.image_size, num_nlvr2=args.num_nlvr2,
        num_flickr=args.num_flickr, val_fraction=args.val_fraction,
        questions_per_image=args.questions_per_image,
        tokenizer=not args.no_tokenizer)
    print(f'wrote {args.out} in {time.perf_counter() - start:.1f}s: '
          + ', '.join(f'{k}={v}' for k, v in counts.items()))


if __name__ == '__main__':
    main()
