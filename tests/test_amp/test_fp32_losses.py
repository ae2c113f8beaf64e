# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""The fp32 helper and the box-loss traps of half precision."""
import pytest
import torch
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData

from e2evlp_mm.models.heads import E2EVLPHead
from e2evlp_mm.models.precision import fp32, to_fp32

H, W = 800, 1333  # the paper's test resolution


def test_fp32_casts_floats_and_disables_autocast():
    seen = {}

    @fp32
    def fn(x, items, mask=None):
        seen.update(x=x.dtype, items=[t.dtype for t in items],
                    mask=mask.dtype, prod=(x @ x).dtype,
                    enabled=torch.is_autocast_enabled('cpu'))
        return x

    x = torch.ones(2, 2, dtype=torch.bfloat16, requires_grad=True)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        out = fn(x, [x, torch.arange(2)], mask=torch.ones(2).bool())
        assert torch.is_autocast_enabled('cpu')  # restored
    assert seen == dict(x=torch.float32, items=[torch.float32, torch.int64],
                        mask=torch.bool, prod=torch.float32, enabled=False)
    out.sum().backward()  # the gradient reaches the bf16 input
    assert x.grad.dtype == torch.bfloat16
    assert to_fp32(dict(a=None, b=(x, ))) ['b'][0].dtype == torch.float32


@pytest.mark.parametrize('dtype', [torch.float16, torch.bfloat16], ids=str)
def test_large_box_giou_is_finite_and_exact_under_autocast(dtype):
    """A 700x1200 box: its area (840000 px^2) overflows fp16's 65504, and
    bf16 rounds its corners to multiples of 8: the loss must be the fp32
    loss of the same (half-precision) predictions."""
    init_default_scope('mmdet')
    head = E2EVLPHead(num_classes=3, num_attributes=0, embed_dims=8)
    gt = InstanceData(bboxes=torch.tensor([[50., 40., 1250., 740.]]),
                      labels=torch.tensor([1]))
    meta = dict(img_shape=(H, W), scale_factor=(1., 1.))
    # (layers, B, queries, ...): one query close to the box, one far away
    cls = torch.tensor([[[[0., 2., 0., 0.], [1., 0., 0., 0.]]]])
    boxes = torch.tensor([[[[0.48, 0.49, 0.88, 0.86],
                            [0.2, 0.2, 0.1, 0.1]]]])
    half = cls.to(dtype), boxes.to(dtype)
    with torch.autocast('cpu', dtype=dtype):
        amp = head.loss_by_feat(*half, None, [gt], [meta])
    ref = head.loss_by_feat(*(t.float() for t in half), None, [gt], [meta])
    for key in ('loss_iou', 'loss_bbox', 'loss_cls'):
        assert amp[key].dtype == torch.float32
        assert torch.isfinite(amp[key]), key
        torch.testing.assert_close(amp[key], ref[key], rtol=0, atol=0)
    # and it is the GIoU loss of the matched query, computed by hand
    cx, cy, w, h = half[1][0, 0, 0].float().tolist()
    x1, y1, x2, y2 = ((cx - w / 2) * W, (cy - h / 2) * H, (cx + w / 2) * W,
                      (cy + h / 2) * H)
    gx1, gy1, gx2, gy2 = gt.bboxes[0].tolist()
    inter = (min(x2, gx2) - max(x1, gx1)) * (min(y2, gy2) - max(y1, gy1))
    union = (x2 - x1) * (y2 - y1) + (gx2 - gx1) * (gy2 - gy1) - inter
    hull = (max(x2, gx2) - min(x1, gx1)) * (max(y2, gy2) - min(y1, gy1))
    giou = inter / union - (hull - union) / hull
    weight = head.loss_iou.loss_weight
    assert amp['loss_iou'].item() == pytest.approx(weight * (1 - giou),
                                                   rel=1e-5)
