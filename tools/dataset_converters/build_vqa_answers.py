# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Build the VQA answer vocabulary (a json list; index = class id).

Example::

    python tools/dataset_converters/build_vqa_answers.py \
        data/vqa/v2_mscoco_train2014_annotations.json \
        data/vqa/v2_mscoco_val2014_annotations.json \
        --out data/vqa/answer_list.json --top-k 3129
"""
import argparse
import json

from e2evlp_mm.datasets.converters.vqa_answers import (
    build_answer_vocab,
    load_vqa_annotations,
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('annotations', nargs='+',
                        help='VQA v2 annotation json files')
    parser.add_argument('--out', required=True)
    parser.add_argument('--top-k', type=int, default=3129)
    parser.add_argument('--min-count', type=int, default=1)
    parser.add_argument('--all-answers', action='store_true',
                        help='count all 10 answers, not only '
                        'multiple_choice_answer')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    vocab = build_answer_vocab(load_vqa_annotations(args.annotations),
                               args.top_k, args.min_count, args.all_answers)
    with open(args.out, 'w') as f:
        json.dump(vocab, f)
    print(f'{len(vocab)} answers -> {args.out}')


if __name__ == '__main__':
    main()
