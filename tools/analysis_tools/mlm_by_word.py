# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""MLM accuracy of a shapes-world checkpoint by the kind of word masked.

    python tools/analysis_tools/mlm_by_word.py \\
        configs/demo/e2evlp_shapes_pretrain.py work_dirs/demo/iter_1400.pth \\
        --draws 3

Every held-out pair is made matched (so every text has MLM targets) and
masked ``--draws`` times (numpy seeded per draw); each masked token is
counted under the kind of its word: ``colour``, ``shape`` (names,
synonyms, plurals), ``count`` (number words, ``single``), ``where``
(relation and position words) or ``other`` (template words: articles,
"colored", "background"...). The grounded kinds need the image; most
``other`` words follow from the text around them. Prints the accuracy per
kind and the commonest confusions.
"""
import argparse
from collections import Counter
from typing import Dict, List, Optional

import numpy as np

import e2evlp_mm  # noqa: F401  (registers everything)
from e2evlp_mm.apis.predict_test_set import (
    build_test_runner,
    load_config,
    predict_test_set,
    test_set_parser,
)
from e2evlp_mm.datasets import build_tokenizer
from e2evlp_mm.datasets.shapes_world.language import (
    NUMBER_WORDS,
    RELATIONS,
    SHAPE_SYNONYMS,
    plural,
)
from e2evlp_mm.datasets.shapes_world.scene import COLOURS
from e2evlp_mm.evaluation.text_conditions import ITM_NEGATIVE, transform_name

_SHAPE_WORDS = {w for names in SHAPE_SYNONYMS.values() for name in names
                for word in name.split() for w in (word, plural(word))}
_WHERE_WORDS = {w for phrases in RELATIONS.values() for p in phrases
                for w in p.split()} | {'top', 'bottom', 'middle', 'corner'}
_WHERE_WORDS -= {'to', 'the', 'of', 'on'}  # also template words
KINDS = ('colour', 'shape', 'count', 'where', 'other')


def word_kind(token: str) -> str:
    """The kind of a WordPiece token's word (``'##s'`` pieces: ``other``).
    """
    if token in COLOURS:
        return 'colour'
    if token in _SHAPE_WORDS:
        return 'shape'
    if token in NUMBER_WORDS or token == 'single':
        return 'count'
    if token in _WHERE_WORDS:
        return 'where'
    return 'other'


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = test_set_parser(__doc__, 'work_dirs/mlm_by_word')
    parser.add_argument('--draws', type=int, default=3)
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> Dict[str, float]:
    args = parse_args(argv)
    cfg = load_config(args)
    for t in cfg.test_dataloader.dataset.pipeline:
        if transform_name(t) == ITM_NEGATIVE:
            t['prob'] = 0.0  # every pair matched: every text is masked
    cfg.model.test_cfg['with_caption'] = False
    runner = build_test_runner(cfg, args.checkpoint, args.work_dir)
    tokenizer = build_tokenizer(cfg.model.text_cfg.tokenizer_path)
    total, right, confused = Counter(), Counter(), Counter()
    for draw in range(args.draws):
        np.random.seed(draw)
        for sample in predict_test_set(runner):
            labels = sample.mlm_labels.flatten()
            preds = sample.pred_mlm_ids.flatten()
            masked = labels != -100
            if preds.numel() == labels.numel():
                preds = preds[masked]
            words = tokenizer.convert_ids_to_tokens(labels[masked].tolist())
            guesses = tokenizer.convert_ids_to_tokens(preds.tolist())
            for word, guess in zip(words, guesses):
                kind = word_kind(word)
                total[kind] += 1
                right[kind] += word == guess
                if word != guess:
                    confused[word, guess] += 1
    out = {k: 100.0 * right[k] / total[k] for k in KINDS if total[k]}
    out['all'] = 100.0 * sum(right.values()) / max(sum(total.values()), 1)
    for k in (*KINDS, 'all'):
        n = total[k] if k != 'all' else sum(total.values())
        if n:
            print(f'{k:7s} {out[k]:5.1f}% of {n} masked tokens')
    print('commonest confusions (word -> guess):',
          ', '.join(f'{w}->{g} {n}' for (w, g), n in
                    confused.most_common(12)))
    return out


if __name__ == '__main__':
    main()
