# Copyright (c) e2evlp-mm contributors. All rights reserved.
import torch
from mmdet.structures import DetDataSample

from e2evlp_mm.models.utils import stack_text


def test_stack_text_pads_right_and_masks():
    data = [
        DetDataSample(text_ids=torch.tensor([1, 5, 2])),
        DetDataSample(text_ids=torch.tensor([1, 2]))
    ]
    ids, mask = stack_text(data, 'text_ids', pad_value=0)
    assert ids.tolist() == [[1, 5, 2], [1, 2, 0]]
    assert mask.tolist() == [[False, False, False], [False, False, True]]
    assert ids.dtype == torch.long and mask.dtype == torch.bool
