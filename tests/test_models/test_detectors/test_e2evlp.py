# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""The E2E-VLP pre-training detector on a tiny config (CPU, seconds)."""
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

DATA = osp.join(osp.dirname(__file__), '..', '..', 'data')
TINY = osp.join(DATA, 'configs', 'e2evlp_tiny.py')
TOKENIZER = osp.join(DATA, 'hand_made', 'tokenizer')
DET_KEYS = ('loss_cls', 'loss_bbox', 'loss_iou', 'loss_attr')


def build_model(**overrides):
    """The tiny model with top-level model keys replaced."""
    return build_model_from(TINY, **overrides)


def loss_terms(losses):
    return {k: v for k, v in losses.items() if 'loss' in k}


def test_losses_finite_and_positive():
    model = build_model()
    losses = model.loss(*make_e2evlp_batch(2))
    expected = set(DET_KEYS) | {f'd0.{k}' for k in DET_KEYS}
    expected |= {'loss_mlm', 'loss_itm', 'loss_cap'}
    assert set(loss_terms(losses)) == expected
    for name, value in loss_terms(losses).items():
        assert torch.isfinite(value) and value > 0, name
    assert {'acc_mlm', 'acc_itm'} <= set(losses)


def test_empty_targets_zero_box_losses():
    model = build_model()
    losses = model.loss(*make_e2evlp_batch(2, num_gts=(0, )))
    for prefix in ('', 'd0.'):
        for name in ('loss_bbox', 'loss_iou', 'loss_attr'):
            assert losses[prefix + name].item() == 0
        assert losses[prefix + 'loss_cls'] > 0
    sum(loss_terms(losses).values()).backward()
    # DDP-safe even when a batch has no boxes
    assert_every_param_has_grad(model)


def test_every_parameter_gets_gradient():
    model = build_model()
    inputs, samples = make_e2evlp_batch(2, image_sizes=((64, 64), (48, 40)))
    sum(loss_terms(model.loss(inputs, samples)).values()).backward()
    assert_every_param_has_grad(model)
    # the shared decoder is one module: detection and captioning both
    # reach its weights; frozen backbone parts stay frozen
    assert not model.backbone.conv1.weight.requires_grad


@pytest.mark.parametrize('heads,keys', [
    (dict(mlm_head=None, itm_head=None, caption_head=None), {'loss_cls'}),
    (dict(bbox_head=None, mlm_head=None, itm_head=None), {'loss_cap'}),
    (dict(bbox_head=None, caption_head=None), {'loss_mlm', 'loss_itm'}),
])
def test_tasks_switch_off(heads, keys):
    model = build_model(**heads)
    losses = loss_terms(model.loss(*make_e2evlp_batch(2)))
    assert set(losses) & {'loss_mlm', 'loss_itm', 'loss_cap', 'loss_cls'
                          } == keys
    sum(losses.values()).backward()
    # switched-off tasks leave no unused weights
    assert_every_param_has_grad(model)
    no_decoder = 'bbox_head' in heads and 'caption_head' in heads
    assert (model.decoder is None) == no_decoder


def test_overfit_one_batch_drives_every_loss_down():
    model = build_model()
    inputs, samples = make_e2evlp_batch(2, image_sizes=((64, 64), (48, 40)))
    params = [p for p in model.parameters() if p.requires_grad]
    optim = torch.optim.AdamW(params, lr=1e-3)
    for step in range(40):
        losses = loss_terms(model.loss(inputs, samples))
        if step == 0:
            first = {k: v.item() for k, v in losses.items()}
        optim.zero_grad()
        sum(losses.values()).backward()
        optim.step()
    for name, value in losses.items():
        assert value.item() < 0.7 * first[name], (name, first[name], value)


def caption_logits(model, inputs, samples, caption):
    img_feats = model.extract_feat(inputs)
    decode = model.caption_decode_fn(img_feats, samples)
    return model.caption_head(decode(caption))


def test_caption_does_not_see_encoder_text():
    model = build_model().eval()
    inputs, samples = make_e2evlp_batch(2)
    caption = torch.tensor([[1, 7, 8, 9], [1, 10, 11, 12]])
    with torch.no_grad():
        ref = caption_logits(model, inputs, samples, caption)
        for ds in samples:  # a different, longer text for the encoder
            ds.text_ids = torch.randint(5, 50, (12, ))
        other = caption_logits(model, inputs, samples, caption)
        changed = caption.clone()
        changed[:, 2] = 20
        causal = caption_logits(model, inputs, samples, changed)
    torch.testing.assert_close(ref, other)
    # causal: a token only affects the logits at and after its position
    torch.testing.assert_close(ref[:, :2], causal[:, :2])
    assert not torch.allclose(ref[:, 2:], causal[:, 2:])


def test_padding_masks_for_mixed_sizes():
    model = build_model().eval()
    inputs, samples = make_e2evlp_batch(
        2, image_sizes=((64, 64), (32, 48)), text_lengths=(8, 6))
    assert inputs.shape[-2:] == (64, 64)
    enc_in, _ = model.pre_transformer(model.extract_feat(inputs), samples)
    # 64x64 input, stride 32 -> 2x2 tokens; a 32x48 image fills row 0 only
    assert enc_in['feat_mask'].tolist() == [[False] * 4,
                                            [False, False, True, True]]
    assert enc_in['text_mask'].tolist() == [[False] * 8,
                                            [False] * 6 + [True] * 2]
    enc_out = model.forward_encoder(**enc_in)
    assert enc_out['memory'].shape == (2, 12, 64)
    assert torch.equal(
        enc_out['memory_mask'],
        torch.cat([enc_in['text_mask'], enc_in['feat_mask']], 1))
    # text tokens get a zero positional term, image tokens the sine one
    assert enc_out['memory_pos'][:, :8].abs().sum() == 0


def test_text_padding_does_not_change_outputs():
    model = build_model().eval()
    inputs, samples = make_e2evlp_batch(2, text_lengths=(8, 5))
    with torch.no_grad():
        both = model.forward_transformer(model.extract_feat(inputs), samples)
        alone = model.forward_transformer(
            model.extract_feat(inputs[1:]), samples[1:])
    torch.testing.assert_close(both['text_feats'][1, :5],
                               alone['text_feats'][0], atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(both['hidden_states'][:, 1],
                               alone['hidden_states'][:, 0],
                               atol=1e-5, rtol=1e-5)


def test_predict_fields_and_shapes():
    model = build_model().eval()
    inputs, samples = make_e2evlp_batch(
        2, image_sizes=((64, 64), (48, 40)), training=False)
    with torch.no_grad():
        out = model.predict(inputs, samples, rescale=False)
    boxes = [ds.pred_instances.bboxes.clone() for ds in out]
    for ds in out:
        pred = ds.pred_instances
        assert pred.bboxes.shape == (5, 4)
        assert pred.scores.shape == pred.labels.shape == (5, )
        assert pred.attr_scores.shape == (5, 4)
        torch.testing.assert_close(pred.attr_scores.sum(-1), torch.ones(5))
        assert pred.attr_labels.shape == (5, )
        assert 0 <= ds.pred_itm_score <= 1
        assert ds.pred_mlm_ids.shape == ds.mlm_labels.shape
        assert (ds.pred_mlm_ids[ds.mlm_labels == -100] == -100).all()
        assert 0 <= ds.pred_mlm_acc <= 1
        assert ds.pred_caption_ids.dim() == 1
        assert len(ds.pred_caption_ids) <= 6
        assert 'pred_caption' not in ds  # no tokenizer configured
    for ds in samples:
        ds.set_metainfo(dict(scale_factor=(0.5, 0.5)))
    with torch.no_grad():
        out = model.predict(inputs, samples, rescale=True)
    for ds, box in zip(out, boxes):
        torch.testing.assert_close(ds.pred_instances.bboxes, box * 2)


def test_predict_decodes_with_tokenizer():
    cfg = Config.fromfile(TINY).model
    text_cfg = dict(cfg.text_cfg, tokenizer_path=TOKENIZER)
    model = build_model(text_cfg=text_cfg).eval()
    tok = model.tokenizer
    assert model.text_embedding.word_embeddings.num_embeddings == len(tok)
    assert model.caption_head.bos_id == tok.cls_token_id
    inputs, samples = make_e2evlp_batch(
        1,
        vocab_size=len(tok),
        pad_id=tok.pad_token_id,
        bos_id=tok.cls_token_id,
        eos_id=tok.sep_token_id,
        mask_id=tok.mask_token_id,
        training=False)
    with torch.no_grad():
        out = model.predict(inputs, samples)
    assert out[0].pred_caption == tok.decode(
        out[0].pred_caption_ids.tolist(), skip_special_tokens=True)


def test_mmpretrain_backbone_builds_through_config():
    backbone = dict(
        type='mmpretrain.ResNet',
        depth=18,
        stem_channels=8,
        base_channels=8,
        out_indices=(3, ),
        frozen_stages=1,
        norm_cfg=dict(type='BN', requires_grad=False),
        norm_eval=True)
    neck = dict(Config.fromfile(TINY).model.neck, in_channels=[64])
    model = build_model(backbone=backbone, neck=neck)
    assert type(model.backbone).__module__.startswith('mmpretrain')
    losses = loss_terms(model.loss(*make_e2evlp_batch(2)))
    assert torch.isfinite(sum(losses.values()))


def test_backbone_init_from_local_checkpoint(tmp_path):
    init_default_scope('mmdet')
    cfg = Config.fromfile(TINY).model
    backbone = MODELS.build(cfg.backbone)
    path = str(tmp_path / 'backbone.pth')
    torch.save(dict(state_dict=backbone.state_dict()), path)
    model = build_model(
        backbone=dict(
            cfg.backbone, init_cfg=dict(type='Pretrained', checkpoint=path)))
    torch.testing.assert_close(model.backbone.state_dict(),
                               backbone.state_dict())


def test_tensor_mode_returns_head_outputs():
    model = build_model().eval()
    inputs, samples = make_e2evlp_batch(2, training=False)
    with torch.no_grad():
        cls, boxes, attrs = model(inputs, samples, mode='tensor')
    assert cls.shape == (2, 2, 8, 6) and boxes.shape == (2, 2, 8, 4)
    assert attrs.shape == (2, 2, 8, 4)


def test_itc_aligns_each_image_with_its_own_caption():
    """The optional ITC task reads the image-only pass and each image's own
    caption, never the (possibly mismatched, masked) encoder text."""
    torch.manual_seed(0)
    model = build_model(itc_head=dict(type='E2EVLPITCHead', itc_dims=16))
    inputs, samples = make_e2evlp_batch(3, image_sizes=((64, 64), (48, 40),
                                                        (64, 48)))
    losses = model.loss(inputs, samples)
    assert {'loss_itc', 'acc_itc'} <= set(losses)
    sum(loss_terms(losses).values()).backward()
    assert_every_param_has_grad(model)

    model.eval()  # no dropout: equal inputs give equal losses
    with torch.no_grad():
        base = model.loss(inputs, samples)['loss_itc']
        samples[0].text_ids = samples[1].text_ids.clone()
        assert model.loss(inputs, samples)['loss_itc'] == base
        samples[0].caption_ids = samples[1].caption_ids.clone()
        assert model.loss(inputs, samples)['loss_itc'] != base
        del samples[0].caption_ids
        with pytest.raises(ValueError, match='caption_ids'):
            model.loss(inputs, samples)


def test_itm_hard_negatives_add_one_mismatched_pair_per_image():
    torch.manual_seed(0)
    with pytest.raises(ValueError, match='itc_head'):
        build_model(itm_hard_negatives=True)
    model = build_model(itc_head=dict(type='E2EVLPITCHead', itc_dims=16),
                        itm_hard_negatives=True)
    inputs, samples = make_e2evlp_batch(4)
    for ds, label in zip(samples, (1, 1, 0, 1)):
        ds.itm_label = torch.tensor(label)
    seen = {}
    loss_itm = model.itm_head.loss

    def spy(cls_feats, data_samples, negative_feats=None):
        seen['negatives'] = negative_feats
        return loss_itm(cls_feats, data_samples, negative_feats)

    model.itm_head.loss = spy
    losses = model.loss(inputs, samples)
    # every image (4 of them, all different) gets a text of a matched one
    assert seen['negatives'].shape == (4, model.embed_dims)
    sum(loss_terms(losses).values()).backward()
    assert_every_param_has_grad(model)


def test_itm_hard_negatives_are_the_drawn_pairs_encoded(monkeypatch):
    """Each hard negative is h_CLS of (image i, the text drawn for it),
    encoded from the same encoder inputs as the batch's own pairs."""
    from e2evlp_mm.models.detectors import e2evlp as module
    torch.manual_seed(0)
    model = build_model(itc_head=dict(type='E2EVLPITCHead', itc_dims=16),
                        itm_hard_negatives=True).eval()  # no dropout
    inputs, samples = make_e2evlp_batch(4)
    for ds in samples:
        ds.itm_label = torch.tensor(1)
    seen = {}
    draw, loss_itm = module.sample_hard_texts, model.itm_head.loss

    def spy_draw(*args):
        seen['pick'] = draw(*args)
        return seen['pick']

    def spy_loss(cls_feats, data_samples, negative_feats=None):
        seen['negatives'] = negative_feats
        return loss_itm(cls_feats, data_samples, negative_feats)

    monkeypatch.setattr(module, 'sample_hard_texts', spy_draw)
    model.itm_head.loss = spy_loss
    with torch.no_grad():
        model.loss(inputs, samples)
        enc_in, _ = model.pre_transformer(model.extract_feat(inputs),
                                          samples)
        pick = seen['pick']
        rows = (pick >= 0).nonzero()[:, 0]
        expected = model.forward_encoder(
            enc_in['feat'][rows], enc_in['feat_mask'][rows],
            enc_in['feat_pos'][rows], enc_in['text_ids'][pick[rows]],
            enc_in['text_mask'][pick[rows]])['memory'][:, 0]
    assert len(rows) == 4 and bool((pick[rows] != rows).all())
    torch.testing.assert_close(seen['negatives'], expected)
