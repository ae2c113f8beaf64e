# Copyright (c) e2evlp-mm contributors. All rights reserved.
import os.path as osp

import torch

from e2evlp_mm.datasets import (
    E2EVLPCaptionDataset,
    E2EVLPNLVR2Dataset,
    E2EVLPRetrievalDataset,
    E2EVLPVQADataset,
)


def test_vqa(data_root, tokenizer_path):
    ds = E2EVLPVQADataset(
        data_root=osp.join(data_root, 'vqa'),
        data_prefix=osp.join(data_root, 'coco/train2014'),
        question_file='v2_OpenEnded_mscoco_train2014_questions.json',
        ann_file='v2_mscoco_train2014_annotations.json',
        pipeline=[
            dict(type='E2EVLPLoadImageFromFile'),
            dict(type='E2EVLPVQATarget', answer_list_path=osp.join(
                data_root, 'vqa/answer_list.json')),
            dict(type='E2EVLPTokenize', tokenizer_path=tokenizer_path),
            dict(type='PackE2EVLPInputs')
        ])
    assert len(ds) == 3
    info = ds.get_data_info(1)
    assert info['text'] == 'How many squares are there?'
    assert info['question_id'] == 1001 and info['img_id'] == 1
    assert info['img_path'].endswith('COCO_train2014_000000000001.jpg')
    assert len(info['gt_answer']) == 10
    assert info['gt_answer_weight'] == [0.1] * 10
    s = ds[1]['data_samples']
    # '1' x8 and 'one' -> '1' x9 after normalization, '2' x1
    assert torch.allclose(s.answer_scores,
                          torch.tensor([0, 0, 1, 1 / 3, 0, 0]))
    assert s.question_id == 1001 and 'caption_ids' not in s


def test_vqa_test_split_without_answers(data_root):
    ds = E2EVLPVQADataset(
        data_root=osp.join(data_root, 'vqa'),
        data_prefix=dict(img=osp.join(data_root, 'coco/train2014')),
        question_file='v2_OpenEnded_mscoco_train2014_questions.json',
        test_mode=True)
    assert 'gt_answer' not in ds.get_data_info(0)


def test_nlvr2_official_layout_and_pair_loading(data_root, tokenizer_path):
    pipeline = [
        dict(type='E2EVLPApplyToImagePair', transforms=[
            dict(type='E2EVLPLoadImageFromFile'),
            dict(type='Resize', scale=(16, 16), keep_ratio=True)]),
        dict(type='E2EVLPTokenize', tokenizer_path=tokenizer_path),
        dict(type='PackE2EVLPInputs')
    ]
    train = E2EVLPNLVR2Dataset(
        data_root=osp.join(data_root, 'nlvr2'), ann_file='train.json',
        data_prefix='images/train', pipeline=pipeline)
    assert len(train) == 2
    info = train.get_data_info(0)
    assert info['img_path'][1].endswith('images/train/10/train-10-0-img1.png')
    assert info['nlvr_label'] == 1 and train.get_data_info(1)[
        'nlvr_label'] == 0
    out = train[0]
    assert isinstance(out['inputs'], list) and len(out['inputs']) == 2
    assert out['inputs'][0].shape == (3, 12, 16)
    s = out['data_samples']
    assert s.nlvr_label.item() == 1 and len(s.img_shape) == 2
    dev = E2EVLPNLVR2Dataset(data_root=osp.join(data_root, 'nlvr2'),
                             ann_file='dev.json', data_prefix='dev')
    assert dev.get_data_info(0)['img_path'][0].endswith(
        'dev/dev-5-1-img0.png')


def test_nlvr2_pair_skipped_when_one_image_is_bad(data_root, tmp_path):
    from e2evlp_mm.datasets.transforms import E2EVLPApplyToImagePair
    pair = E2EVLPApplyToImagePair([dict(type='E2EVLPLoadImageFromFile')])
    good = osp.join(data_root, 'nlvr2/dev/dev-5-1-img0.png')
    assert pair(dict(img_path=[good, str(tmp_path / 'x.png')])) is None
    assert len(pair(dict(img_path=[good, good]))['img']) == 2


def test_karpathy_caption_train_and_test(data_root):
    kwargs = dict(ann_file=osp.join(data_root, 'karpathy/dataset_coco.json'),
                  data_prefix=dict(img=osp.join(data_root, 'karpathy/coco')))
    train = E2EVLPCaptionDataset(**kwargs)
    assert len(train) == 3  # train + restval sentences
    assert train.get_data_info(2)['caption'] == 'A blue square.'
    assert train.get_data_info(2)['img_id'] == 2  # cocoid
    test = E2EVLPCaptionDataset(split='test', test_mode=True, **kwargs)
    assert len(test) == 2
    assert test.get_data_info(0)['gt_captions'] == [
        'Two stars.', 'Yellow stars.', 'Stars.']


def test_retrieval_train_and_test(data_root):
    kwargs = dict(
        ann_file=osp.join(data_root, 'karpathy/dataset_flickr30k.json'),
        data_prefix=osp.join(data_root, 'karpathy/flickr30k-images'))
    train = E2EVLPRetrievalDataset(split='train', **kwargs)
    assert len(train) == 3
    assert train.get_data_info(2)['text'] == 'A cross.'
    # negatives are drawn in the batch by the head: no text pool
    assert train[0]['text'] and 'text_pool' not in train[0]
    test = E2EVLPRetrievalDataset(split='test', test_mode=True, **kwargs)
    assert (test.img_size, test.text_size) == (2, 3)
    first, second = test.get_data_info(0), test.get_data_info(1)
    assert first['gt_text_id'] == [0, 1] and second['gt_text_id'] == [2]
    assert second['text'] == ['A star.'] and second['image_id'] == 1
