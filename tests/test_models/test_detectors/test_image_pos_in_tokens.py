# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""``image_pos_in_tokens``: sine positions in the image tokens themselves."""
import os.path as osp

import torch

import e2evlp_mm  # noqa: F401  (registers the models)
from e2evlp_mm.testing import build_model_from, make_e2evlp_batch

TINY = osp.join(osp.dirname(__file__), '..', '..', 'data', 'configs',
                'e2evlp_tiny.py')


def test_positions_are_added_to_the_tokens_once_and_kept_on_keys():
    paper = build_model_from(TINY).eval()
    with_pos = build_model_from(TINY, image_pos_in_tokens=True).eval()
    # same parameters: a checkpoint of one loads into the other
    with_pos.load_state_dict(paper.state_dict())
    inputs, samples = make_e2evlp_batch(2, training=False)
    with torch.no_grad():
        feats = paper.extract_feat(inputs)
        base, _ = paper.pre_transformer(feats, samples)
        moved, _ = with_pos.pre_transformer(feats, samples)
        assert torch.equal(moved['feat'], base['feat'] + base['feat_pos'])
        assert torch.equal(moved['feat_pos'], base['feat_pos'])
        assert base['feat_pos'].abs().sum() > 0
        # every pass reads the moved tokens: joint and image-only
        joint = paper.forward_transformer(feats, samples)
        joint_pos = with_pos.forward_transformer(feats, samples)
        assert not torch.allclose(joint['text_feats'], joint_pos['text_feats'])
        image = paper.encode_image(feats, samples)['memory']
        image_pos = with_pos.encode_image(feats, samples)['memory']
        assert not torch.allclose(image, image_pos)


def test_trains_with_the_option():
    model = build_model_from(TINY, image_pos_in_tokens=True).train()
    inputs, samples = make_e2evlp_batch(2)
    losses = model.loss(inputs, samples)
    total = sum(v for k, v in losses.items() if 'loss' in k)
    assert torch.isfinite(total)
    total.backward()
    assert model.neck.convs[0].conv.weight.grad.abs().sum() > 0
