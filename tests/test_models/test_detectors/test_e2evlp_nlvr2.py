# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""E2EVLPNLVR2 and its pair preprocessor on the tiny trunk."""
import os.path as osp

import pytest
import torch
from mmdet.structures import DetDataSample
from mmengine.dataset import pseudo_collate
from mmengine.logging import MMLogger
from mmengine.runner import load_checkpoint

import e2evlp_mm  # noqa: F401  (registers the models)
from e2evlp_mm.testing import assert_every_param_has_grad, build_model_from

DATA = osp.join(osp.dirname(__file__), '..', '..', 'data')
TINY = osp.join(DATA, 'configs', 'e2evlp_tiny.py')
TINY_NLVR2 = osp.join(DATA, 'configs', 'e2evlp_nlvr2_tiny.py')
PAIRS = (((64, 64), (32, 48)), ((40, 64), (64, 32)))


build = build_model_from


def packed_pairs(pairs=PAIRS):
    """What PackE2EVLPInputs gives per example, collated as the runner
    does (``pseudo_collate``)."""
    gen = torch.Generator().manual_seed(0)
    batch = []
    for i, pair in enumerate(pairs):
        ds = DetDataSample(metainfo=dict(
            img_shape=list(pair), ori_shape=list(pair),
            img_path=[f'{i}-img0.png', f'{i}-img1.png']))
        ds.text_ids = torch.tensor([1, 7, 8, 9, 2][:3 + i])
        ds.nlvr_label = torch.tensor(i % 2)
        images = [torch.randint(0, 256, (3, *s), generator=gen).byte()
                  for s in pair]
        batch.append(dict(inputs=images, data_samples=ds))
    return pseudo_collate(batch)


def test_preprocessor_interleaves_pairs_and_keeps_samples():
    model = build(TINY_NLVR2)
    data = packed_pairs()
    lefts, rights = data['inputs']
    out = model.data_preprocessor(data, training=True)
    inputs, samples = out['inputs'], out['data_samples']
    assert inputs.shape == (4, 3, 64, 64) and len(samples) == 2
    norm = model.data_preprocessor
    for k, img in enumerate([lefts[0], rights[0], lefts[1], rights[1]]):
        h, w = img.shape[1:]
        expected = (img[[2, 1, 0]].float() - norm.mean) / norm.std
        torch.testing.assert_close(inputs[k, :, :h, :w], expected)
        assert (inputs[k, :, h:] == 0).all() and (inputs[k, :, :, w:] == 0
                                                  ).all()
    assert samples[0].batch_input_shape == (64, 64)
    assert samples[1].pad_shape == [(40, 64), (64, 32)]
    assert samples[0].img_path == ['0-img0.png', '0-img1.png']


def test_preprocessor_rejects_uncollated_inputs():
    model = build(TINY_NLVR2)
    data = packed_pairs()
    data['inputs'] = [data['inputs'][0][0]] * 2  # two tensors, no pairs
    with pytest.raises(ValueError, match='lefts, rights'):
        model.data_preprocessor(data)


def test_per_image_masks_for_different_size_pairs():
    model = build(TINY_NLVR2).eval()
    out = model.data_preprocessor(packed_pairs())
    views = model.image_samples(out['data_samples'])
    assert [v.img_shape for v in views] == [s for p in PAIRS for s in p]
    enc_in, _ = model.pre_transformer(
        model.extract_feat(out['inputs']), views)
    # 64x64 input, stride 32 -> 2x2 tokens per image, each token the
    # pixel at its top-left (nearest): a 40-row image fills both rows
    assert enc_in['feat_mask'].int().tolist() == [
        [0, 0, 0, 0], [0, 0, 1, 1], [0, 0, 0, 0], [0, 1, 0, 1]]
    assert enc_in['text_ids'].tolist()[0] == enc_in['text_ids'].tolist()[1]


def test_pair_features_match_single_image_passes():
    model = build(TINY_NLVR2).eval()
    out = model.data_preprocessor(packed_pairs())
    with torch.no_grad():
        pair = model.head_input(out['inputs'], out['data_samples'])
        views = model.image_samples(out['data_samples'])
        right1 = model.forward_transformer(
            model.extract_feat(out['inputs'][3:]), views[3:])
    assert pair.shape == (2, 128)  # (B, 2d)
    torch.testing.assert_close(pair[1, 64:], right1['text_feats'][0, 0],
                               atol=1e-5, rtol=1e-5)


def test_loss_predict_and_every_parameter_gets_gradient():
    model = build(TINY_NLVR2)
    out = model.data_preprocessor(packed_pairs(), training=True)
    losses = model.loss(out['inputs'], out['data_samples'])
    assert set(losses) == {'loss_nlvr', 'acc_nlvr'}
    losses['loss_nlvr'].backward()
    assert_every_param_has_grad(model)
    model.eval()
    with torch.no_grad():
        preds = model.predict(out['inputs'], out['data_samples'])
        logits = model(out['inputs'], out['data_samples'], mode='tensor')
    assert len(preds) == 2 and logits.shape == (2, 2)
    for ds, row in zip(preds, logits):
        assert ds.pred_nlvr_label == row.argmax().item()
        assert ds.pred_nlvr_score == pytest.approx(
            row.softmax(-1)[1].item(), rel=1e-5)


def test_load_pretraining_checkpoint(tmp_path):
    pretrained = build(TINY)
    path = str(tmp_path / 'pretrain.pth')
    torch.save(dict(state_dict=pretrained.state_dict()), path)
    model = build(TINY_NLVR2)
    logger = MMLogger.get_instance('test_nlvr2_load', log_file=str(
        tmp_path / 'load.log'))
    load_checkpoint(model, path, strict=False, logger=logger)
    source, target = pretrained.state_dict(), model.state_dict()
    for key in target:
        if not key.startswith('nlvr2_head.'):
            torch.testing.assert_close(target[key], source[key])
    unexpected, missing = (tmp_path / 'load.log').read_text().split(
        'missing keys in source')
    assert all(k in unexpected for k in set(source) - set(target))
    head_keys = set(target) - set(source)
    assert head_keys == {k for k in target if k.startswith('nlvr2_head.')}
    assert all(k in missing for k in head_keys)
