# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""The losses of E2EVLPHead (every decoder layer), MLM and captioning do
not read device values back on the host: no ``.item()``, ``int()`` /
``float()`` of a tensor or ``.tolist()``; the detection head's only
device-to-host copy is the matching's one per step."""
from contextlib import contextmanager
from unittest import mock

import pytest
import torch
from mmengine.registry import init_default_scope

from e2evlp_mm.models.heads import (
    E2EVLPCaptionHead,
    E2EVLPHead,
    E2EVLPMLMHead,
)
from e2evlp_mm.testing import make_e2evlp_batch

READS = ('item', 'tolist', '__int__', '__float__', 'cpu')
COSTS = [
    dict(type='ClassificationCost', weight=1.),
    dict(type='BBoxL1Cost', weight=5.0, box_format='xywh'),
    dict(type='IoUCost', iou_mode='giou', weight=2.0)
]


@contextmanager
def count_host_reads():
    calls = {name: 0 for name in READS}
    patches = []
    for name in READS:
        original = getattr(torch.Tensor, name)

        def counted(tensor, *args, _name=name, _original=original, **kw):
            calls[_name] += 1
            return _original(tensor, *args, **kw)

        patches.append(mock.patch.object(torch.Tensor, name, counted))
    for p in patches:
        p.start()
    try:
        yield calls
    finally:
        for p in patches:
            p.stop()


@pytest.fixture
def batch():
    init_default_scope('mmdet')
    return make_e2evlp_batch(
        3, image_sizes=((64, 64), (48, 80), (30, 50)), num_gts=(3, 1, 2),
        vocab_size=20)


def test_detection_losses_of_six_layers(batch):
    _, samples = batch
    head = E2EVLPHead(
        num_classes=5, num_attributes=4, embed_dims=8,
        train_cfg=dict(assigner=dict(type='E2EVLPBatchHungarianAssigner',
                                     match_costs=COSTS)))
    hidden = torch.randn(6, 3, 7, 8, requires_grad=True)
    with count_host_reads() as calls:
        losses = head.loss(hidden, samples)
    assert len(losses) == 6 * 4  # loss_cls/bbox/iou/attr, 5 d{i}. copies
    assert calls == dict(item=0, tolist=0, __int__=0, __float__=0, cpu=1)
    sum(losses.values()).backward()


def test_mlm_and_caption_losses(batch):
    _, samples = batch
    mlm = E2EVLPMLMHead(vocab_size=20, embed_dims=8)
    cap = E2EVLPCaptionHead(vocab_size=20, embed_dims=8, pad_id=0,
                            bos_id=1, eos_id=2)
    feats = torch.randn(3, 8, 8)
    words = torch.randn(20, 8)
    with count_host_reads() as calls:
        losses = mlm.loss(feats, words, samples)
        losses.update(cap.loss(lambda ids: torch.randn(*ids.shape, 8),
                               samples))
    assert {k: torch.isfinite(v).item() for k, v in losses.items()} == \
        dict(loss_mlm=True, acc_mlm=True, loss_cap=True)
    assert calls == dict(item=0, tolist=0, __int__=0, __float__=0, cpu=0)
