# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Fixtures: the hand-made annotation files plus tiny images, in tmp."""
import os.path as osp
import shutil

import mmcv
import numpy as np
import pytest
from mmengine.registry import init_default_scope

HAND_MADE = osp.join(osp.dirname(__file__), '..', 'data', 'hand_made')
TOKENIZER = osp.join(HAND_MADE, 'tokenizer')

IMAGES = (
    ['coco/train2017/%012d.jpg' % i for i in (1, 2, 3)] +
    ['coco/train2014/COCO_train2014_%012d.jpg' % i for i in (1, 2)] +
    ['vg/VG_100K/10.jpg', 'vg/VG_100K/11.jpg'] +
    [f'nlvr2/images/train/10/train-10-{k}-img{j}.png' for k in (0, 1)
     for j in (0, 1)] + ['nlvr2/dev/dev-5-1-img0.png',
                         'nlvr2/dev/dev-5-1-img1.png'] +
    ['karpathy/coco/val2014/COCO_val2014_%012d.jpg' % i
     for i in (1, 2, 3, 4)] +
    [f'karpathy/flickr30k-images/100{i}.jpg' for i in range(4)])


def left_red_image() -> np.ndarray:
    """A (24, 32, 3) BGR image: red left half, blue right half."""
    img = np.zeros((24, 32, 3), np.uint8)
    img[:, :16] = (0, 0, 255)
    img[:, 16:] = (255, 0, 0)
    return img


@pytest.fixture(scope='session')
def data_root(tmp_path_factory) -> str:
    """A copy of tests/data/hand_made with every image it refers to."""
    root = str(tmp_path_factory.mktemp('hand_made') / 'root')
    shutil.copytree(HAND_MADE, root)
    for rel in IMAGES:
        mmcv.imwrite(left_red_image(), osp.join(root, rel))
    return root


@pytest.fixture(autouse=True)
def mmdet_scope() -> None:
    init_default_scope('mmdet')


@pytest.fixture(scope='session')
def tokenizer_path() -> str:
    """The hand-made uncased WordPiece vocabulary folder."""
    return TOKENIZER
