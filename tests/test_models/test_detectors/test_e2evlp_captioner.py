# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""E2EVLPCaptioner on the tiny config (CPU, seconds)."""
import os.path as osp

import pytest
import torch
from mmdet.registry import MODELS
from mmengine.config import Config
from mmengine.runner import load_checkpoint

import e2evlp_mm  # noqa: F401  (registers the models)
from e2evlp_mm.testing import (
    assert_every_param_has_grad,
    build_model_from,
    make_e2evlp_batch,
)

DATA = osp.join(osp.dirname(__file__), '..', '..', 'data')
TINY = osp.join(DATA, 'configs', 'e2evlp_tiny.py')
TINY_TRUNK = osp.join(DATA, 'configs', 'e2evlp_tiny_trunk.py')
TOKENIZER = osp.join(DATA, 'hand_made', 'tokenizer')
# the fine-tuning settings of paper Sec. 5.1
CAPTION_HEAD = dict(
    type='E2EVLPCaptionHead',
    loss_cap=dict(
        type='mmpretrain.LabelSmoothLoss',
        label_smooth_val=0.1,
        mode='original'),
    max_length=6,
    beam_size=4,
    length_penalty=0.9)


def build(model_type='E2EVLPCaptioner', **overrides):
    if model_type != 'E2EVLPCaptioner':
        return build_model_from(TINY, type=model_type, **overrides)
    # the trunk, its shared decoder and the caption head
    decoder = Config.fromfile(TINY_TRUNK).decoder
    return build_model_from(
        TINY_TRUNK,
        **dict(dict(type=model_type, decoder=decoder,
                    caption_head=CAPTION_HEAD), **overrides))


def test_loss_and_every_parameter_gets_gradient():
    model = build()
    assert model.bbox_head is None and not hasattr(model, 'query_embedding')
    losses = model.loss(*make_e2evlp_batch(2, image_sizes=((64, 64),
                                                           (48, 40))))
    assert set(losses) == {'loss_cap'}
    assert torch.isfinite(losses['loss_cap']) and losses['loss_cap'] > 0
    losses['loss_cap'].backward()
    assert_every_param_has_grad(model)


def test_label_smoothing_is_the_loss():
    model = build()
    batch = make_e2evlp_batch(2)
    smooth = model.loss(*batch)['loss_cap']
    model.caption_head.loss_cap = MODELS.build(
        dict(type='CrossEntropyLoss', loss_weight=1.0))
    plain = model.loss(*batch)['loss_cap']
    assert not torch.allclose(smooth, plain)


@pytest.mark.parametrize('key', ['bbox_head', 'mlm_head'])
def test_pre_training_heads_are_rejected(key):
    pre = Config.fromfile(TINY).model
    with pytest.raises(TypeError, match=key):
        build(**{key: pre[key]})


def test_beam_predict_fields_with_tokenizer():
    cfg = Config.fromfile(TINY).model
    model = build(text_cfg=dict(cfg.text_cfg, tokenizer_path=TOKENIZER))
    model.eval()
    tok = model.tokenizer
    assert model.caption_head.beam_size == 4
    inputs, samples = make_e2evlp_batch(
        2,
        vocab_size=len(tok),
        bos_id=tok.cls_token_id,
        eos_id=tok.sep_token_id,
        mask_id=tok.mask_token_id,
        training=False)
    for ds in samples:  # test samples carry no text
        del ds.text_ids, ds.caption_ids
    with torch.no_grad():
        out = model.predict(inputs, samples)
    for ds in out:
        assert len(ds.pred_caption_ids) <= 6
        assert isinstance(ds.pred_caption_score, float)
        assert ds.pred_caption == tok.decode(
            ds.pred_caption_ids.tolist(), skip_special_tokens=True)


def test_tensor_mode_gives_logits():
    model = build().eval()
    inputs, samples = make_e2evlp_batch(2, caption_lengths=(7, 5))
    logits = model(inputs, samples, mode='tensor')
    assert logits.shape == (2, 6, 50)


def test_loads_pre_training_checkpoint(tmp_path):
    pretrain = build('E2EVLP')
    path = str(tmp_path / 'e2evlp.pth')
    torch.save(dict(state_dict=pretrain.state_dict()), path)
    model = build()
    result = model.load_state_dict(pretrain.state_dict(), strict=False)
    assert result.missing_keys == []  # trunk, decoder and LM head restored
    prefixes = {k.split('.')[0] for k in result.unexpected_keys}
    assert prefixes == {'bbox_head', 'query_embedding', 'mlm_head',
                        'itm_head'}
    load_checkpoint(model, path, strict=False)  # mmengine logs the keys
    for name, value in model.state_dict().items():
        torch.testing.assert_close(value, pretrain.state_dict()[name])
