# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""E2EVLPGroundingHead: the region of a region description from its text
states, and the pre-training model that feeds it."""
import os.path as osp

import pytest
import torch
from mmdet.structures import DetDataSample
from torchvision.ops import generalized_box_iou

import e2evlp_mm  # noqa: F401  (registers the models)
from e2evlp_mm.models.heads import E2EVLPGroundingHead
from e2evlp_mm.testing import build_model_from, make_e2evlp_batch

TINY = osp.join(osp.dirname(__file__), '..', '..', 'data', 'configs',
                'e2evlp_tiny.py')


def _xyxy(cxcywh: torch.Tensor) -> torch.Tensor:
    cx, cy, w, h = cxcywh.unbind(-1)
    return torch.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], -1)


def test_loss_is_detrs_l1_and_giou_over_the_counted_states():
    torch.manual_seed(0)
    head = E2EVLPGroundingHead(embed_dims=8, sources=('caption', ))
    states = torch.randn(3, 4, 8)
    counted = torch.tensor([[1, 1, 0, 0], [1, 1, 1, 1], [1, 0, 0, 0]],
                           dtype=torch.bool)
    samples = [DetDataSample() for _ in range(3)]
    samples[0].text_bbox = torch.tensor([0.3, 0.4, 0.2, 0.2])
    samples[2].text_bbox = torch.tensor([0.7, 0.5, 0.4, 0.1])
    # sample 1 has no region (a caption): it adds nothing
    losses = head.loss(states, counted, samples, 'caption')
    pred = head(states, 'caption')
    boxes, targets = [], []
    for i, n in ((0, 2), (2, 1)):
        boxes.append(pred[i, :n])
        targets.append(samples[i].text_bbox.expand(n, 4))
    boxes, targets = torch.cat(boxes), torch.cat(targets)
    l1 = (boxes - targets).abs().sum() / 3
    giou = (1 - generalized_box_iou(_xyxy(boxes), _xyxy(targets)).diag()
            ).sum() / 3
    assert set(losses) == {'loss_ground_caption_bbox',
                           'loss_ground_caption_iou'}
    torch.testing.assert_close(losses['loss_ground_caption_bbox'], 5 * l1)
    torch.testing.assert_close(losses['loss_ground_caption_iou'], 2 * giou)
    assert ((pred >= 0) & (pred <= 1)).all()
    # rows: the unmatched pairs of ITM are left out
    only_first = head.loss(states, counted, samples, 'caption',
                           rows=torch.tensor([True, True, False]))
    l1_first = (pred[0, :2] - samples[0].text_bbox).abs().sum() / 2
    torch.testing.assert_close(only_first['loss_ground_caption_bbox'],
                               5 * l1_first)


def test_no_region_gives_zero_losses_that_still_backpropagate():
    head = E2EVLPGroundingHead(embed_dims=8, sources=('encoder', ))
    states = torch.randn(2, 3, 8, requires_grad=True)
    losses = head.loss(states, torch.ones(2, 3, dtype=torch.bool),
                       [DetDataSample(), DetDataSample()], 'encoder')
    total = sum(losses.values())
    assert float(total.detach()) == 0.0
    total.backward()  # the graph exists: DDP sees every parameter used


def test_unknown_source_raises():
    with pytest.raises(ValueError, match='sources'):
        E2EVLPGroundingHead(embed_dims=8, sources=('image', ))


def test_pretraining_grounds_caption_and_encoder_states():
    model = build_model_from(TINY, grounding_head=dict(
        type='E2EVLPGroundingHead')).train()
    inputs, samples = make_e2evlp_batch(2)
    for i, ds in enumerate(samples):
        ds.text_bbox = torch.tensor([0.25 + 0.5 * i, 0.5, 0.3, 0.4])
    losses = model.loss(inputs, samples)
    keys = {f'loss_ground_{s}_{k}' for s in ('caption', 'encoder')
            for k in ('bbox', 'iou')}
    assert keys <= set(losses)
    assert all(float(losses[k]) > 0 for k in keys)
    sum(v for k, v in losses.items() if 'loss' in k).backward()
    for name, p in model.named_parameters():
        if name.startswith('grounding_head') or name.startswith('decoder'):
            assert p.grad is not None, name
    # the paper's model is unchanged: no head, no grounding loss
    paper = build_model_from(TINY).train()
    assert not any('ground' in k for k in paper.loss(inputs, samples))


def test_grounding_needs_the_branch_it_reads():
    with pytest.raises(ValueError, match='caption_head'):
        build_model_from(TINY, caption_head=None, grounding_head=dict(
            type='E2EVLPGroundingHead', sources=('caption', )))
    with pytest.raises(ValueError, match='itm_head'):
        build_model_from(TINY, itm_head=None, grounding_head=dict(
            type='E2EVLPGroundingHead', sources=('encoder', )))
