"""mmcv 2.1.0 was built with its compiled CPU ops."""
import torch
from mmcv.ops import batched_nms, nms


def test_nms_suppresses_overlaps():
    boxes = torch.tensor([[0., 0., 10., 10.], [1., 1., 11., 11.],
                          [20., 20., 30., 30.]])
    scores = torch.tensor([0.9, 0.8, 0.7])
    dets, keep = nms(boxes, scores, iou_threshold=0.5)
    # IoU(box0, box1) = 81 / 119 > 0.5: box1 goes, box2 stays.
    assert keep.tolist() == [0, 2]
    assert torch.allclose(dets[:, 4], torch.tensor([0.9, 0.7]))


def test_batched_nms_keeps_overlaps_of_other_classes():
    boxes = torch.tensor([[0., 0., 10., 10.], [1., 1., 11., 11.],
                          [1., 1., 11., 11.]])
    scores = torch.tensor([0.9, 0.8, 0.7])
    idxs = torch.tensor([0, 0, 1])
    _, keep = batched_nms(boxes, scores, idxs,
                          dict(type='nms', iou_threshold=0.5))
    assert sorted(keep.tolist()) == [0, 2]
