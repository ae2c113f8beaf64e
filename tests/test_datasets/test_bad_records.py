# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Real-world annotation faults: named (file, record, field) or handled
with a logged count; see also test_bad_input.py and test_bad_images.py."""
import json
import os.path as osp
import re
import subprocess
import sys

import pytest
import torch
from mmengine.runner.checkpoint import load_state_dict

from e2evlp_mm.datasets import (
    E2EVLPCaptionDataset,
    E2EVLPDataError,
    E2EVLPNLVR2Dataset,
    E2EVLPPretrainDataset,
    E2EVLPVQADataset,
)
from e2evlp_mm.datasets import coco_style as coco_style_module
from e2evlp_mm.datasets.converters import (
    convert_vg_to_det,
    locate_vg_images,
    pick_val_ids,
)
from e2evlp_mm.datasets.transforms import E2EVLPTokenize
from e2evlp_mm.models.heads import E2EVLPVQAHead

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))


def _coco(data_root, tmp_path, edit=None, cap_bytes=None):
    """The hand-made COCO files, instances edited by ``edit``, captions
    replaced by ``cap_bytes``."""
    ann = osp.join(data_root, 'coco/annotations/instances_train2017.json')
    cap = osp.join(data_root, 'coco/annotations/captions_train2017.json')
    if edit is not None:
        raw = json.load(open(ann))
        edit(raw)
        ann = str(tmp_path / 'inst.json')
        open(ann, 'w').write(json.dumps(raw))
    if cap_bytes is not None:
        cap = str(tmp_path / 'cap.json')
        open(cap, 'wb').write(cap_bytes)
    return E2EVLPPretrainDataset(
        ann_file=ann, caption_file=cap, test_mode=True,
        data_prefix=dict(img=osp.join(data_root, 'coco/train2017')))


def _boxes(ds, img_id):
    info = next(d for d in map(ds.get_data_info, range(len(ds)))
                if d['img_id'] == img_id)
    return [i['bbox'] for i in info['instances']]


def test_out_of_image_boxes_are_clipped_or_dropped(data_root, tmp_path,
                                                   monkeypatch):
    """Before: kept as given (x1 = 40 on a 32 px wide image)."""
    logged = []
    monkeypatch.setattr(coco_style_module, 'print_log',
                        lambda msg, **kwargs: logged.append(msg))

    def edit(raw):
        raw['annotations'][0]['bbox'] = [-4, 20, 44, 10]  # crosses 3 sides
        raw['annotations'][1]['bbox'] = [40, 30, 5, 5]  # wholly outside

    ds = _coco(data_root, tmp_path, edit)
    assert _boxes(ds, 1) == [[0, 20, 32, 24]]
    assert logged == [f"{tmp_path / 'inst.json'}: skipped 0 zero-size "
                      'boxes, dropped 1 boxes outside their image, clipped '
                      '1 boxes to their image.']


def test_zero_area_boxes_are_skipped_and_counted(data_root, tmp_path,
                                                 monkeypatch):
    """Already handled (as mmdet): kept here so the count stays logged."""
    logged = []
    monkeypatch.setattr(coco_style_module, 'print_log',
                        lambda msg, **kwargs: logged.append(msg))
    ds = _coco(data_root, tmp_path, lambda raw: raw['annotations'][0].update(
        bbox=[3, 3, 0, 5]))
    assert _boxes(ds, 1) == [[18, 4, 24, 10]]
    assert logged and logged[0].split(': ')[1].startswith(
        'skipped 1 zero-size boxes')


def test_duplicate_image_id(data_root, tmp_path):
    """Already handled."""
    with pytest.raises(E2EVLPDataError,
                       match=r'record 2: duplicate image id 1'):
        _coco(data_root, tmp_path,
              lambda raw: raw['images'][2].update(id=1))


def _latin1(path, old, new):
    return open(path, 'rb').read().replace(old.encode(), new.encode(
        'latin-1'))


def test_non_utf8_caption_is_named(data_root, tmp_path):
    """Before: a bare UnicodeDecodeError naming no file."""
    cap = osp.join(data_root, 'coco/annotations/captions_train2017.json')
    data = _latin1(cap, 'A large triangle', 'A large caf\xe9 triangle')
    with pytest.raises(E2EVLPDataError) as error:
        _coco(data_root, tmp_path, cap_bytes=data)
    assert re.search(r"cap\.json' \(id 201\): field 'annotations\[2\]\."
                     r"caption' is not valid UTF-8: 'A large caf\\\\xe9",
                     str(error.value)), str(error.value)


def test_invalid_json_is_named(data_root, tmp_path):
    """Before: a bare JSONDecodeError naming no file."""
    with pytest.raises(E2EVLPDataError,
                       match=r"cap\.json': not valid JSON \(Expecting"):
        _coco(data_root, tmp_path, cap_bytes=b'{"annotations": [}')


def test_non_utf8_karpathy_sentence_is_named(data_root, tmp_path):
    ann = tmp_path / 'k.json'
    ann.write_bytes(_latin1(osp.join(data_root, 'karpathy/dataset_coco.json'),
                            'One circle.', 'One \xfcber circle.'))
    with pytest.raises(E2EVLPDataError,
                       match=r"k\.json' \(id 0\): field 'images\[0\]\."
                       r"sentences\[1\]\.raw' is not valid UTF-8"):
        E2EVLPCaptionDataset(ann_file=str(ann), data_prefix=dict(
            img=osp.join(data_root, 'karpathy/coco')))


def _nlvr2(data_root, tmp_path, line: bytes):
    ann = tmp_path / 'dev.json'
    ann.write_bytes(b'\n' + line + b'\n')
    return E2EVLPNLVR2Dataset(ann_file=str(ann),
                              data_prefix=osp.join(data_root, 'nlvr2/dev'))


def test_non_utf8_nlvr2_sentence_is_named(data_root, tmp_path):
    with pytest.raises(E2EVLPDataError,
                       match=r"dev\.json', record 1 \(id 'dev-5-1-0'\): "
                       r"field 'sentence' is not valid UTF-8"):
        _nlvr2(data_root, tmp_path, b'{"identifier": "dev-5-1-0", '
               b'"sentence": "Two \xa0stars.", "label": "True"}')


@pytest.mark.parametrize('uid', ['"dev-5-1"', '"dev-5-x-0"', '51'])
def test_malformed_nlvr2_identifier(uid, data_root, tmp_path):
    """Fault 13: 'dev-5-1' (a part missing) was reported as a missing
    image 'dev-5-img0.png'."""
    line = '{"identifier": %s, "sentence": "Two stars.", "label": "True"}'
    with pytest.raises(E2EVLPDataError) as error:
        _nlvr2(data_root, tmp_path, (line % uid).encode())
    message = str(error.value)
    assert f"record 1 (id {json.loads(uid)!r}): field 'identifier' is " \
        'malformed' in message and 'img0.png' not in message.split(')')[0]
    assert 'does not exist' not in message


def test_blank_vqa_question(data_root, tmp_path):
    """Already handled."""
    q = json.load(open(osp.join(
        data_root, 'vqa/v2_OpenEnded_mscoco_train2014_questions.json')))
    q['questions'][1]['question'] = ' \t'
    (tmp_path / 'q.json').write_text(json.dumps(q))
    with pytest.raises(E2EVLPDataError,
                       match=r"record 1 \(id \d+\): field 'question' must"):
        E2EVLPVQADataset(data_prefix=osp.join(data_root, 'coco/train2014'),
                         question_file=str(tmp_path / 'q.json'))


def test_long_caption_is_truncated_to_40_tokens(tokenizer_path):
    """Already handled: 60 words -> [CLS] + 38 + [SEP] (paper Sec. 4.1)."""
    out = E2EVLPTokenize(tokenizer_path)(dict(
        caption=' '.join(['red circle'] * 30)))
    ids = out['caption_ids']
    assert len(ids) == 40 and ids[-1] == E2EVLPTokenize(
        tokenizer_path).tokenizer.sep_token_id


@pytest.mark.parametrize('n,fraction,expected', [
    (10, 0.02, 1), (2, 0.02, 1), (50, 0.02, 1), (100, 0.02, 2),
    (1, 0.5, 0), (3, 0.99, 2)])
def test_val_fraction_gives_non_empty_splits(n, fraction, expected):
    """Fault 13: 0.02 of 10 images rounded to 0 val images in silence."""
    val, note = pick_val_ids(list(range(n)), fraction)
    assert len(val) == expected and f'val: {expected} of {n}' in note
    assert pick_val_ids(list(range(n)), fraction)[0] == val  # seeded


def test_vg_to_det_cli_reports_val_and_finds_vg_100k_2(tmp_path):
    """Fault 13: images of VG_100K_2/ (real VG's second part) are found on
    disk when the url does not say; the CLI says how many val images."""
    vg = tmp_path / 'vg'
    for folder, ids in (('VG_100K', range(1, 10)), ('VG_100K_2', [10])):
        (vg / folder).mkdir(parents=True)
        for i in ids:
            (vg / folder / f'{i}.jpg').write_bytes(b'')
    image_data = [dict(image_id=i, width=50, height=40, coco_id=None)
                  for i in range(1, 11)]
    (vg / 'image_data.json').write_text(json.dumps(image_data))
    (vg / 'objects.json').write_text(json.dumps([dict(
        image_id=i, objects=[dict(object_id=i, names=['dog'], x=1, y=1,
                                  w=9, h=9)]) for i in range(1, 11)]))
    assert locate_vg_images(str(vg))[10] == 'VG_100K_2'
    det = convert_vg_to_det(dict(image_data=image_data, objects=[],
                                 attributes=[], region_descriptions=[]),
                            image_folders=locate_vg_images(str(vg)))
    assert det['images'][9]['file_name'] == 'VG_100K_2/10.jpg'
    proc = subprocess.run(
        [sys.executable, 'tools/dataset_converters/vg_to_det.py', str(vg),
         '--out-dir', str(tmp_path / 'out'), '--val-fraction', '0.02'],
        cwd=ROOT, capture_output=True, text=True, check=True)
    assert 'val: 1 of 10 images' in proc.stdout
    val = json.loads((tmp_path / 'out/vg_det_val.json').read_text())
    train = json.loads((tmp_path / 'out/vg_det_train.json').read_text())
    assert len(val['images']) == 1 and len(train['images']) == 9
    names = {i['file_name'] for i in train['images'] + val['images']}
    assert 'VG_100K_2/10.jpg' in names and 'VG_100K/9.jpg' in names


def test_answer_list_that_does_not_fit_the_checkpoint(data_root, tmp_path):
    """Before: mmengine loaded non-strictly and only warned of the size
    mismatch, leaving the answer classifier random."""
    answers = osp.join(data_root, 'vqa/answer_list.json')
    trained = torch.nn.Module()
    trained.vqa_head = E2EVLPVQAHead(8, answers)
    state = trained.state_dict()
    fewer = tmp_path / 'answer_list.json'
    fewer.write_text(json.dumps(json.load(open(answers))[:4]))
    model = torch.nn.Module()
    model.vqa_head = E2EVLPVQAHead(8, str(fewer))
    num = trained.vqa_head.num_answers
    with pytest.raises(E2EVLPDataError) as error:
        load_state_dict(model, state, strict=False)
    assert f'scores {num} answers (vqa_head.classifier.3.weight)' in str(
        error.value) and f'{str(fewer)!r} lists 4' in str(error.value)
    same = torch.nn.Module()
    same.vqa_head = E2EVLPVQAHead(8, answers)
    load_state_dict(same, state, strict=True)
    assert torch.equal(same.vqa_head.classifier[3].weight,
                       trained.vqa_head.classifier[3].weight)
