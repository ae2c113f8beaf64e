# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Tiny random-init checkpoints of the shapes-world demo configs."""
import os
import os.path as osp
from typing import Optional, Sequence, Tuple

import torch
from mmdet.registry import DATASETS, MODELS
from mmengine.config import Config
from mmengine.registry import init_default_scope

from e2evlp_mm.datasets.shapes_world import make_shapes_world
from e2evlp_mm.engine.vocabularies import model_vocabularies, vocabulary_meta

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
# The demo model shrunk to seconds (what tests/test_tools does by CLI)
_TINY = {'model.encoder.num_layers': 1}
_TINY_DECODER = {'model.decoder.num_layers': 1}
_TINY_CAPTION = {'model.caption_head.max_length': 6}


def make_tiny_shapes_world(out_dir: str) -> str:
    """A 24-scene shapes world (about a second).

    Args:
        out_dir (str): Where to write it.

    Returns:
        str: ``out_dir``.
    """
    make_shapes_world(out_dir, num_images=24, seed=0, num_nlvr2=8,
                      num_flickr=4)
    return out_dir


def tiny_shapes_checkpoint(task: str, world: str, work_dir: str,
                           cfg_options: Optional[dict] = None
                           ) -> Tuple[str, str]:
    """A work dir with a tiny randomly initialized demo model.

    Builds ``configs/demo/e2evlp_shapes_<task>.py`` with one encoder (and
    decoder) layer, points its ``data/shapes_world/`` paths at ``world``
    and saves, as ``tools/train.py`` would, the dumped config, a
    checkpoint whose ``meta.dataset_meta`` is the training dataset's
    ``metainfo`` (as the Runner saves it) and whose ``meta.vocabularies``
    are the model's (as :class:`E2EVLPVocabularyHook` saves them) and
    ``last_checkpoint``.

    Args:
        task (str): ``pretrain``, ``vqa``, ``nlvr2``, ``caption``,
            ``retrieval`` or ``det``.
        world (str): A generated shapes world.
        work_dir (str): Output folder (created).
        cfg_options (dict, optional): Config keys to set after shrinking,
            as ``--cfg-options`` does (e.g. a model option).

    Returns:
        tuple[str, str]: Config path and checkpoint path.
    """
    init_default_scope('mmdet')
    text = Config.fromfile(
        osp.join(ROOT, 'configs', 'demo',
                 f'e2evlp_shapes_{task}.py')).pretty_text
    world = osp.abspath(world).rstrip('/') + '/'
    cfg = Config.fromstring(
        text.replace('data/shapes_world/', world), file_format='.py')
    cfg.merge_from_dict(_TINY)
    if cfg.model.get('decoder') is not None:
        cfg.merge_from_dict(_TINY_DECODER)
    if cfg.model.get('caption_head') is not None:
        cfg.merge_from_dict(_TINY_CAPTION)
    cfg.merge_from_dict(cfg_options or {})
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    os.makedirs(work_dir, exist_ok=True)
    config = osp.join(work_dir, f'e2evlp_shapes_{task}.py')
    cfg.dump(config)
    ckpt = osp.join(work_dir, 'iter_1.pth')
    dataset_meta = DATASETS.build(cfg.train_dataloader.dataset).metainfo
    meta = dict(dataset_meta=dataset_meta,
                vocabularies=vocabulary_meta(
                    model_vocabularies(model, dataset_meta)))
    torch.save(dict(state_dict=model.state_dict(), meta=meta), ckpt)
    with open(osp.join(work_dir, 'last_checkpoint'), 'w') as f:
        f.write(ckpt)
    return config, ckpt


def tiny_shapes_work_dirs(root: str, tasks: Sequence[str]) -> str:
    """A tiny shapes world in ``root/shapes_world`` and, per task, a work
    dir ``root/<task>`` with its tiny checkpoint (see
    :func:`tiny_shapes_checkpoint`).

    Returns:
        str: ``root``.
    """
    world = make_tiny_shapes_world(osp.join(root, 'shapes_world'))
    for task in tasks:
        tiny_shapes_checkpoint(task, world, osp.join(root, task))
    return root
