# Copyright (c) e2evlp-mm contributors. All rights reserved.
from typing import Sequence

import numpy as np
import torch
from mmcv.transforms import to_tensor
from mmdet.datasets.transforms import PackDetInputs
from mmdet.registry import TRANSFORMS

_LONG_FIELDS = ('text_ids', 'mlm_labels', 'caption_ids', 'itm_label',
                'nlvr_label')
_LIST_FIELDS = ('gt_answer', 'gt_answer_weight')


def _image_to_tensor(img: np.ndarray) -> torch.Tensor:
    if img.ndim < 3:
        img = img[..., None]
    return to_tensor(np.ascontiguousarray(img.transpose(2, 0, 1)))


@TRANSFORMS.register_module()
class PackE2EVLPInputs(PackDetInputs):
    """Pack a sample into ``dict(inputs, data_samples=DetDataSample)``.

    Extends mmdet's ``PackDetInputs`` with the fields of
    ``docs/data_contract.md``:

    - ``gt_attributes`` -> ``gt_instances.attributes`` (LongTensor ``(n,)``)
    - ``text_ids``, ``mlm_labels``, ``caption_ids`` (LongTensor ``(L,)``),
      ``itm_label``, ``nlvr_label`` (LongTensor ``()``),
      ``answer_scores`` (FloatTensor ``(num_answers,)``), ``text_bbox``
      (FloatTensor ``(4,)``: the region of a region description, cx, cy,
      w, h in [0, 1] of the image), ``gt_answer``
      (list[str]) and ``gt_answer_weight`` (list[float]) as data fields.
    - An image pair (``results['img']`` a list, NLVR2) becomes a list of
      two uint8 ``(3, H, W)`` tensors; per-image metainfo stays as lists.

    Args:
        meta_keys (Sequence[str]): Metainfo keys packed when present.
    """

    mapping_table = dict(PackDetInputs.mapping_table,
                         gt_attributes='attributes')

    def __init__(self, meta_keys: Sequence[str] = (
            'img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor',
            'flip', 'flip_direction', 'text', 'caption', 'question_id',
            'text_id', 'image_id_for_text', 'gt_text_id', 'gt_image_id',
            'gt_captions')) -> None:
        super().__init__(meta_keys=meta_keys)

    def transform(self, results: dict) -> dict:
        """Pack ``results``; see the class docstring for the fields."""
        if 'gt_attributes' in results and 'gt_bboxes' in results and len(
                results['gt_attributes']) != len(results['gt_bboxes']):
            raise ValueError(
                f'{results.get("img_path")}: {len(results["gt_bboxes"])} '
                f'boxes but {len(results["gt_attributes"])} attributes; a '
                'transform dropped boxes without their attributes.')
        imgs = results.get('img')
        if isinstance(imgs, list):
            results = {k: v for k, v in results.items() if k != 'img'}
        packed = super().transform(results)
        if isinstance(imgs, list):
            packed['inputs'] = [_image_to_tensor(img) for img in imgs]
        sample = packed['data_samples']
        for key in _LONG_FIELDS:
            if key in results:
                sample.set_field(
                    torch.as_tensor(np.asarray(results[key]),
                                    dtype=torch.long), key)
        for key in ('answer_scores', 'text_bbox'):
            if results.get(key) is not None:
                sample.set_field(
                    torch.as_tensor(np.asarray(results[key]),
                                    dtype=torch.float32), key)
        for key in _LIST_FIELDS:
            if key in results:
                sample.set_field(list(results[key]), key)
        return packed
