"""tools/dataset_converters/custom_to_formats.py's modules: records are
checked with file / record / field named, and the written files load
through the project's own readers."""
import json
import os.path as osp

import pytest
from PIL import Image

from e2evlp_mm.datasets.converters.custom_formats import (
    link_images,
    write_boxes,
    write_captions,
    write_vqa,
)
from e2evlp_mm.datasets.converters.custom_records import (
    index_images,
    read_records,
)
from e2evlp_mm.datasets.karpathy import load_karpathy
from e2evlp_mm.datasets.validation import E2EVLPDataError


def _images(folder, count=4, size=(40, 30)):
    for i in range(count):
        Image.new('RGB', size, (i * 40, 0, 0)).save(folder / f'p{i}.png')


def _write(path, text):
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize('text, message', [
    ('image,x,y,w,h,name\np0.png,1,2,ten,4,dog\n',
     "record 0: field 'w' must be a number, got 'ten'"),
    ('image,x,y,w,h,name\np0.png,1,2,3,4,\n', "record 0: missing field "
     "'name'"),
    ('image,x,y,w,h,name\np0.png,1,2,0,4,dog\n', "fields 'w' and 'h' must "
     'be > 0'),
    ('image,x,y,w,h,name\nnone.png,1,2,3,4,dog\n',
     "record 0: field 'image': no such file"),
    ('image,x,y,w,h,name,split\np0.png,1,2,3,4,dog,val\n',
     "field 'split' must be one of"),
])
def test_bad_records_are_named(tmp_path, text, message):
    _images(tmp_path)
    file = _write(tmp_path / 'boxes.csv', text)
    with pytest.raises(E2EVLPDataError) as e:
        records = read_records(file, 'boxes')
        index_images(records, str(tmp_path), file, 0.5)
    assert 'boxes.csv' in str(e.value) and message in str(e.value)


def test_bad_jsonl_line_and_conflicting_splits(tmp_path):
    _images(tmp_path)
    file = _write(tmp_path / 'c.jsonl', '{"image": "p0.png", "caption": "a"}'
                  '\nnot json\n')
    with pytest.raises(E2EVLPDataError, match='record 1: not a json'):
        read_records(file, 'captions')
    file = _write(tmp_path / 'c.jsonl', '\n'.join(json.dumps(r) for r in [
        dict(image='p0.png', caption='a', split='train'),
        dict(image='p0.png', caption='b', split='test')]))
    with pytest.raises(E2EVLPDataError, match='record 1: field .split. is'):
        index_images(read_records(file, 'captions'), str(tmp_path), file, .5)


def test_split_draw_and_exif_rotated_size(tmp_path):
    _images(tmp_path, count=10)
    rotated = Image.new('RGB', (40, 30))
    exif = rotated.getexif()
    exif[0x0112] = 6  # shown rotated by 90 degrees
    rotated.save(tmp_path / 'r.jpg', exif=exif)
    recs = [dict(image=f'p{i}.png', caption='x') for i in range(10)]
    recs.append(dict(image='r.jpg', caption='y'))
    file = _write(tmp_path / 'c.jsonl',
                  '\n'.join(json.dumps(r) for r in recs))
    images = index_images(read_records(file, 'captions'), str(tmp_path),
                          file, 0.2, seed=1)
    assert [m['split'] for m in images.values()].count('test') == 2
    assert (images['r.jpg']['width'], images['r.jpg']['height']) == (30, 40)
    assert sorted(m['id'] for m in images.values()) == list(range(1, 12))


def test_written_formats_load(tmp_path):
    _images(tmp_path)
    out = tmp_path / 'out'
    caps = _write(tmp_path / 'c.jsonl', '\n'.join(json.dumps(r) for r in [
        dict(image='p0.png', caption='a dog', split='train'),
        dict(image='p0.png', caption='the dog'),
        dict(image='p1.png', caption='a cat', split='test')]))
    records = read_records(caps, 'captions')
    images = index_images(records, str(tmp_path), caps, 0.5)
    link_images(images, str(out))
    write_captions(records, images, str(out))
    train = load_karpathy(str(out / 'captions' / 'dataset_custom.json'),
                          str(out), 'train')
    assert train[0]['texts'] == ['a dog', 'the dog']
    assert osp.isfile(train[0]['img_path'])

    qa = _write(tmp_path / 'q.csv', 'image,question,answer,split\n'
                'p0.png,what is it?,dog,train\np1.png,what is it?,cat|cat|'
                'dog,test\n')
    records = read_records(qa, 'vqa')
    write_vqa(records, index_images(records, str(tmp_path), qa, 0.5),
              str(out))
    ann = json.loads((out / 'vqa' / 'annotations_train.json').read_text())
    assert [a['answer'] for a in ann['annotations'][0]['answers']] == \
        ['dog'] * 10  # one answer = all ten annotators
    test = json.loads((out / 'vqa' / 'annotations_test.json').read_text())
    assert test['annotations'][0]['multiple_choice_answer'] == 'cat'
    assert json.loads((out / 'vqa' / 'answer_list.json').read_text()) == \
        ['dog']

    boxes = _write(tmp_path / 'b.csv', 'image,x,y,w,h,name,caption\n'
                   'p0.png,1,2,10,8,dog,a dog\np0.png,5,5,4,4,cat,\n'
                   'p1.png,0,0,3,3,cat,\n')
    records = read_records(boxes, 'boxes')
    images = index_images(records, str(tmp_path), boxes, 0.5)
    write_boxes(records, images, str(out), 'an image.')
    inst = json.loads((out / 'det' / 'instances_train.json').read_text())
    caps = json.loads((out / 'det' / 'captions_train.json').read_text())
    assert [c['name'] for c in inst['categories']] == ['cat', 'dog']
    assert (out / 'det' / 'classes.txt').read_text() == 'cat\ndog\n'
    assert inst['annotations'][0]['bbox'] == [1, 2, 10, 8]
    assert caps['annotations'][0]['caption'] == 'a dog'
    test = json.loads((out / 'det' / 'captions_test.json').read_text())
    assert test['annotations'][0]['caption'] == 'an image.'
