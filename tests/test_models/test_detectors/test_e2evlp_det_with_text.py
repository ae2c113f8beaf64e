# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Detection with paired text (Table 7): the det configs on E2EVLP."""
import os.path as osp

import pytest
import torch
from mmdet.registry import MODELS
from mmengine.config import Config
from mmengine.registry import init_default_scope

import e2evlp_mm  # noqa: F401  (registers the models)
from e2evlp_mm.testing import (
    assert_every_param_has_grad,
    build_model_from,
    make_e2evlp_batch,
)

ROOT = osp.join(osp.dirname(__file__), '..', '..', '..')
DATA = osp.join(ROOT, 'tests', 'data')
TINY = osp.join(DATA, 'configs', 'e2evlp_tiny.py')
CONFIGS = [
    osp.join(ROOT, 'configs', 'e2evlp_r152_coco_det.py'),
    osp.join(ROOT, 'configs', 'demo', 'e2evlp_shapes_det.py'),
]
DET_KEYS = ('loss_cls', 'loss_bbox', 'loss_iou')


def det_overrides(path):
    """What a det config changes in the pre-training model."""
    model = Config.fromfile(path).model
    assert model.type == 'E2EVLP'
    for head in ('mlm_head', 'itm_head', 'caption_head'):
        assert model[head] is None
    assert model.bbox_head.num_attributes == 0
    return model


@pytest.mark.parametrize('path', CONFIGS)
def test_config_switches_off_all_but_detection(path):
    det_overrides(path)


def build(**overrides):
    cfg = Config.fromfile(TINY).model
    return build_model_from(
        TINY, **dict(dict(mlm_head=None, itm_head=None, caption_head=None,
                          bbox_head=dict(cfg.bbox_head, num_attributes=0)),
                     **overrides))


def test_shapes_det_model_builds_and_runs():
    cfg = det_overrides(CONFIGS[1])
    cfg.text_cfg.update(tokenizer_path=None, vocab_size=50, pad_id=0,
                        bos_id=1, eos_id=2)
    init_default_scope('mmdet')
    model = MODELS.build(cfg)
    losses = model.loss(*make_e2evlp_batch(2, num_classes=8))
    assert {k for k in losses if 'loss' in k} == {
        f'{p}{k}' for p in ('', 'd0.', 'd1.') for k in DET_KEYS}


def test_loss_grads_and_text_matters():
    model = build()
    inputs, samples = make_e2evlp_batch(2)
    losses = model.loss(inputs, samples)
    assert set(losses) == {f'{p}{k}' for p in ('', 'd0.') for k in DET_KEYS}
    sum(losses.values()).backward()
    # the text embedding too: text is read
    assert_every_param_has_grad(model)
    model.eval()
    with torch.no_grad():
        out = model.predict(inputs, samples)
        other = [ds.clone() for ds in samples]
        for ds in other:
            ds.text_ids = ds.text_ids.flip(0)
        out2 = model.predict(inputs, other)
    assert 'attr_scores' not in out[0].pred_instances
    assert len(out[0].pred_instances.scores) == 5
    assert not torch.allclose(out[0].pred_instances.scores,
                              out2[0].pred_instances.scores)


def test_loads_pre_training_checkpoint():
    pretrain = build(
        mlm_head=dict(type='E2EVLPMLMHead'),
        itm_head=dict(type='E2EVLPITMHead'),
        caption_head=dict(type='E2EVLPCaptionHead'),
        bbox_head=Config.fromfile(TINY).model.bbox_head)
    model = build()
    result = model.load_state_dict(pretrain.state_dict(), strict=False)
    assert result.missing_keys == []
    assert {k.split('.')[0] for k in result.unexpected_keys} == {
        'mlm_head', 'itm_head', 'caption_head', 'bbox_head'}
    assert {k for k in result.unexpected_keys if 'bbox' in k} == {
        'bbox_head.fc_attr.weight', 'bbox_head.fc_attr.bias'}
