# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Test (and evaluate) an E2E-VLP checkpoint (mmdet's test.py)."""
import argparse
import os.path as osp

from mmdet.registry import RUNNERS
from mmdet.utils import setup_cache_size_limit_of_dynamo
from mmengine.runner import Runner

import e2evlp_mm  # noqa: F401  (registers the project's modules)
from e2evlp_mm.engine import (
    add_common_args,
    attach_result_dump,
    check_data_exists,
    check_test_args,
    close_distributed,
    exit_on_data_error,
    finish_result_dump,
    load_config,
    resolve_checkpoint,
    trigger_e2evlp_visualization,
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test E2E-VLP')
    parser.add_argument('config', help='test config file path')
    parser.add_argument(
        'checkpoint',
        help='checkpoint file, or a work dir (its last checkpoint); a path '
        'gone since the work dir moved is looked up beside the config')
    parser.add_argument(
        '--out',
        help='dump predictions: a .pkl file (raw, mmdet) or a .json file in '
        'the official format of the task (COCO detection results, COCO '
        'caption results, VQA results)')
    parser.add_argument(
        '--show', action='store_true', help='show detection results')
    parser.add_argument(
        '--show-dir', help='save painted images under work_dir/<time>/DIR')
    parser.add_argument(
        '--wait-time', type=float, default=2, help='the interval of show (s)')
    add_common_args(parser)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    setup_cache_size_limit_of_dynamo()
    cfg = load_config(args.config, args.cfg_options, args.work_dir,
                      args.launcher, args.local_rank)
    with exit_on_data_error(args.config):
        cfg.load_from = resolve_checkpoint(args.checkpoint,
                                           osp.dirname(args.config))
        check_data_exists(cfg, ('test_dataloader', ))
        check_test_args(cfg, args.out, args.show or bool(args.show_dir))
    if args.show or args.show_dir:
        cfg = trigger_e2evlp_visualization(cfg, args)

    # A data error (also one raised in a dataloader worker, or an answer
    # list that does not fit the checkpoint) is shown alone.
    with exit_on_data_error(args.config):
        runner = (Runner.from_cfg(cfg)
                  if 'runner_type' not in cfg else RUNNERS.build(cfg))
        if args.out is not None:
            attach_result_dump(runner, args.out)
        runner.test()
    if args.out is not None:
        finish_result_dump(runner, args.out)
    close_distributed(exit_code=0)


if __name__ == '__main__':
    main()
