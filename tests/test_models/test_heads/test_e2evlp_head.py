# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""E2EVLPHead: DETR losses plus the attribute loss, checked by hand."""
import pytest
import torch
import torch.nn.functional as F
from mmdet.structures import DetDataSample
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData

from e2evlp_mm.models.heads import E2EVLPHead

ASSIGNER = dict(
    type='HungarianAssigner',
    match_costs=[
        dict(type='ClassificationCost', weight=1.),
        dict(type='BBoxL1Cost', weight=5.0, box_format='xywh'),
        dict(type='IoUCost', iou_mode='giou', weight=2.0)
    ])
META = dict(img_shape=(100, 100), scale_factor=(1.0, 1.0))


@pytest.fixture
def head():
    init_default_scope('mmdet')
    return E2EVLPHead(
        num_classes=3,
        num_attributes=4,
        embed_dims=8,
        train_cfg=dict(assigner=ASSIGNER),
        test_cfg=dict(max_per_img=2))


def predictions():
    """4 queries; query 0 sits on gt 0 and query 2 on gt 1 (cxcywh)."""
    boxes = torch.tensor([[0.2, 0.2, 0.2, 0.2], [0.8, 0.8, 0.1, 0.1],
                          [0.6, 0.5, 0.2, 0.4], [0.1, 0.9, 0.1, 0.1]])
    cls = torch.full((4, 4), -5.)
    cls[0, 0] = cls[2, 1] = 5.
    cls[1, 3] = cls[3, 3] = 5.  # the others say "no object"
    attr = torch.randn(4, 4, generator=torch.Generator().manual_seed(0))
    return cls[None, None], boxes[None, None], attr[None, None]


def gts(attributes):
    return InstanceData(
        bboxes=torch.tensor([[10., 10., 30., 30.], [50., 30., 70., 70.]]),
        labels=torch.tensor([0, 1]),
        attributes=torch.tensor(attributes))


def test_class_weight_has_background_entry(head):
    assert head.loss_cls.class_weight == [1.0, 1.0, 1.0, 0.1]
    assert head.bg_cls_weight == 0.1


def test_attribute_loss_counts_matched_objects_with_attributes(head):
    cls, boxes, attr = predictions()
    losses = head.loss_by_feat(cls, boxes, attr, [gts([-1, 2])], [META])
    # only gt 1 (matched by query 2) has an attribute
    expected = F.cross_entropy(attr[0, 0, 2:3], torch.tensor([2]))
    torch.testing.assert_close(losses['loss_attr'], expected)
    assert losses['loss_bbox'] < 1e-6 and losses['loss_iou'] < 1e-6

    # scores of unmatched queries or attribute-less objects do not matter
    attr2 = attr.clone()
    attr2[..., [0, 1, 3], :] += torch.randn(3, 4)
    losses2 = head.loss_by_feat(cls, boxes, attr2, [gts([-1, 2])], [META])
    torch.testing.assert_close(losses2['loss_attr'], expected)

    both = head.loss_by_feat(cls, boxes, attr, [gts([3, 2])], [META])
    expected = F.cross_entropy(attr[0, 0, [0, 2]], torch.tensor([3, 2]))
    torch.testing.assert_close(both['loss_attr'], expected)

    none = head.loss_by_feat(cls, boxes, attr, [gts([-1, -1])], [META])
    assert none['loss_attr'] == 0


def test_every_layer_has_losses(head):
    hidden = torch.randn(3, 2, 5, 8, requires_grad=True)
    samples = [
        DetDataSample(metainfo=META, gt_instances=gts([1, -1]))
        for _ in range(2)
    ]
    losses = head.loss(hidden, samples)
    for i in range(2):
        for name in ('loss_cls', 'loss_bbox', 'loss_iou', 'loss_attr'):
            assert f'd{i}.{name}' in losses and name in losses


def test_empty_targets(head):
    cls, boxes, attr = predictions()
    empty = InstanceData(
        bboxes=torch.zeros(0, 4),
        labels=torch.zeros(0, dtype=torch.long),
        attributes=torch.zeros(0, dtype=torch.long))
    losses = head.loss_by_feat(cls, boxes, attr, [empty], [META])
    assert losses['loss_bbox'] == 0 and losses['loss_iou'] == 0
    assert losses['loss_attr'] == 0 and losses['loss_cls'] > 0


def test_predict_by_feat(head):
    cls, boxes, attr = predictions()
    meta = dict(img_shape=(100, 100), scale_factor=(0.5, 0.25))
    result = head.predict_by_feat(cls, boxes, attr, [meta])[0]
    assert result.labels.tolist() == [0, 1]
    assert result.attr_scores.shape == (2, 4)
    torch.testing.assert_close(result.attr_scores,
                               attr[0, 0, [0, 2]].softmax(-1))
    torch.testing.assert_close(result.bboxes[0],
                               torch.tensor([20., 40., 60., 120.]))


def test_nms_drops_lower_scored_duplicates(head):
    """``test_cfg.nms``: a second box of the same class on one object goes,
    its attributes with it; other classes and other objects stay."""
    cls, boxes, attr = predictions()
    boxes[0, 0, 1] = torch.tensor([0.21, 0.2, 0.2, 0.2])  # on query 0's box
    boxes[0, 0, 3] = torch.tensor([0.2, 0.21, 0.2, 0.2])  # same, class 2
    cls[0, 0, 2, 1] = 4.  # scores: query 0 > 2 > 1 > 3
    cls[0, 0, 1] = torch.tensor([3., -5., -5., 3.])  # class 0 again
    cls[0, 0, 3] = torch.tensor([-5., -5., 2., 3.])  # class 2
    head.test_cfg = dict(max_per_img=4)
    without = head.predict_by_feat(cls, boxes, attr, [META])[0]
    assert without.labels.tolist() == [0, 1, 0, 2]

    head.test_cfg = dict(max_per_img=4,
                         nms=dict(type='nms', iou_threshold=0.5))
    result = head.predict_by_feat(cls, boxes, attr, [META])[0]
    assert result.labels.tolist() == [0, 1, 2]  # the class-0 duplicate
    torch.testing.assert_close(result.scores, without.scores[[0, 1, 3]])
    torch.testing.assert_close(result.attr_scores,
                               attr[0, 0, [0, 2, 3]].softmax(-1))

    head.test_cfg['nms']['class_agnostic'] = True
    agnostic = head.predict_by_feat(cls, boxes, attr, [META])[0]
    assert agnostic.labels.tolist() == [0, 1]  # both duplicates


def test_no_attributes_is_detr():
    """``num_attributes=0``: no branch, no ``loss_attr``, DETR outputs."""
    init_default_scope('mmdet')
    head = E2EVLPHead(
        num_classes=3,
        num_attributes=0,
        embed_dims=8,
        train_cfg=dict(assigner=ASSIGNER),
        test_cfg=dict(max_per_img=2))
    assert not hasattr(head, 'fc_attr')
    hidden = torch.randn(2, 1, 5, 8, requires_grad=True)
    samples = [DetDataSample(metainfo=META, gt_instances=gts([1, -1]))]
    losses = head.loss(hidden, samples)
    assert set(losses) == {
        f'{p}{n}'
        for p in ('', 'd0.') for n in ('loss_cls', 'loss_bbox', 'loss_iou')
    }
    sum(losses.values()).backward()
    assert all(p.grad is not None for p in head.parameters())
    result = head.predict(hidden, samples)[0]
    assert 'attr_scores' not in result and len(result.scores) == 2
