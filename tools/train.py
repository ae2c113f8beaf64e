# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Train an E2E-VLP model with the mmengine Runner (mmdet's train.py)."""
import argparse
import sys

from mmdet.registry import RUNNERS
from mmdet.utils import setup_cache_size_limit_of_dynamo
from mmengine.runner import Runner

import e2evlp_mm  # noqa: F401  (registers the project's modules)
from e2evlp_mm.engine import (
    add_common_args,
    check_backbone_init,
    check_data_exists,
    check_train_args,
    close_distributed,
    exit_on_data_error,
    load_config,
    resume_checkpoint,
    save_after_data_error,
)
from e2evlp_mm.engine.mixed_precision import add_amp_arg, select_amp


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train E2E-VLP')
    parser.add_argument('config', help='train config file path')
    add_amp_arg(parser)
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the lr by the real total batch size')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from this checkpoint, or (no value) from the latest '
        'checkpoint in the work directory')
    add_common_args(parser)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    setup_cache_size_limit_of_dynamo()
    cfg = load_config(args.config, args.cfg_options, args.work_dir,
                      args.launcher, args.local_rank)
    if args.resume is not None:
        cfg.resume = True
    with exit_on_data_error(args.config):
        check_train_args(cfg)
        check_data_exists(cfg)
        check_backbone_init(cfg)

    select_amp(cfg, args.amp, args.config)
    if args.auto_scale_lr:
        if 'base_batch_size' not in cfg.get('auto_scale_lr', {}):
            sys.exit(f'{args.config}: --auto-scale-lr needs '
                     'auto_scale_lr.base_batch_size in the config')
        cfg.auto_scale_lr.enable = True
    if args.resume is not None:
        # the newest complete checkpoint, also of a moved work dir
        with exit_on_data_error(args.config):
            cfg.resume, cfg.load_from = True, resume_checkpoint(
                args.resume, cfg.work_dir)

    runner = None
    # A data error (also one raised in a dataloader worker) is shown alone;
    # a run it stops keeps what it trained (see save_after_data_error).
    with exit_on_data_error(args.config,
                            lambda: save_after_data_error(runner)):
        runner = (Runner.from_cfg(cfg)
                  if 'runner_type' not in cfg else RUNNERS.build(cfg))
        runner.train()
    close_distributed(exit_code=0)


if __name__ == '__main__':
    main()
