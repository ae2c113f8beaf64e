# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""A config's test set predicted by a checkpoint, sample by sample: what
the analysis tools read when a metric's summary is not enough."""
from typing import Iterator

import torch
from mmdet.structures import DetDataSample
from mmengine.config import Config
from mmengine.runner import Runner


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
