# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""The Swin-T and ConvNeXt-T configs: their backbone + neck in the tiny
trunk build and take a loss step on 64 x 64 images (CPU)."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config

import e2evlp_mm  # noqa: F401  (registers the models)
from e2evlp_mm.testing import (
    assert_every_param_has_grad,
    build_model_from,
    make_e2evlp_batch,
)

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..', '..'))
TINY = osp.join(ROOT, 'tests', 'data', 'configs', 'e2evlp_tiny.py')
CONFIGS = {
    'SwinTransformer': 'configs/e2evlp_swin_t_6l_pretrain.py',
    'mmpretrain.ConvNeXt': 'configs/e2evlp_convnext_t_6l_pretrain.py',
}


@pytest.mark.parametrize('backbone_type', sorted(CONFIGS))
def test_backbone_config_builds_and_trains(backbone_type):
    cfg = Config.fromfile(osp.join(ROOT, CONFIGS[backbone_type])).model
    assert cfg.backbone.type == backbone_type
    assert cfg.backbone.out_indices == (3, )  # the last stage only
    assert cfg.backbone.init_cfg.type == 'Pretrained'
    assert cfg.neck.in_channels == [768] and cfg.neck.kernel_size == 1
    tiny_d = Config.fromfile(TINY).model.neck.out_channels
    # no weights offline; the tiny trunk's width and layer counts
    model = build_model_from(
        TINY,
        replace=dict(
            backbone=dict(cfg.backbone, init_cfg=None),
            neck=dict(cfg.neck, out_channels=tiny_d)))
    assert type(model.backbone).__name__ == backbone_type.split('.')[-1]
    inputs, samples = make_e2evlp_batch(2, image_sizes=((64, 64), ))
    feats = model.extract_feat(inputs)
    assert feats[-1].shape == (2, tiny_d, 2, 2)  # stride 32
    losses = model.loss(inputs, samples)
    total = sum(v for k, v in losses.items() if 'loss' in k)
    assert torch.isfinite(total) and total > 0
    total.backward()
    assert_every_param_has_grad(model)


def test_swin_stage_channels_match_the_neck():
    # without the override the config's own trunk width is used
    cfg = Config.fromfile(osp.join(ROOT, CONFIGS['SwinTransformer'])).model
    embed, stages = cfg.backbone.embed_dims, len(cfg.backbone.depths)
    assert embed * 2**(stages - 1) == cfg.neck.in_channels[0]
