# Copyright (c) e2evlp-mm contributors. All rights reserved.
import json
import subprocess
import sys

import pytest

from e2evlp_mm.datasets import E2EVLPDataError
from e2evlp_mm.datasets.converters import (
    answer_soft_scores,
    build_answer_vocab,
    convert_vg_to_det,
    load_vg,
    normalize_vqa_answer,
    split_det,
)
from e2evlp_mm.datasets.converters.vqa_answers import load_vqa_annotations
from e2evlp_mm.datasets.exclusions import karpathy_eval_ids
from e2evlp_mm.datasets.json_stream import stream_member


def _obj(oid, name, x=0, y=0, w=10, h=10, attrs=None):
    obj = dict(object_id=oid, names=[name], x=x, y=y, w=w, h=h, synsets=[])
    if attrs is not None:
        obj['attributes'] = attrs
    return obj


@pytest.fixture
def vg_dir(tmp_path):
    """A hand-written two-image Visual Genome sample."""
    objs1 = [_obj(1, 'Dog', attrs=['brown', 'Small']), _obj(2, 'dog '),
             _obj(3, 'tree', attrs=['green']), _obj(4, 'kite', attrs=['red'])]
    objs2 = [_obj(5, 'tree', 5, 5, 20, 30, attrs=['green', 'tall']),
             _obj(6, 'dog', attrs=['brown']), _obj(7, 'cat', w=0),
             _obj(8, 'tree', 90, 90, 50, 50)]
    files = dict(
        image_data=[
            dict(image_id=1, width=100, height=100, coco_id=42,
                 flickr_id=None,
                 url='https://cs.stanford.edu/people/rak248/VG_100K/1.jpg'),
            dict(image_id=2, width=100, height=100, coco_id=None,
                 flickr_id=None,
                 url='https://cs.stanford.edu/people/rak248/VG_100K_2/2.jpg')
        ],
        objects=[dict(image_id=1, objects=objs1),
                 dict(image_id=2, objects=objs2)],
        attributes=[dict(image_id=1, attributes=objs1),
                    dict(image_id=2, attributes=objs2)],
        region_descriptions=[
            dict(id=1, regions=[dict(region_id=1, image_id=1, x=1, y=2,
                                     width=3, height=4,
                                     phrase='a dog near a tree ')]),
            dict(id=2, regions=[])])
    for name, obj in files.items():
        (tmp_path / f'{name}.json').write_text(json.dumps(obj))
    return tmp_path


def test_vg_to_det_vocab_by_frequency(vg_dir):
    det = convert_vg_to_det(load_vg(str(vg_dir)), num_objects=2,
                            num_attributes=2)
    # tree x3, dog x3 ('Dog', 'dog ' normalised), kite x1; cat has w=0.
    assert [c['name'] for c in det['categories']] == ['dog', 'tree']
    assert [c['id'] for c in det['categories']] == [1, 2]
    # brown x2, green x2 kept; small/tall/red x1 dropped.
    assert [a['name'] for a in det['attribute_categories']] == [
        'brown', 'green']
    anns = det['annotations']
    assert len(anns) == 6  # kite (out of vocab) and cat (empty) dropped
    by_id = {(a['image_id'], tuple(a['bbox'])): a for a in anns}
    assert by_id[(2, (5, 5, 20, 30))]['attribute_ids'] == [2]
    assert by_id[(2, (5, 5, 20, 30))]['area'] == 600
    assert by_id[(2, (90, 90, 10, 10))]['category_id'] == 2  # clipped box
    assert anns[0]['attribute_ids'] == [1] and anns[0]['iscrowd'] == 0
    assert det['images'][0] == dict(id=1, file_name='VG_100K/1.jpg',
                                    width=100, height=100, coco_id=42)
    assert det['images'][1]['file_name'] == 'VG_100K_2/2.jpg'
    assert det['region_descriptions'] == [
        dict(image_id=1, phrase='a dog near a tree', bbox=[1, 2, 3, 4])]
    val = split_det(det, {2})
    assert [i['id'] for i in val['images']] == [2]
    assert {a['image_id'] for a in val['annotations']} == {2}
    assert val['categories'] == det['categories']


def test_vg_to_det_cli(vg_dir, tmp_path):
    ids = tmp_path / 'val_ids.txt'
    ids.write_text('2\n')
    subprocess.run([
        sys.executable, 'tools/dataset_converters/vg_to_det.py',
        str(vg_dir), '--out-dir', str(tmp_path / 'out'), '--val-ids',
        str(ids), '--num-objects', '3'
    ], check=True, capture_output=True)
    train = json.loads((tmp_path / 'out/vg_det_train.json').read_text())
    assert [i['id'] for i in train['images']] == [1]
    assert len(train['categories']) == 3


def _ann(mc, answers=()):
    return dict(multiple_choice_answer=mc,
                answers=[dict(answer=a, answer_confidence='yes',
                              answer_id=i + 1)
                         for i, a in enumerate(answers)])


def test_normalize_vqa_answer():
    assert normalize_vqa_answer('Two') == '2'
    assert normalize_vqa_answer('a dog') == normalize_vqa_answer('dog.')
    assert normalize_vqa_answer(' Yes!\n') == 'yes'


def test_build_answer_vocab_top_k():
    anns = [_ann('two'), _ann('2'), _ann('2'), _ann('a dog'), _ann('dog'),
            _ann('cat'), _ann('yes'), _ann('yes'), _ann('yes'),
            _ann('yes'), _ann('no'), _ann('')]
    assert build_answer_vocab(anns, top_k=3) == ['yes', '2', 'dog']
    assert build_answer_vocab(anns, top_k=10) == [
        'yes', '2', 'dog', 'cat', 'no']
    assert build_answer_vocab(anns, min_count=2) == ['yes', '2', 'dog']
    many = [_ann('x', ['red'] * 7 + ['blue'] * 3)]
    assert build_answer_vocab(many, all_answers=True) == ['red', 'blue']


def test_answer_soft_scores():
    vocab = ['yes', '2', 'dog']
    answers = ['two', '2', 'Two', '2', 'dog', 'a dog', 'cat', 'yes', '3',
               '3']
    scores = answer_soft_scores(answers, vocab)
    assert scores == pytest.approx({1: 1.0, 2: 2 / 3, 0: 1 / 3})
    mapping = {a: i for i, a in enumerate(vocab)}
    assert answer_soft_scores(answers, mapping) == scores
    assert answer_soft_scores(['cat'] * 10, vocab) == {}


def test_vqa_and_exclusion_converters_read_streams(tmp_path):
    """Same answers / ids as from whole files; a missing key is named."""
    anns = [_ann('two'), _ann('2'), _ann('yes')] * 50
    path = tmp_path / 'vqa.json'
    path.write_text(json.dumps(dict(info={}, annotations=anns)))
    assert list(load_vqa_annotations([str(path), str(path)])) == anns * 2
    karpathy = dict(images=[dict(split=s, cocoid=i) for i, s in enumerate(
        ['train', 'val', 'test', 'restval'] * 30)], dataset='coco')
    path.write_text(json.dumps(karpathy))
    assert karpathy_eval_ids(stream_member(str(path), 'images'),
                             str(path)) == karpathy_eval_ids(karpathy, '')
    path.write_text('{"questions": []}')
    with pytest.raises(E2EVLPDataError,
                       match=r"vqa\.json': missing field 'annotations'"):
        list(load_vqa_annotations([str(path)]))
