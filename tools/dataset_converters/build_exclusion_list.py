# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""List the downstream val/test images that pre-training must leave out.

Example (the paper's downstream sets)::

    python tools/dataset_converters/build_exclusion_list.py \\
        --karpathy data/karpathy/dataset_coco.json \\
        --vqa-questions data/vqa/v2_OpenEnded_mscoco_val2014_questions.json \\
            data/vqa/v2_OpenEnded_mscoco_test2015_questions.json \\
        --out data/exclusions/pretrain_exclude.json

writes ``{"coco_ids": [...], "sources": {file: count}}``; the pre-training
configs pass it to ``E2EVLPPretrainDataset(exclude_file=...)``, which drops
those COCO images and the VG images with that ``coco_id``.
"""
import argparse
import json
import os
import os.path as osp

from e2evlp_mm.datasets.exclusions import (
    build_exclusions,
    karpathy_eval_ids,
    vqa_image_ids,
)
from e2evlp_mm.datasets.json_stream import stream_member


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--karpathy', nargs='*', default=[],
                        help='Karpathy dataset_coco.json (val + test)')
    parser.add_argument('--vqa-questions', nargs='*', default=[],
                        help='VQA v2 question files to hold out')
    parser.add_argument('--out', required=True)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    sources = {}
    for path in args.karpathy:  # files read as streams
        sources[path] = karpathy_eval_ids(stream_member(path, 'images'),
                                          path)
    for path in args.vqa_questions:
        sources[path] = vqa_image_ids(stream_member(path, 'questions'), path)
    if not sources:
        raise SystemExit('give --karpathy and/or --vqa-questions')
    out = build_exclusions(sources)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    with open(args.out, 'w') as f:
        json.dump(out, f)
    for path, count in out['sources'].items():
        print(f'{path}: {count} images')
    print(f'{len(out["coco_ids"])} COCO image ids -> {args.out}')


if __name__ == '__main__':
    main()
