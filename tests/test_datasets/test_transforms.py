# Copyright (c) e2evlp-mm contributors. All rights reserved.
import os.path as osp

import numpy as np
import torch
from mmdet.structures.bbox import HorizontalBoxes

from e2evlp_mm.datasets import E2EVLPTextPool, build_tokenizer
from e2evlp_mm.datasets.transforms import (
    E2EVLPLoadImageFromFile,
    E2EVLPMaskTokens,
    E2EVLPRandomFlip,
    E2EVLPSampleITMNegative,
    E2EVLPTokenize,
    E2EVLPVQATarget,
    PackE2EVLPInputs,
)
from e2evlp_mm.datasets.transforms.random_flip import swap_words

TEXT = ('there are two red circles and one blue square left of the large '
        'yellow star above a small green triangle')


def test_tokenize_truncates(tokenizer_path):
    tok = build_tokenizer(tokenizer_path)
    out = E2EVLPTokenize(tokenizer_path, max_length=8)(
        dict(text=TEXT, caption='a star'))
    assert out['text_ids'].dtype == np.int64 and len(out['text_ids']) == 8
    assert out['text_ids'][0] == tok.cls_token_id
    assert out['text_ids'][-1] == tok.sep_token_id
    assert tok.decode(out['caption_ids'], skip_special_tokens=True) == (
        'a star')


def test_mask_statistics(tokenizer_path):
    tok = build_tokenizer(tokenizer_path)
    ids = E2EVLPTokenize(tokenizer_path)(dict(text=TEXT))['text_ids']
    special = set(tok.all_special_ids)
    mask = E2EVLPMaskTokens(tokenizer_path)
    np.random.seed(0)
    chosen = to_mask = to_random = kept = 0
    n = 2000
    for _ in range(n):
        out = mask(dict(text_ids=ids.copy()))
        new, labels = out['text_ids'], out['mlm_labels']
        picked = labels != -100
        assert picked.any()
        assert not np.isin(ids[picked], list(special)).any()
        assert (new[~picked] == ids[~picked]).all()
        assert (labels[picked] == ids[picked]).all()
        chosen += picked.sum()
        to_mask += (new[picked] == tok.mask_token_id).sum()
        same = new[picked] == ids[picked]
        kept += same.sum()
        to_random += (~same & (new[picked] != tok.mask_token_id)).sum()
        assert not set(new[picked][~same].tolist()) & (
            special - {tok.mask_token_id})
    maskable = len(ids) - 2
    assert abs(chosen / (n * maskable) - 0.15) < 0.015
    assert abs(to_mask / chosen - 0.8) < 0.03
    # a random draw can hit the original token: "kept" is slightly > 10 %
    assert abs(to_random / chosen - 0.1) < 0.03
    assert abs(kept / chosen - 0.1) < 0.03


def test_mask_skips_specials_only(tokenizer_path):
    tok = build_tokenizer(tokenizer_path)
    mask = E2EVLPMaskTokens(tokenizer_path)
    only_special = np.array([tok.cls_token_id, tok.sep_token_id])
    out = mask(dict(text_ids=only_special))
    assert (out['mlm_labels'] == -100).all()


def test_mask_tells_itm_nothing(tokenizer_path):
    """An ITM negative is corrupted exactly as a positive (same draws, so
    the same ``[MASK]`` positions) but has no MLM targets: a ``[MASK]`` in
    the input must not reveal that a pair matches."""
    tok = build_tokenizer(tokenizer_path)
    ids = E2EVLPTokenize(tokenizer_path)(dict(text=TEXT))['text_ids']
    mask = E2EVLPMaskTokens(tokenizer_path, mask_prob=0.3)
    masked = {0: 0, 1: 0}
    for seed in range(200):
        out = {}
        for label in (0, 1):
            np.random.seed(seed)
            out[label] = mask(dict(text_ids=ids.copy(), itm_label=label))
            masked[label] += (out[label]['text_ids'] == tok.mask_token_id
                              ).any()
        assert (out[0]['text_ids'] == out[1]['text_ids']).all()
        assert (out[0]['mlm_labels'] == -100).all()
        assert (out[1]['mlm_labels'] != -100).any()
    assert masked[0] == masked[1] > 150


def test_itm_negatives_rate_and_never_same_image():
    texts = [(img, f'text {img}.{k}') for img in range(3) for k in range(3)]
    pool = E2EVLPTextPool(len(texts), texts.__getitem__)
    itm = E2EVLPSampleITMNegative(prob=0.5)
    np.random.seed(1)
    labels = []
    for i in range(2000):
        img_id, text = texts[i % len(texts)]
        out = itm(dict(img_id=img_id, text=text, caption=text,
                       text_pool=pool))
        labels.append(out['itm_label'])
        assert 'text_pool' not in out and out['caption'] == text
        if out['itm_label'] == 0:
            assert not out['text'].startswith(f'text {img_id}.')
        else:
            assert out['text'] == text
    assert abs(np.mean(labels) - 0.5) < 0.04


def test_swap_words_case_and_whole_words():
    text = swap_words('Left of the leftmost; RIGHT left.',
                      [('left', 'right')])
    assert text == 'Right of the leftmost; LEFT right.'


def test_flip_swaps_text_and_boxes():
    img = np.zeros((24, 32, 3), np.uint8)
    img[:, :16] = 255
    results = dict(img=img, img_shape=(24, 32),
                   gt_bboxes=HorizontalBoxes(torch.tensor([[2., 3, 12, 11]])),
                   text='A circle left of a square', caption='Right side',
                   text_bbox=np.array([0.25, 0.2, 0.3, 0.4], np.float32))
    out = E2EVLPRandomFlip(prob=1.0)(results)
    np.testing.assert_allclose(out['text_bbox'], [0.75, 0.2, 0.3, 0.4])
    assert out['flip'] and out['flip_direction'] == 'horizontal'
    assert out['text'] == 'A circle right of a square'
    assert out['caption'] == 'Left side'
    assert out['gt_bboxes'].tensor.tolist() == [[20., 3., 30., 11.]]
    assert out['img'][0, -1, 0] == 255 and out['img'][0, 0, 0] == 0
    v = E2EVLPRandomFlip(prob=1.0, direction='vertical')(dict(
        img=img, img_shape=(24, 32), text='the star above the left circle',
        text_bbox=np.array([0.25, 0.2, 0.3, 0.4], np.float32)))
    assert v['text'] == 'the star below the left circle'
    np.testing.assert_allclose(v['text_bbox'], [0.25, 0.8, 0.3, 0.4])


def test_corrupt_image_is_skipped_and_counted(tmp_path):
    bad = tmp_path / 'bad.jpg'
    bad.write_bytes(b'not a jpeg at all')
    load = E2EVLPLoadImageFromFile()
    before = E2EVLPLoadImageFromFile.num_skipped
    assert load(dict(img_path=str(bad))) is None
    assert load(dict(img_path=str(tmp_path / 'missing.jpg'))) is None
    assert E2EVLPLoadImageFromFile.num_skipped == before + 2


def test_dataset_refetches_after_corrupt_image(data_root, tmp_path):
    from e2evlp_mm.datasets import E2EVLPPretrainDataset
    ds = E2EVLPPretrainDataset(
        data_root=osp.join(data_root, 'coco'),
        ann_file='annotations/instances_train2017.json',
        caption_file='annotations/captions_train2017.json',
        data_prefix=dict(img='train2017'),
        pipeline=[dict(type='E2EVLPLoadImageFromFile')])
    assert ds.max_refetch >= 1000
    good = ds.get_data_info(0)['img_path']
    ds_bad = ds.get_data_info(2)['img_path']  # image 2
    bad_copy = tmp_path / 'keep.jpg'
    bad_copy.write_bytes(open(ds_bad, 'rb').read())
    try:
        open(ds_bad, 'wb').write(b'corrupt')
        before = E2EVLPLoadImageFromFile.num_skipped
        out = ds[2]  # refetched: another sample, not a crash
        assert out['img_path'] != ds_bad and out['img'].shape == (24, 32, 3)
        assert E2EVLPLoadImageFromFile.num_skipped > before
        assert good
    finally:
        open(ds_bad, 'wb').write(bad_copy.read_bytes())


def test_vqa_target_and_pack(data_root):
    target = E2EVLPVQATarget(osp.join(data_root, 'vqa/answer_list.json'))
    answers = ['red'] * 7 + ['Red', 'orange', 'orange']
    out = target(dict(gt_answer=answers, gt_answer_weight=[0.1] * 10))
    assert np.allclose(out['answer_scores'], [0, 0, 0, 0, 1, 2 / 3])
    out.update(img=np.zeros((4, 5, 3), np.uint8), question_id=7,
               text='what color', nlvr_label=1)
    packed = PackE2EVLPInputs()(out)
    s = packed['data_samples']
    assert s.answer_scores.dtype == torch.float32
    assert s.gt_answer == answers and s.question_id == 7
    assert s.nlvr_label.dtype == torch.long and s.nlvr_label.shape == ()


def test_mask_content_words_more(tokenizer_path):
    """``content_words`` are chosen at ``content_mask_prob``, the rest at
    ``mask_prob``; without them the draws are the default's."""
    tok = build_tokenizer(tokenizer_path)
    ids = E2EVLPTokenize(tokenizer_path)(dict(text=TEXT))['text_ids']
    words = ('red', 'two', 'left')
    content = np.isin(ids, tok.convert_tokens_to_ids(list(words)))
    assert content.sum() == 3
    only = E2EVLPMaskTokens(tokenizer_path, mask_prob=0.0,
                            content_words=words, content_mask_prob=1.0)
    np.random.seed(0)
    assert ((only(dict(text_ids=ids.copy()))['mlm_labels'] != -100)
            == content).all()
    more = E2EVLPMaskTokens(tokenizer_path, mask_prob=0.1,
                            content_words=words, content_mask_prob=0.6)
    np.random.seed(0)
    picked = np.stack([more(dict(text_ids=ids.copy()))['mlm_labels'] != -100
                       for _ in range(2000)])
    assert abs(picked[:, content].mean() - 0.6) < 0.03
    other = ~content & ~np.isin(ids, tok.all_special_ids)
    assert abs(picked[:, other].mean() - 0.1) < 0.02
    outs = []
    for mask in (E2EVLPMaskTokens(tokenizer_path),
                 E2EVLPMaskTokens(tokenizer_path, content_words=words)):
        np.random.seed(1)
        outs.append(mask(dict(text_ids=ids.copy())))
    assert (outs[0]['mlm_labels'] == outs[1]['mlm_labels']).all()
    assert (outs[0]['text_ids'] == outs[1]['text_ids']).all()
