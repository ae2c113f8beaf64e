# Copyright (c) e2evlp-mm contributors. All rights reserved.
import json
import os
import random
import re
from collections import Counter

import pytest
from pycocotools.coco import COCO
from transformers import BertTokenizerFast

from e2evlp_mm.datasets.shapes_world import (
    COLOURS,
    SHAPES,
    make_shapes_world,
    sample_scene,
)
from e2evlp_mm.datasets.shapes_world.questions import make_questions
from e2evlp_mm.datasets.shapes_world.statements import make_nlvr2_pairs

SMALL = dict(num_images=40, image_size=64, num_nlvr2=40, num_flickr=10)
NOUNS = {'disc': 'circle', 'block': 'square', 'rhombus': 'diamond',
         'plus sign': 'cross', **{s: s for s in SHAPES}}
NUMBERS = ('zero one two three four five six seven eight nine ten').split()


@pytest.fixture(scope='module')
def world(tmp_path_factory):
    out = str(tmp_path_factory.mktemp('sw'))
    counts = make_shapes_world(out, seed=3, **SMALL)
    return out, counts


def _load(path):
    with open(path) as f:
        return json.load(f)


def test_coco_files(world):
    out, counts = world
    ann = f'{out}/coco/annotations'
    ids = []
    for split in ('train', 'val'):
        inst = COCO(f'{ann}/instances_{split}2017.json')
        caps = COCO(f'{ann}/captions_{split}2017.json')
        assert len(inst.getImgIds()) == counts[f'coco_{split}']
        assert sorted(caps.getImgIds()) == sorted(inst.getImgIds())
        assert sorted(c['name'] for c in inst.loadCats(inst.getCatIds())) \
            == sorted(SHAPES)
        for img_id in inst.getImgIds():
            assert len(caps.getAnnIds(imgIds=img_id)) == 5
            assert 1 <= len(inst.getAnnIds(imgIds=img_id)) <= 4
            name = inst.loadImgs(img_id)[0]['file_name']
            assert name == f'{img_id:012d}.jpg'
            for path in (f'{split}2017/{name}',
                         f'{split}2014/COCO_{split}2014_{name}'):
                assert os.path.isfile(f'{out}/coco/{path}')
            assert os.path.isfile(f'{out}/vg/VG_100K/{img_id}.jpg')
        for a in inst.loadAnns(inst.getAnnIds()):
            x, y, w, h = a['bbox']
            assert 0.2 * 64 - 1 <= w <= 0.45 * 64 + 1 and x + w <= 64
        ids += inst.getImgIds()
    assert len(ids) == counts['coco_train'] + counts['coco_val'] == 40
    assert counts['coco_val'] == 6


def test_vg_and_det(world):
    out, counts = world
    objs = _load(f'{out}/vg/objects.json')
    attrs = _load(f'{out}/vg/attributes.json')
    assert sum(len(e['objects']) for e in objs) == counts['objects']
    for e in attrs:
        for o in e['attributes']:
            assert o['names'][0] in SHAPES
            assert len(o['attributes']) == 1 and o['attributes'][0] in COLOURS
    train = _load(f'{out}/vg/annotations/vg_det_train.json')
    val = _load(f'{out}/vg/annotations/vg_det_val.json')
    assert len(train['images']) == counts['coco_train']
    assert {i['coco_id'] for i in val['images']} == \
        set(COCO(f'{out}/coco/annotations/instances_val2017.json').getImgIds())
    assert {c['name'] for c in train['categories']} == set(SHAPES)
    assert {c['name'] for c in train['attribute_categories']} <= set(COLOURS)
    assert all(len(a['attribute_ids']) == 1 for a in train['annotations'])
    assert train['region_descriptions']


def test_vqa_files(world):
    out, counts = world
    total = 0
    for split in ('train', 'val'):
        qs = _load(f'{out}/vqa/v2_OpenEnded_mscoco_{split}2014_questions.json')
        anns = _load(f'{out}/vqa/v2_mscoco_{split}2014_annotations.json')
        assert qs['data_subtype'] == f'{split}2014'
        assert [q['question_id'] for q in qs['questions']] == \
            [a['question_id'] for a in anns['annotations']]
        for a in anns['annotations']:
            assert len(a['answers']) == 10
            assert a['answer_type'] in ('yes/no', 'number', 'other')
            assert a['question_id'] // 1000 == a['image_id']
            assert a['multiple_choice_answer'] in \
                [x['answer'] for x in a['answers']]
        total += len(anns['annotations'])
    assert total == counts['vqa_questions']
    vocab = _load(f'{out}/vqa/answer_list.json')
    assert {'yes', 'no'} <= set(vocab) and len(vocab) == len(set(vocab))


def test_vqa_answer_balance():
    answers = Counter()
    for i in range(600):
        rng = random.Random(i)
        for q in make_questions(rng, sample_scene(rng, 64)):
            answers[(q['answer_type'], q['answer'])] += 1
    yes, no = answers[('yes/no', 'yes')], answers[('yes/no', 'no')]
    assert 0.45 < yes / (yes + no) < 0.55
    nums = [answers[('number', str(k))] for k in range(4)]
    assert max(nums) / sum(nums) < 0.3
    colours = [answers[('other', c)] for c in COLOURS]
    assert max(colours) / sum(colours) < 0.2


def _group(words):
    """'red circles' -> ('circle', 'red'); 'shapes' -> (None, None)."""
    colour = None
    first, _, rest = words.partition(' ')
    if first in COLOURS:
        colour, words = first, rest
    if words in ('shape', 'shapes'):
        return None, colour
    for cand in (words, words[:-1], words[:-2]):
        if cand in NOUNS:
            return NOUNS[cand], colour
    raise ValueError(words)


def _check(sentence, left, right):
    """Independent evaluation of a statement on the two scenes."""
    side = {'left': left, 'right': right}
    if sentence == 'Both images contain the same number of shapes.':
        return len(left.objects) == len(right.objects)
    m = re.match(r'The (\w+) image (?:contains|shows|has) exactly (\w+) '
                 r'(.+)\.$', sentence)
    if m:
        scene = side[m[1]]
        return scene.count(*_group(m[3])) == NUMBERS.index(m[2])
    m = re.match(r'There are more (.+) in the (\w+) image than in the '
                 r'(\w+) image\.$', sentence)
    if m:
        g = _group(m[1])
        return side[m[2]].count(*g) > side[m[3]].count(*g)
    m = re.match(r'There (?:is|are) (\w+) (.+) in total\.$', sentence)
    if m:
        g = _group(m[2])
        return left.count(*g) + right.count(*g) == NUMBERS.index(m[1])
    m = re.match(r'(Both images|Exactly one image|Neither image) '
                 r'contains? an? (.+)\.$', sentence)
    g = _group(m[2])
    has = [left.count(*g) > 0, right.count(*g) > 0]
    return {'Both images': all(has), 'Exactly one image': sum(has) == 1,
            'Neither image': not any(has)}[m[1]]


def test_nlvr2_labels_balanced_and_correct():
    labels = []
    for pair in make_nlvr2_pairs(0, 'train', 800, 64):
        for _, sentence, label in pair.examples:
            assert _check(sentence, pair.left, pair.right) == label, sentence
            labels.append(label)
    assert 0.44 < sum(labels) / len(labels) < 0.56


def test_nlvr2_files(world):
    out, _ = world
    for split in ('train', 'dev', 'test1'):
        with open(f'{out}/nlvr2/{split}.json') as f:
            rows = [json.loads(line) for line in f]
        pairs = {p.stem: p for p in make_nlvr2_pairs(
            3, split, len(rows), SMALL['image_size'])}
        for row in rows:
            assert row['label'] in ('True', 'False')
            stem = row['identifier'].rsplit('-', 1)[0]
            folder = f'images/train/{row["directory"]}' \
                if split == 'train' else split
            for k in (0, 1):
                assert os.path.isfile(
                    f'{out}/nlvr2/{folder}/{stem}-img{k}.png')
            pair = pairs[stem]
            assert str(_check(row['sentence'], pair.left,
                              pair.right)) == row['label']


def test_karpathy(world):
    out, counts = world
    coco = _load(f'{out}/karpathy/dataset_coco.json')
    assert coco['dataset'] == 'coco'
    assert len(coco['images']) == 40
    splits = Counter(i['split'] for i in coco['images'])
    assert splits['train'] == counts['coco_train']
    assert splits['val'] and splits['test'] and splits['restval']
    for img in coco['images']:
        assert len(img['sentences']) == 5
        assert os.path.isfile(
            f'{out}/coco/{img["filepath"]}/{img["filename"]}')
        assert img['sentids'] == [s['sentid'] for s in img['sentences']]
    flickr = _load(f'{out}/karpathy/dataset_flickr30k.json')
    assert {i['split'] for i in flickr['images']} == {'train', 'val', 'test'}
    for img in flickr['images']:
        assert os.path.isfile(
            f'{out}/flickr30k/flickr30k-images/{img["filename"]}')


def test_tokenizer(world):
    out, _ = world
    tok = BertTokenizerFast.from_pretrained(f'{out}/tokenizer')
    assert tok.pad_token_id == 0
    caption = _load(f'{out}/karpathy/dataset_coco.json')['images'][0][
        'sentences'][0]['raw']
    ids = tok(caption)['input_ids']
    assert tok.unk_token_id not in ids
    assert tok.decode(ids, skip_special_tokens=True) == caption.lower()


def _tree(root):
    files = {}
    for dirpath, _, names in os.walk(root):
        for name in names:
            path = os.path.join(dirpath, name)
            with open(path, 'rb') as f:
                files[os.path.relpath(path, root)] = f.read()
    return files


def test_determinism(tmp_path):
    small = dict(SMALL, num_images=10, num_nlvr2=8, num_flickr=3)
    for name, seed in (('a', 1), ('b', 1), ('c', 2)):
        make_shapes_world(str(tmp_path / name), seed=seed, **small)
    a, b, c = (_tree(tmp_path / n) for n in 'abc')
    assert a == b
    assert a.keys() == c.keys()
    key = 'coco/annotations/instances_train2017.json'
    assert a[key] != c[key]
