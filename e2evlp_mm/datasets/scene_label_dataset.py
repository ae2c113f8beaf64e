# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Image or object classification labels from detection annotations."""
import os.path as osp
from typing import List

from mmdet.registry import DATASETS
from mmengine.dataset import BaseDataset
from mmengine.fileio import load

from .validation import E2EVLPDataError


@DATASETS.register_module()
class E2EVLPSceneLabelDataset(BaseDataset):
    """Classification samples made from a detection file: one per object
    (its (class, attribute) pair) or one per image (every pair in it).

    The demo's stand-in for ImageNet pre-training of the backbone (the
    paper starts from ImageNet weights, Sec. 4.2): a ResNet learns to name
    the coloured shapes of the world, so its features know shapes and
    colours before the detector is trained on them. Labels are read from a
    VG-style detection file (``vg_to_det.py``'s ``vg_det_*.json``: COCO
    ``images`` / ``categories`` / ``annotations`` with ``attribute_ids``
    and ``attribute_categories``); label ``c * A + a`` stands for class
    ``c`` with attribute ``a`` (``A`` attributes), or ``c`` alone with
    ``with_attributes=False``.

    Samples carry ``img_path`` and ``gt_label``, the fields mmpretrain's
    ``PackInputs`` and heads read: per object the pair's label (an int)
    and the object's ``bbox`` ``[x, y, w, h]`` (for
    :class:`~e2evlp_mm.datasets.transforms.E2EVLPCropObject`); per image
    the sorted labels of its objects (multi-label).

    Args:
        objects (bool): One sample per object (True) or per image.
            Defaults to True.
        with_attributes (bool): Pair each class with its object's first
            attribute. Defaults to True.
        **kwargs: :class:`mmengine.dataset.BaseDataset` arguments
            (``ann_file``, ``data_root``, ``data_prefix=dict(img_path=)``,
            ``pipeline``, ``test_mode``...).
    """

    def __init__(self, *args, objects: bool = True,
                 with_attributes: bool = True, **kwargs) -> None:
        self.objects = objects
        self.with_attributes = with_attributes
        super().__init__(*args, **kwargs)

    def load_data_list(self) -> List[dict]:
        """Read the images and the labels of their objects."""
        data = load(self.ann_file)
        cats = {c['id']: i for i, c in enumerate(data['categories'])}
        attrs = {a['id']: i for i, a in
                 enumerate(data.get('attribute_categories', []))}
        if self.with_attributes and not attrs:
            raise E2EVLPDataError(
                f'{self.ann_file}: no `attribute_categories` to pair the '
                'classes with (use with_attributes=False)')
        labels = {img['id']: set() for img in data['images']}
        prefix = self.data_prefix.get('img_path', '')
        paths = {img['id']: osp.join(prefix, img['file_name'])
                 for img in data['images']}
        objects = []
        for ann in data['annotations']:
            where = f'{self.ann_file}: annotation {ann.get("id")}'
            if ann['category_id'] not in cats:
                raise E2EVLPDataError(
                    f'{where}: unknown category_id {ann["category_id"]}')
            label = cats[ann['category_id']]
            if self.with_attributes:
                ids = ann.get('attribute_ids') or []
                if not ids or ids[0] not in attrs:
                    continue  # an object without a known attribute
                label = label * len(attrs) + attrs[ids[0]]
            labels[ann['image_id']].add(label)
            objects.append(
                dict(img_path=paths[ann['image_id']], img_id=ann['image_id'],
                     bbox=ann['bbox'], gt_label=label))
        if self.objects:
            return objects
        return [
            dict(img_path=path, img_id=img_id, gt_label=sorted(labels[img_id]))
            for img_id, path in paths.items()
        ]
