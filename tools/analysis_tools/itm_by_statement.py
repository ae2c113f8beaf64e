# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""ITM accuracy of a shapes-world checkpoint by what the text states.

    python tools/analysis_tools/itm_by_statement.py \\
        configs/demo/e2evlp_shapes_pretrain.py work_dirs/demo/iter_1400.pth

Scores the config's held-out ITM pairs (as ``tools/test.py`` does: the same
pipeline, negatives and masks) and counts each pair under the kind of
statement its text makes (parsed by the caption-truth scorer,
``e2evlp_mm/evaluation/caption_facts.py``), the first that applies:
``position`` (where an object is), ``relation`` (where two objects are),
``count`` (a number: "three shapes", "two hearts"), ``objects`` (names a
shape), ``colours`` (colours only) or ``other``. Prints the accuracy on
matched and on mismatched pairs of each kind and the pairs judged wrong.
"""
import argparse
from collections import Counter
from typing import Dict, List, Optional

import e2evlp_mm  # noqa: F401  (registers everything)
from e2evlp_mm.apis.predict_test_set import (
    build_test_runner,
    load_config,
    predict_test_set,
    test_set_parser,
)
from e2evlp_mm.evaluation.caption_facts import parse_caption

KINDS = ('position', 'relation', 'count', 'objects', 'colours', 'other')


def statement_kind(text: str) -> str:
    """The kind of statement ``text`` makes (see the module docstring)."""
    facts = parse_caption(text)
    if facts.positions:
        return 'position'
    if facts.relations:
        return 'relation'
    if any(m.count is not None for m in facts.mentions):
        return 'count'
    if facts.names_shape:
        return 'objects'
    return 'colours' if facts.colours else 'other'


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = test_set_parser(__doc__, 'work_dirs/itm_by_statement')
    parser.add_argument('--examples', type=int, default=10,
                        help='wrongly judged pairs shown')
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> Dict[str, float]:
    """Returns:
        dict[str, float]: ``'<kind>/<matched|mismatched>'`` accuracy in
        percent, for each kind and label that occurs, and ``all``.
    """
    args = parse_args(argv)
    cfg = load_config(args)
    cfg.model.test_cfg['with_caption'] = False
    runner = build_test_runner(cfg, args.checkpoint, args.work_dir)
    total, right, wrong = Counter(), Counter(), []
    for sample in predict_test_set(runner):
        label = 'matched' if int(sample.itm_label) else 'mismatched'
        key = f'{statement_kind(sample.text)}/{label}'
        ok = (sample.pred_itm_score > 0.5) == (label == 'matched')
        total[key] += 1
        right[key] += ok
        if not ok:
            wrong.append((label, sample.pred_itm_score, sample.text))
    out = {k: 100.0 * right[k] / total[k]
           for k in (f'{kind}/{label}' for kind in KINDS
                     for label in ('matched', 'mismatched')) if total[k]}
    out['all'] = 100.0 * sum(right.values()) / max(sum(total.values()), 1)
    for key, acc in out.items():
        n = total[key] if key != 'all' else sum(total.values())
        print(f'{key:20s} {acc:5.1f}% of {n} pairs')
    print(f'pairs judged wrong ({min(len(wrong), args.examples)} of '
          f'{len(wrong)}):')
    for label, score, text in wrong[:args.examples]:
        print(f'  {label:10s} p(match) {score:.2f}  "{text}"')
    return out


if __name__ == '__main__':
    main()
