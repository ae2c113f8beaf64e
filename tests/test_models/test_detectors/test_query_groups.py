# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Group DETR's query groups (``num_query_groups``) in the E2E-VLP trunk."""
import os.path as osp

import torch

import e2evlp_mm  # noqa: F401  (registers the models)
from e2evlp_mm.models.layers import group_self_attn_mask
from e2evlp_mm.testing import build_model_from, make_e2evlp_batch

TINY = osp.join(osp.dirname(__file__), '..', '..', 'data', 'configs',
                'e2evlp_tiny.py')
DET_KEYS = ('loss_cls', 'loss_bbox', 'loss_iou', 'loss_attr')
K = 3


def build(groups, **overrides):
    return build_model_from(TINY, num_query_groups=groups, **overrides)


def test_mask_keeps_attention_inside_each_group():
    mask = group_self_attn_mask(2, 3, torch.device('cpu'))
    expected = ~torch.block_diag(*[torch.ones(2, 2, dtype=torch.bool)] * 3)
    assert torch.equal(mask, expected)


def test_training_runs_every_group_and_groups_do_not_see_each_other():
    model = build(K).train()
    n = model.num_queries
    assert model.query_embedding.num_embeddings == K * n
    inputs, samples = make_e2evlp_batch(2)
    feats = model.extract_feat(inputs)
    hidden = model.forward_transformer(feats, samples)['hidden_states']
    assert hidden.shape[2] == K * n
    with torch.no_grad():  # move the last group's queries only
        model.query_embedding.weight[-n:] += 1.0
    moved = model.forward_transformer(feats, samples)['hidden_states']
    assert torch.allclose(moved[:, :, :-n], hidden[:, :, :-n], atol=1e-6)
    assert not torch.allclose(moved[:, :, -n:], hidden[:, :, -n:])
    losses = model.loss(inputs, samples)
    total = sum(v for k, v in losses.items() if 'loss' in k)
    assert torch.isfinite(total)
    total.backward()
    grad = model.query_embedding.weight.grad
    assert all(grad[g * n:(g + 1) * n].abs().sum() > 0 for g in range(K))


def test_one_group_at_test_equals_the_model_without_groups():
    grouped = build(K).eval()
    plain = build(1).eval()
    state = grouped.state_dict()
    state['query_embedding.weight'] = \
        state['query_embedding.weight'][:plain.num_queries]
    plain.load_state_dict(state)
    inputs, samples = make_e2evlp_batch(2, training=False)
    with torch.no_grad():
        outs = grouped._forward(inputs, samples)
        expected = plain._forward(inputs, samples)
    for out, exp in zip(outs, expected):
        assert torch.equal(out, exp)


def test_each_group_is_matched_on_its_own_and_the_groups_averaged():
    model = build(K, mlm_head=None, itm_head=None, caption_head=None).train()
    n = model.num_queries
    inputs, samples = make_e2evlp_batch(2)
    hidden = model.forward_transformer(model.extract_feat(inputs),
                                       samples)['hidden_states']
    losses = model.detection_loss(hidden, samples)
    per_group = [
        model.bbox_head.loss(hidden[:, :, g * n:(g + 1) * n], samples)
        for g in range(K)
    ]
    for key in DET_KEYS + tuple(f'd0.{k}' for k in DET_KEYS):
        mean = sum(group[key] for group in per_group) / K
        assert torch.allclose(losses[key], mean, rtol=1e-5), key
