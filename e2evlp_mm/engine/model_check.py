# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Config-level checks of the model, before anything is built."""
import os.path as osp
from typing import List

from mmengine.config import Config


class E2EVLPConfigError(ValueError):
    """A config that would build a model that trains silently wrong."""


def _frozen_norm(backbone: dict) -> bool:
    norm = backbone.get('norm_cfg') or {}
    return norm.get('requires_grad', True) is False or \
        bool(backbone.get('norm_eval', False))


def _pretrained(backbone: dict) -> str:
    init = backbone.get('init_cfg') or {}
    if isinstance(init, dict) and init.get('type') == 'Pretrained':
        return init.get('checkpoint') or ''
    return ''


def missing_checkpoints(cfg: Config) -> List[str]:
    """Local checkpoint files that ``model.backbone.init_cfg`` names and
    that do not exist, formatted as the data check lists paths."""
    path = _pretrained(cfg.get('model', {}).get('backbone') or {})
    if path and '://' not in path and not osp.exists(path):
        return [f'  {path}  (model.backbone.init_cfg.checkpoint: ImageNet '
                'weights, docs/data_preparation.md, "Backbone weights")']
    return []


def check_backbone_init(cfg: Config) -> None:
    """Refuse a frozen-BN backbone that will get no weights.

    Frozen BN (``norm_cfg.requires_grad=False`` or ``norm_eval=True``)
    only makes sense on loaded weights: from scratch, mmdet's ResNet has
    zero-initialised, never-trained BN scales in every residual block.

    Raises:
        E2EVLPConfigError: With the three ways out.
    """
    backbone = cfg.get('model', {}).get('backbone') or {}
    if not _frozen_norm(backbone) or _pretrained(backbone) or \
            cfg.get('load_from') or cfg.get('resume'):
        return
    raise E2EVLPConfigError(
        'model.backbone has frozen BatchNorm (norm_cfg.requires_grad=False '
        '/ norm_eval=True) but no weights: neither backbone.init_cfg='
        'dict(type="Pretrained", checkpoint=...) nor load_from is set, so '
        'its residual branches would stay dead. Load ImageNet weights '
        '(docs/data_preparation.md, "Backbone weights"), pass '
        'load_from=<pre-trained checkpoint> to fine-tune, or unfreeze BN '
        'explicitly: '
        'model.backbone.norm_cfg.requires_grad=True '
        'model.backbone.norm_eval=False')
