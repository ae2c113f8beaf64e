# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Checks of the built model against its data before a run starts."""
from typing import List

from mmdet.registry import HOOKS
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

from ..model_check import E2EVLPConfigError


def dead_norm_layers(module: nn.Module) -> List[str]:
    """Names of frozen BatchNorm layers whose scale is all zero.

    mmdet's ResNet zero-initialises the last BN of every residual block
    when no checkpoint is loaded; frozen, such a layer silences its branch
    for the whole run.
    """
    return [
        name for name, m in module.named_modules()
        if isinstance(m, _BatchNorm) and m.weight is not None
        and not m.weight.requires_grad and not m.weight.any()
    ]


@HOOKS.register_module()
class E2EVLPPreflightHook(Hook):
    """Refuse to start a run that would silently waste it.

    Before training (after weights are initialised or loaded) and before
    testing it checks that:

    * the detection head has as many classes (and attributes) as the
      dataset's vocabulary (``metainfo``), naming both numbers otherwise;
    * no frozen BatchNorm of the backbone has an all-zero scale (a dead
      residual branch: ImageNet weights were not loaded).
    """

    priority = 'VERY_HIGH'

    def before_train(self, runner) -> None:
        self._check(runner, runner.train_dataloader.dataset, 'train')

    def before_test(self, runner) -> None:
        self._check(runner, runner.test_dataloader.dataset, 'test')

    @staticmethod
    def _check(runner, dataset, split: str) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) \
            else runner.model
        meta = getattr(dataset, 'metainfo', None) or {}
        head = getattr(model, 'bbox_head', None)
        if head is not None:
            for what, attr in (('classes', 'num_classes'),
                               ('attributes', 'num_attributes')):
                size = getattr(head, attr, 0)
                names = meta.get(what)
                if not size or not names or isinstance(names, str):
                    continue
                if size != len(names):
                    raise E2EVLPConfigError(
                        f'model.bbox_head.{attr} is {size} but the '
                        f'{split} dataset has {len(names)} {what} '
                        f'(metainfo["{what}"]): make them agree, e.g. '
                        f'{attr}=<the vocabulary file> or metainfo='
                        f'dict({what}=<{size} names>)')
        backbone = getattr(model, 'backbone', None)
        dead = dead_norm_layers(backbone) if backbone is not None else []
        if dead and split == 'train':
            raise E2EVLPConfigError(
                f'{len(dead)} frozen BatchNorm layers of the backbone have '
                f'an all-zero scale (e.g. {dead[:3]}): no ImageNet weights '
                'were loaded, so those residual branches would output 0 '
                'for the whole run. Set model.backbone.init_cfg=dict(type='
                '"Pretrained", checkpoint=...) or load_from, or unfreeze BN '
                '(norm_cfg.requires_grad=True, norm_eval=False); '
                'docs/data_preparation.md, "Backbone weights".')
