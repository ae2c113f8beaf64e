# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Convert your own captions, questions or boxes to the formats the
configs read (docs/custom_dataset.md).

Examples::

    python tools/dataset_converters/custom_to_formats.py captions \
        my_captions.jsonl --image-dir my_images --out data/custom
    python tools/dataset_converters/custom_to_formats.py vqa my_qa.csv \
        --image-dir my_images --out data/custom
    python tools/dataset_converters/custom_to_formats.py boxes \
        my_boxes.csv --image-dir my_images --out data/custom

Then ``python tools/train.py configs/custom/e2evlp_custom_<task>.py``.
"""
import argparse
import sys

from e2evlp_mm.datasets.converters.custom_formats import (
    link_images,
    write_boxes,
    write_captions,
    write_texts,
    write_vqa,
)
from e2evlp_mm.datasets.converters.custom_records import (
    TASK_FIELDS,
    index_images,
    read_records,
)
from e2evlp_mm.datasets.validation import E2EVLPDataError


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('task', choices=sorted(TASK_FIELDS),
                        help='captions, vqa (question-answer pairs) or '
                        'boxes (boxes with names)')
    parser.add_argument('records', help='a .jsonl or .csv file, one '
                        'caption / question / box a record')
    parser.add_argument('--image-dir', required=True,
                        help="folder the records' image paths are relative "
                        'to')
    parser.add_argument('--out', default='data/custom',
                        help='output folder (what configs/custom/ read)')
    parser.add_argument('--test-fraction', type=float, default=0.1,
                        help='share of the images held out for testing '
                        'when no record names its split')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of that draw')
    parser.add_argument('--copy', action='store_true',
                        help='copy the images instead of linking them')
    parser.add_argument('--top-k', type=int, default=3129,
                        help='vqa: answers kept in the answer list')
    parser.add_argument('--default-text', default='an image.',
                        help='boxes: text of an image without a caption')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    try:
        records = read_records(args.records, args.task)
        images = index_images(records, args.image_dir, args.records,
                              args.test_fraction, args.seed)
    except E2EVLPDataError as e:
        sys.exit(f'error: {e}')
    link_images(images, args.out, copy=args.copy)
    if args.task == 'captions':
        written = write_captions(records, images, args.out)
    elif args.task == 'vqa':
        written = write_vqa(records, images, args.out, args.top_k)
    else:
        written = write_boxes(records, images, args.out, args.default_text)
    folder = dict(captions='captions', vqa='vqa', boxes='det')[args.task]
    written.append(write_texts(records, args.out, folder))
    splits = [m['split'] for m in images.values()]
    print(f'{len(records)} records, {splits.count("train")} train / '
          f'{splits.count("test")} test images -> {args.out}:')
    for path in written:
        print(f'  {path}')


if __name__ == '__main__':
    main()
