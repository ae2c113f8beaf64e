# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""A config's test set predicted by a checkpoint, sample by sample: what
the analysis tools read when a metric's summary is not enough."""
import argparse
from typing import Iterator

import torch
from mmdet.structures import DetDataSample
from mmengine.config import Config, DictAction
from mmengine.runner import Runner

# the held-out scenes' VG-format records (region descriptions, objects)
VAL_SCENES = 'data/shapes_world/vg/annotations/vg_det_val.json'


def test_set_parser(description: str,
                    work_dir: str) -> argparse.ArgumentParser:
    """The arguments every test-set tool takes: ``config``,
    ``checkpoint``, ``--work-dir`` (default ``work_dir``) and
    ``--cfg-options`` (see :func:`load_config`); a tool adds its own."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--work-dir', default=work_dir)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='config keys to set, as tools/test.py takes')
    return parser


def load_config(args: argparse.Namespace) -> Config:
    """``args.config`` with ``args.cfg_options`` merged in."""
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    return cfg


def build_test_runner(cfg: Config, checkpoint: str, work_dir: str) -> Runner:
    """mmengine's Runner of ``cfg`` with ``checkpoint`` loaded.

    Args:
        cfg (Config): A config with a ``test_dataloader`` (edit it first,
            e.g. its pipeline or ``model.test_cfg``).
        checkpoint (str): Weights to load.
        work_dir (str): Where the runner logs.

    Returns:
        Runner: Built, its model holding ``checkpoint``.
    """
    cfg.work_dir, cfg.load_from = work_dir, checkpoint
    runner = Runner.from_cfg(cfg)
    runner.load_or_resume()
    return runner


def predict_test_set(runner: Runner) -> Iterator[DetDataSample]:
    """Every test sample with the model's predictions, in eval mode and
    without gradients (one pass over ``runner.test_dataloader``; each call
    draws the pipeline's random choices again)."""
    model = runner.model.eval()
    with torch.no_grad():
        for batch in runner.test_dataloader:
            yield from model.test_step(batch)
