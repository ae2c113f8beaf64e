# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Train an uncased BERT WordPiece tokenizer from text files (offline).

Example::

    python tools/dataset_converters/train_wordpiece.py corpus.txt \
        --out data/tokenizer --vocab-size 30522
"""
import argparse

from e2evlp_mm.datasets.tokenizer_training import train_wordpiece


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('files', nargs='+', help='text files, one text a '
                        'line')
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument('--vocab-size', type=int, default=30522)
    parser.add_argument('--min-frequency', type=int, default=2)
    parser.add_argument('--whole-words-only', action='store_true',
                        help='keep only characters and whole words '
                        '(reproducible vocabulary)')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    out = train_wordpiece(args.out, files=args.files,
                          vocab_size=args.vocab_size,
                          min_frequency=args.min_frequency,
                          whole_words_only=args.whole_words_only)
    with open(f'{out}/vocab.txt') as f:
        print(f'{sum(1 for _ in f)} tokens -> {out}')


if __name__ == '__main__':
    main()
