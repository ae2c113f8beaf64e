# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Score detection with matched, mismatched and no text in the encoder.

    python tools/analysis_tools/det_text_conditions.py CONFIG CHECKPOINT \
        [--work-dir DIR] [--conditions as_configured matched mismatched none]

The E2E-VLP decoder attends to the text tokens as well as the image
tokens, so the detections depend on the text given with the image. This
runs the config's test set once per condition (mmengine's Runner, as
``tools/test.py`` builds it), changing only the test pipeline (see
``e2evlp_mm/evaluation/text_conditions.py``), scores detection with the
config's ``CocoMetric`` and prints ``condition | AP | AP50 | AP75`` (in
percent). The table is also written to ``DIR/det_text_conditions.json``;
each run logs under ``DIR/<condition>/``. ``DIR`` defaults to
``<config work dir>/det_text_conditions``.
"""
import argparse
import json
import os.path as osp
from typing import Dict, List

from mmdet.registry import RUNNERS
from mmengine.runner import Runner

import e2evlp_mm  # noqa: F401  (registers the project's modules)
from e2evlp_mm.engine import (
    add_common_args,
    atomic_write,
    check_data_exists,
    close_distributed,
    exit_on_data_error,
    load_config,
    resolve_checkpoint,
)
from e2evlp_mm.evaluation import text_condition_config
from e2evlp_mm.evaluation.text_conditions import CONDITIONS

# CocoMetric's keys (fractions) -> table columns (percent)
COLUMNS = dict(AP='bbox_mAP', AP50='bbox_mAP_50', AP75='bbox_mAP_75')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='test config file path')
    parser.add_argument(
        'checkpoint', help='checkpoint file, or a work dir (its last one)')
    parser.add_argument(
        '--conditions', nargs='+', choices=CONDITIONS,
        default=list(CONDITIONS), help='text conditions, in table order')
    add_common_args(parser)
    return parser.parse_args()


def detection_scores(metrics: Dict[str, float]) -> Dict[str, float]:
    """AP, AP50 and AP75 in percent from CocoMetric's ``.../bbox_mAP*``."""
    scores = {}
    for column, key in COLUMNS.items():
        found = [v for k, v in metrics.items() if k.split('/')[-1] == key]
        if not found:
            raise KeyError(f'no {key} among the metrics {sorted(metrics)}')
        scores[column] = round(100 * float(found[0]), 1)
    return scores


def markdown_table(rows: List[dict]) -> str:
    """``condition | AP | AP50 | AP75`` as a markdown table."""
    lines = ['| condition | ' + ' | '.join(COLUMNS) + ' |',
             '|---|' + '---:|' * len(COLUMNS)]
    for row in rows:
        lines.append(f'| {row["condition"]} | ' + ' | '.join(
            f'{row[c]:.1f}' for c in COLUMNS) + ' |')
    return '\n'.join(lines)


def run_condition(cfg, condition: str, out_dir: str) -> Dict[str, float]:
    """Test under one condition; its scores in percent."""
    cfg = text_condition_config(cfg, condition)
    cfg.work_dir = osp.join(out_dir, condition)
    cfg.experiment_name = f'det_text_{condition}'
    runner = (Runner.from_cfg(cfg)
              if 'runner_type' not in cfg else RUNNERS.build(cfg))
    return detection_scores(runner.test())


def main() -> None:
    args = parse_args()
    cfg = load_config(args.config, args.cfg_options, None, args.launcher,
                      args.local_rank)
    out_dir = args.work_dir or osp.join(cfg.work_dir, 'det_text_conditions')
    rows = []
    with exit_on_data_error(args.config):
        cfg.load_from = resolve_checkpoint(args.checkpoint,
                                           osp.dirname(args.config))
        check_data_exists(cfg, ('test_dataloader', ))
        for condition in args.conditions:
            rows.append(dict(condition=condition,
                             **run_condition(cfg, condition, out_dir)))
    table = markdown_table(rows)
    print(table)
    atomic_write(
        osp.join(out_dir, 'det_text_conditions.json'),
        json.dumps(dict(config=args.config, checkpoint=cfg.load_from,
                        rows=rows), indent=1) + '\n')
    close_distributed(exit_code=0)


if __name__ == '__main__':
    main()
