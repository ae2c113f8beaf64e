# Copyright (c) e2evlp-mm contributors. All rights reserved.
import os.path as osp

import numpy as np
import pytest
import torch
from pycocotools.coco import COCO

from e2evlp_mm.datasets import E2EVLPDataError, E2EVLPPretrainDataset


def coco_dataset(root, **kwargs):
    return E2EVLPPretrainDataset(
        data_root=osp.join(root, 'coco'),
        ann_file='annotations/instances_train2017.json',
        caption_file='annotations/captions_train2017.json',
        data_prefix=dict(img='train2017'), **kwargs)


def vg_dataset(root, **kwargs):
    return E2EVLPPretrainDataset(
        data_root=osp.join(root, 'vg'), ann_file='vg_det.json', source='vg',
        data_prefix=dict(img=''), **kwargs)


def test_hand_made_coco_opens_in_pycocotools(data_root):
    coco = COCO(osp.join(data_root, 'coco/annotations/instances_train2017'
                         '.json'))
    assert len(coco.getImgIds()) == 3 and len(coco.getAnnIds()) == 4
    caps = COCO(osp.join(data_root, 'coco/annotations/captions_train2017'
                         '.json'))
    assert len(caps.getAnnIds(imgIds=[1])) == 2


def test_coco_pairs(data_root):
    ds = coco_dataset(data_root)
    assert len(ds) == 5  # one sample per caption
    assert ds.metainfo['classes'] == ('circle', 'square', 'triangle')
    assert ds.metainfo['attributes'] == ()
    info = ds.get_data_info(0)
    assert info['img_id'] == 1 and info['text'] == info['caption'] == (
        'A red circle left of a blue square.')
    assert info['instances'][0]['bbox'] == [2, 3, 12, 11]
    assert [i['attribute'] for i in info['instances']] == [-1, -1]
    crowd = ds.get_data_info(2)['instances'][0]
    assert crowd['ignore_flag'] == 1 and crowd['bbox_label'] == 2
    assert len(coco_dataset(data_root, max_texts_per_image=1)) == 3
    # filter_empty_gt drops image 3, which has no objects
    assert len(coco_dataset(
        data_root, filter_cfg=dict(filter_empty_gt=True))) == 4


def test_coco_test_mode_one_entry_per_image(data_root):
    ds = coco_dataset(data_root, test_mode=True)
    assert [ds.get_data_info(i)['img_id'] for i in range(len(ds))] == [
        1, 2, 3]


def test_vg_attributes_and_shared_class_list(data_root):
    classes = ('circle', 'square', 'triangle', 'star')
    attributes = ('blue', 'red', 'green')
    ds = vg_dataset(data_root,
                    metainfo=dict(classes=classes, attributes=attributes))
    assert len(ds) == 4
    info = ds.get_data_info(0)
    assert info['text'] == 'a blue star'
    assert info['img_path'].endswith('VG_100K/10.jpg')
    # star -> 3, circle -> 0 in the configured list; first attribute wins
    assert [i['bbox_label'] for i in info['instances']] == [3, 0]
    assert [i['attribute'] for i in info['instances']] == [0, -1]
    assert ds.metainfo['attributes'] == attributes
    with pytest.raises(E2EVLPDataError, match=r"categories.*\['star'\]"):
        vg_dataset(data_root, metainfo=dict(classes=('circle', )))


def test_region_boxes_ride_with_their_descriptions(data_root):
    # 'a circle right of the star': bbox [1, 1, 20, 10] in a 32 x 24 image
    info = vg_dataset(data_root).get_data_info(1)
    assert info['text'] == 'a circle right of the star'
    np.testing.assert_allclose(info['text_bbox'],
                               [11 / 32, 6 / 24, 20 / 32, 10 / 24])
    assert info['text_bbox'].dtype == np.float32
    # a COCO caption has no region
    assert 'text_bbox' not in coco_dataset(data_root).get_data_info(0)


def test_pretrain_pipeline_packs_contract_fields(data_root, tokenizer_path):
    pipeline = [
        dict(type='E2EVLPLoadImageFromFile'),
        dict(type='E2EVLPLoadAnnotations', with_bbox=True),
        dict(type='E2EVLPSampleITMNegative', prob=0.5),
        dict(type='E2EVLPRandomFlip', prob=0.5),
        dict(type='E2EVLPTokenize', tokenizer_path=tokenizer_path),
        dict(type='E2EVLPMaskTokens', tokenizer_path=tokenizer_path),
        dict(type='PackE2EVLPInputs'),
    ]
    ds = vg_dataset(data_root, pipeline=pipeline)
    np.random.seed(0)
    out = ds[0]
    sample = out['data_samples']
    assert out['inputs'].shape == (3, 24, 32)
    assert out['inputs'].dtype == torch.uint8
    assert sample.gt_instances.attributes.tolist() == [1, -1]
    assert sample.gt_instances.bboxes.shape == (2, 4)
    assert sample.text_ids.dtype == torch.long
    assert sample.mlm_labels.shape == sample.text_ids.shape
    assert sample.itm_label.shape == () and 'caption_ids' in sample
    assert sample.caption in ('a blue star', )
    # [1, 1, 10, 10] in 32 x 24, mirrored when the sample was flipped
    cx = 6 / 32 if not sample.flip else 1 - 6 / 32
    torch.testing.assert_close(sample.text_bbox,
                               torch.tensor([cx, 6 / 24, 10 / 32, 10 / 24]))
    assert 'text_pool' not in sample.metainfo
