# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""A toy detector that always predicts one class, and a dataset of empty
images: tests of what a validation does with the predictions it gets.

Not imported by ``e2evlp_mm``: test configs load it through
``custom_imports`` so that it never shows in users' registries.
"""
import json
from typing import Dict, List, Optional, Sequence, Union

import torch
import torch.nn as nn
from mmdet.registry import DATASETS, MODELS
from mmdet.structures import DetDataSample
from mmengine.model import BaseModel
from mmengine.structures import InstanceData
from torch.utils.data import Dataset

IMAGE_SIZE = 40


@MODELS.register_module()
class E2EVLPToyDetector(BaseModel):
    """Predicts one box of class ``label`` on every image.

    Args:
        label (int): The predicted class index.
    """

    def __init__(self, label: int = 0) -> None:
        super().__init__()
        self.label = label
        self.weight = nn.Parameter(torch.zeros(1))

    def forward(self,
                inputs: List[torch.Tensor],
                data_samples: Optional[List[DetDataSample]] = None,
                mode: str = 'tensor'
                ) -> Union[Dict[str, torch.Tensor], List[DetDataSample]]:
        """Args: inputs (list[Tensor]): ``(1,)`` per image (unused);
        data_samples (list[DetDataSample]): ``img_id`` and
        ``ori_shape``."""
        if mode == 'loss':
            return dict(loss_toy=(self.weight - 1).pow(2).sum())
        for sample in data_samples:
            sample.pred_instances = InstanceData(
                bboxes=torch.tensor([[0., 0., 10., 10.]]),
                scores=torch.ones(1),
                labels=torch.full((1, ), self.label, dtype=torch.long))
        return data_samples


@DATASETS.register_module()
class E2EVLPToyDetection(Dataset):
    """The images of a COCO json, one per sample, with its ``classes``.

    Args:
        ann_file (str): COCO instances json.
        classes (Sequence[str]): The model's classes (``metainfo``).
    """

    def __init__(self, ann_file: str, classes: Sequence[str]) -> None:
        with open(ann_file) as f:
            self.img_ids = [im['id'] for im in json.load(f)['images']]
        self.metainfo = dict(classes=tuple(classes))

    def __len__(self) -> int:
        return len(self.img_ids)

    def __getitem__(self, idx: int) -> Dict[str, object]:
        return dict(
            inputs=torch.zeros(1),
            data_samples=DetDataSample(metainfo=dict(
                img_id=self.img_ids[idx],
                ori_shape=(IMAGE_SIZE, IMAGE_SIZE))))


def toy_coco_file(path: str, categories: Sequence[str],
                  num_images: int = 3) -> str:
    """Write a COCO instances json: ``num_images`` images of
    :data:`IMAGE_SIZE` pixels, one box of the first category on each.

    Returns:
        str: ``path``.
    """
    images = [dict(id=i, file_name=f'{i}.jpg', width=IMAGE_SIZE,
                   height=IMAGE_SIZE) for i in range(1, num_images + 1)]
    anns = [dict(id=i, image_id=i, category_id=1, bbox=[0, 0, 10, 10],
                 area=100, iscrowd=0) for i in range(1, num_images + 1)]
    cats = [dict(id=i, name=n) for i, n in enumerate(categories, 1)]
    with open(path, 'w') as f:
        json.dump(dict(images=images, annotations=anns, categories=cats), f)
    return path
