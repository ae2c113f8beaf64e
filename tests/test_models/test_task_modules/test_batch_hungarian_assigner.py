# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""E2EVLPBatchHungarianAssigner matches exactly as mmdet's per-image
HungarianAssigner, and E2EVLPHead's losses do not depend on which one."""
import copy
from unittest import mock

import pytest
import torch
from mmdet.registry import TASK_UTILS
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData

from e2evlp_mm.models.heads import E2EVLPHead

COSTS = [
    dict(type='ClassificationCost', weight=1.),
    dict(type='BBoxL1Cost', weight=5.0, box_format='xywh'),
    dict(type='IoUCost', iou_mode='giou', weight=2.0)
]
NUM_CLASSES, NUM_QUERIES = 5, 7


def random_batch(seed, shapes, num_gts):
    """Predictions (scores, normalized cxcywh) and ground truth (pixels)."""
    g = torch.Generator().manual_seed(seed)
    batch = len(shapes)
    cls = torch.randn(batch, NUM_QUERIES, NUM_CLASSES + 1, generator=g)
    boxes = torch.rand(batch, NUM_QUERIES, 4, generator=g) * 0.5 + 0.1
    gts, metas = [], []
    for (h, w), k in zip(shapes, num_gts):
        xy = torch.rand(k, 2, generator=g) * torch.tensor([w, h]) * 0.6
        wh = torch.rand(k, 2, generator=g) * torch.tensor([w, h]) * 0.3 + 2
        gts.append(InstanceData(
            bboxes=torch.cat([xy, xy + wh], 1),
            labels=torch.randint(NUM_CLASSES, (k, ), generator=g),
            attributes=torch.randint(-1, 3, (k, ), generator=g)))
        metas.append(dict(img_shape=(h, w), scale_factor=(1., 1.)))
    return cls, boxes, gts, metas


# one shape; mixed shapes; images without ground truth; more gts than
# queries would need (k <= queries in DETR)
CASES = [
    ([(64, 64)] * 6, [3, 1, 4, 2, 7, 1]),
    ([(64, 48), (48, 64), (64, 48), (30, 90)], [2, 5, 3, 4]),
    ([(64, 64)] * 4, [0, 3, 0, 2]),
    ([(50, 80)], [0]),
]


@pytest.mark.parametrize('shapes,num_gts', CASES)
@pytest.mark.parametrize('seed', [0, 1, 2])
def test_batch_matching_equals_mmdet_per_image(shapes, num_gts, seed):
    init_default_scope('mmdet')
    batched = TASK_UTILS.build(
        dict(type='E2EVLPBatchHungarianAssigner', match_costs=COSTS))
    single = TASK_UTILS.build(
        dict(type='HungarianAssigner', match_costs=COSTS))
    cls, boxes, gts, metas = random_batch(seed, shapes, num_gts)
    factors = torch.tensor([[w, h, w, h] for h, w in shapes])
    cx, cy, bw, bh = boxes.unbind(-1)
    xyxy = torch.stack([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2],
                       -1) * factors[:, None]

    gt_inds = batched.assign_batch(cls, xyxy, gts, metas)

    assert gt_inds.shape == (len(shapes), NUM_QUERIES)
    for i, (gt, meta) in enumerate(zip(gts, metas)):
        pred = InstanceData(scores=cls[i], bboxes=xyxy[i])
        expected = single.assign(pred, gt, meta).gt_inds
        assert torch.equal(gt_inds[i], expected), i
        # every gt is matched exactly once
        assert sorted(gt_inds[i][gt_inds[i] > 0].tolist()) == \
            list(range(1, len(gt) + 1))


@pytest.mark.parametrize('shapes,num_gts', CASES[:3])
def test_head_losses_do_not_depend_on_the_assigner(shapes, num_gts):
    init_default_scope('mmdet')
    losses = {}
    for assigner in ('HungarianAssigner', 'E2EVLPBatchHungarianAssigner'):
        torch.manual_seed(0)
        head = E2EVLPHead(
            num_classes=NUM_CLASSES,
            num_attributes=3,
            embed_dims=8,
            train_cfg=dict(
                assigner=dict(type=assigner, match_costs=COSTS)))
        cls, boxes, gts, metas = random_batch(3, shapes, num_gts)
        attrs = torch.randn(2, len(shapes), NUM_QUERIES, 3,
                            generator=torch.Generator().manual_seed(4))
        layers = torch.stack([cls, cls.flip(1)]), torch.stack(
            [boxes, boxes.flip(1)])
        losses[assigner] = head.loss_by_feat(*layers, attrs,
                                             copy.deepcopy(gts), metas)
    single, batched = losses.values()
    assert single.keys() == batched.keys()
    assert 'loss_attr' in batched and 'd0.loss_iou' in batched
    for key in single:
        assert torch.equal(single[key], batched[key]), key


def random_shapes(seed, batch):
    g = torch.Generator().manual_seed(100 + seed)
    return [tuple(torch.randint(24, 160, (2, ), generator=g).tolist())
            for _ in range(batch)]


@pytest.mark.parametrize('seed', range(5))
def test_mixed_sizes_and_layers_in_one_host_copy(seed):
    """Every image its own size (multi-scale training), three decoder
    layers: one cost computation and one device-to-host copy, and the
    matching of mmdet's per-image assigner for every layer and image."""
    init_default_scope('mmdet')
    batched = TASK_UTILS.build(
        dict(type='E2EVLPBatchHungarianAssigner', match_costs=COSTS))
    single = TASK_UTILS.build(
        dict(type='HungarianAssigner', match_costs=COSTS))
    shapes = random_shapes(seed, 5)
    num_gts = torch.randint(0, NUM_QUERIES + 1, (5, ),
                            generator=torch.Generator().manual_seed(seed))
    layers = [random_batch(seed * 10 + i, shapes, num_gts.tolist())
              for i in range(3)]
    gts, metas = layers[0][2], layers[0][3]
    factors = torch.tensor([[w, h, w, h] for h, w in shapes])
    cls = torch.stack([layer[0] for layer in layers])
    cx, cy, bw, bh = torch.stack([layer[1] for layer in layers]).unbind(-1)
    xyxy = torch.stack([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2],
                       -1) * factors[:, None]

    copies, cpu = [], torch.Tensor.cpu

    def counted_cpu(tensor, *args, **kwargs):
        copies.append(tensor.shape)
        return cpu(tensor, *args, **kwargs)

    with mock.patch.object(torch.Tensor, 'cpu', counted_cpu):
        gt_inds = batched.assign_batch(cls, xyxy, gts, metas)
    assert len(copies) == (1 if sum(num_gts) else 0)

    assert gt_inds.shape == (3, 5, NUM_QUERIES)
    for layer in range(3):
        for i, (gt, meta) in enumerate(zip(gts, metas)):
            pred = InstanceData(scores=cls[layer, i], bboxes=xyxy[layer, i])
            expected = single.assign(pred, gt, meta).gt_inds
            assert torch.equal(gt_inds[layer, i], expected), (layer, i)
