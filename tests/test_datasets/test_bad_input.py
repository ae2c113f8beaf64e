# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Every malformed record is rejected at load time, naming file, record and
field."""
import json
import os.path as osp
import re

import pytest

from e2evlp_mm.datasets import (
    E2EVLPCaptionDataset,
    E2EVLPDataError,
    E2EVLPMissingImageError,
    E2EVLPNLVR2Dataset,
    E2EVLPPretrainDataset,
    E2EVLPVQADataset,
)


def mutated(src: str, dst, edit) -> str:
    with open(src) as f:
        raw = json.load(f)
    edit(raw)
    dst.write_text(json.dumps(raw))
    return str(dst)


def delete(key):
    return lambda rec: rec.pop(key)


COCO_CASES = {
    'missing key': (lambda r: delete('bbox')(r['annotations'][1]),
                    "record 1 (id 12): missing field 'bbox'"),
    'bbox of three': (lambda r: r['annotations'][0].update(bbox=[1, 2, 3]),
                      "record 0 (id 11): field 'bbox' must be four numbers"),
    'bbox of text': (lambda r: r['annotations'][0].update(
        bbox=['1', 2, 3, 4]), "record 0 (id 11): field 'bbox'"),
    'negative box': (lambda r: r['annotations'][3].update(
        bbox=[2, 3, -1, 5]), "record 3 (id 22): field 'bbox' has a negative"),
    'zero width image': (lambda r: r['images'][1].update(width=0),
                         "record 1 (id 2): field 'width' must be a positive"),
    'unknown category': (lambda r: r['annotations'][2].update(
        category_id=99), "record 2 (id 21): field 'category_id' refers to"),
    'unknown image id': (lambda r: r['annotations'][3].update(image_id=42),
                         "record 3 (id 22): field 'image_id' refers to"),
    'missing images key': (delete('images'), "missing field 'images'"),
}


def coco_kwargs(root, ann, cap=None):
    return dict(ann_file=ann, data_prefix=dict(img=osp.join(
        root, 'coco/train2017')), caption_file=cap or osp.join(
            root, 'coco/annotations/captions_train2017.json'))


@pytest.mark.parametrize('case', COCO_CASES)
def test_coco_instances(case, data_root, tmp_path):
    edit, message = COCO_CASES[case]
    ann = mutated(osp.join(data_root,
                           'coco/annotations/instances_train2017.json'),
                  tmp_path / 'inst.json', edit)
    with pytest.raises(E2EVLPDataError) as error:
        E2EVLPPretrainDataset(**coco_kwargs(data_root, ann))
    assert ann in str(error.value) and message in str(error.value)


def test_missing_image_file(data_root, tmp_path):
    ann = mutated(osp.join(data_root,
                           'coco/annotations/instances_train2017.json'),
                  tmp_path / 'inst.json',
                  lambda r: r['images'][2].update(file_name='nope.jpg'))
    with pytest.raises(FileNotFoundError) as error:
        E2EVLPPretrainDataset(**coco_kwargs(data_root, ann))
    assert isinstance(error.value, E2EVLPMissingImageError)
    assert re.search(r"inst\.json', record 2 \(id 3\): image file .*nope"
                     r"\.jpg' \(field 'file_name'\)", str(error.value))


@pytest.mark.parametrize('text', ['', '   ', None])
def test_blank_caption(text, data_root, tmp_path):
    cap = mutated(osp.join(data_root,
                           'coco/annotations/captions_train2017.json'),
                  tmp_path / 'cap.json',
                  lambda r: r['annotations'][3].update(caption=text))
    ann = osp.join(data_root, 'coco/annotations/instances_train2017.json')
    with pytest.raises(E2EVLPDataError, match=re.escape(
            f"{cap}', record 3 (id 202): field 'caption' must be")):
        E2EVLPPretrainDataset(**coco_kwargs(data_root, ann, cap))


@pytest.mark.parametrize('edit,message', [
    (lambda r: r['annotations'][0].update(attribute_ids=[7]),
     "record 0 (id 1): field 'attribute_ids' refers to unknown id 7"),
    (lambda r: r['region_descriptions'][1].update(phrase=' '),
     "record 1: field 'phrase' must be a non-empty string"),
])
def test_vg(edit, message, data_root, tmp_path):
    ann = mutated(osp.join(data_root, 'vg/vg_det.json'), tmp_path / 'vg.json',
                  edit)
    with pytest.raises(E2EVLPDataError, match=re.escape(message)) as error:
        E2EVLPPretrainDataset(ann_file=ann, source='vg', data_prefix=dict(
            img=osp.join(data_root, 'vg')))
    assert ann in str(error.value)


@pytest.mark.parametrize('edit,error_type,message', [
    (lambda r: delete('question')(r['questions'][2]), E2EVLPDataError,
     "record 2 (id 2000): missing field 'question'"),
    (lambda r: r['questions'][0].update(image_id=77),
     E2EVLPMissingImageError,
     "record 0 (id 1000): no image file for field 'image_id' 77"),
])
def test_vqa(edit, error_type, message, data_root, tmp_path):
    q = mutated(osp.join(
        data_root, 'vqa/v2_OpenEnded_mscoco_train2014_questions.json'),
        tmp_path / 'q.json', edit)
    with pytest.raises(error_type, match=re.escape(message)) as error:
        E2EVLPVQADataset(data_prefix=osp.join(data_root, 'coco/train2014'),
                         question_file=q)
    assert q in str(error.value)


@pytest.mark.parametrize('line,error_type,message', [
    ('{"identifier": "dev-5-1-0", "sentence": "Two stars.", '
     '"label": "maybe"}', E2EVLPDataError,
     "record 0 (id 'dev-5-1-0'): field 'label' must be"),
    ('{"identifier": "dev-9-1-0", "sentence": "Two stars.", '
     '"label": "True"}', E2EVLPMissingImageError,
     "record 0 (id 'dev-9-1-0'): image file"),
    ('{"identifier": "dev-5-1-0", "label": "True"}', E2EVLPDataError,
     "record 0 (id 'dev-5-1-0'): missing field 'sentence'"),
])
def test_nlvr2(line, error_type, message, data_root, tmp_path):
    ann = tmp_path / 'dev.json'
    ann.write_text(line + '\n')
    with pytest.raises(error_type, match=re.escape(message)) as error:
        E2EVLPNLVR2Dataset(ann_file=str(ann),
                           data_prefix=osp.join(data_root, 'nlvr2/dev'))
    assert str(ann) in str(error.value)


def test_karpathy_blank_sentence(data_root, tmp_path):
    ann = mutated(osp.join(data_root, 'karpathy/dataset_coco.json'),
                  tmp_path / 'k.json', lambda r: r['images'][0][
                      'sentences'][1].update(raw='\t'))
    with pytest.raises(E2EVLPDataError, match=re.escape(
            f"{ann}', record 0 (id 0): field 'sentences.raw'")):
        E2EVLPCaptionDataset(ann_file=ann, data_prefix=dict(
            img=osp.join(data_root, 'karpathy/coco')))
