# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""The streaming data path gives what the whole-file one gave: the same
converter output, byte for byte, and the same samples, sample by sample
(old_data_path.py keeps the old path)."""
import glob
import json
import os
import os.path as osp
import pickle

import numpy as np
import pytest
from old_data_path import OldPretrainDataset, convert_vg_to_det

from e2evlp_mm.datasets import (
    E2EVLPDataError,
    E2EVLPPretrainDataset,
    annotation_cache,
)
from e2evlp_mm.datasets.converters import load_vg, split_det
from e2evlp_mm.testing.paper_path import run_tool
from e2evlp_mm.testing.scale_corpus import write_coco, write_vg


def _edit(path, edit):
    with open(path) as f:
        raw = json.load(f)
    edit(raw)
    with open(path, 'w') as f:
        json.dump(raw, f, ensure_ascii=False)


def _vg_faults(raw_dir):
    """What real VG has and the generated files lack: float and negative
    coordinates, capitals, empty and non-ASCII names, an object listed
    twice in attributes.json, blank phrases, objects of unknown images."""
    def objects(raw):
        objs = raw[0]['objects']
        objs[0].update(x=-3.5, w=40.25, names=['  Caf\u00e9 Table. '])
        objs[1].update(names=['...'])
        objs[2].update(names=None, name='Dog')
        raw.append(dict(image_id=99999, objects=[dict(objs[3])]))

    def attributes(raw):
        first = raw[0]['attributes'][0]
        raw[1]['attributes'].append(dict(first, attributes=['Shiny ', 'x']))
        raw[0]['attributes'][1]['attributes'] = ['RED', 'red', '']

    def regions(raw):
        raw[0]['regions'][0]['phrase'] = '  '
        raw[1]['regions'][0]['phrase'] = ' na\u00efve sign '

    for name, edit in (('objects', objects), ('attributes', attributes),
                       ('region_descriptions', regions)):
        _edit(osp.join(raw_dir, f'{name}.json'), edit)


@pytest.fixture(scope='module')
def corpus(tmp_path_factory):
    """A small COCO + VG set in the official schemas, converted as the
    docs say, plus the old converter's output in memory."""
    root = str(tmp_path_factory.mktemp('corpus'))
    vg, coco = osp.join(root, 'vg'), osp.join(root, 'coco')
    write_vg(vg, 0.0003, images=True)
    write_coco(coco, 0.0003, images=True)
    _vg_faults(vg)
    instances = osp.join(coco, 'annotations/instances_train2017.json')
    run_tool('dataset_converters/vg_to_det.py', vg, '--out-dir',
             osp.join(vg, 'annotations'), '--val-fraction', '0.25',
             '--num-objects', '400', '--num-attributes', '50',
             '--coco-instances', instances)
    old = convert_vg_to_det(load_vg(vg), 400, 50)
    exclude = osp.join(root, 'exclude.json')
    with open(exclude, 'w') as f:
        json.dump(dict(coco_ids=list(range(9, 40, 2))), f)
    return dict(root=root, vg=vg, coco=coco, old=old, exclude=exclude)


def test_converter_output_is_byte_for_byte_the_old_one(corpus):
    ann = osp.join(corpus['vg'], 'annotations')
    for name in ('vg_det_train.json', 'vg_det_val.json'):
        with open(osp.join(ann, name)) as f:
            new = f.read()
        ids = {i['id'] for i in json.loads(new)['images']}
        assert new == json.dumps(split_det(corpus['old'], ids))
    assert len(corpus['old']['annotations']) > 500
    assert any(a['bbox'][0] == 0 and isinstance(a['bbox'][2], float)
               for a in corpus['old']['annotations'])


def _kwargs(corpus, source, **kwargs):
    ann = osp.join(corpus['vg'], 'annotations')
    common = dict(metainfo=dict(
        classes=osp.join(ann, 'objects_vocab.txt'),
        attributes=osp.join(ann, 'attributes_vocab.txt')),
        exclude_file=corpus['exclude'], **kwargs)
    if source == 'vg':
        common.update(source='vg', data_root=corpus['vg'],
                      ann_file='annotations/vg_det_train.json')
    else:
        common.update(source='coco', data_root=corpus['coco'],
                      ann_file='annotations/instances_train2017.json',
                      caption_file='annotations/captions_train2017.json',
                      data_prefix=dict(img='train2017/'),
                      class_aliases=osp.join(ann, 'coco_to_vg.json'))
    return common


def _datasets(corpus, source, **kwargs):
    common = _kwargs(corpus, source, **kwargs)
    return OldPretrainDataset(**common), E2EVLPPretrainDataset(**common)


def _assert_same_samples(old, new):
    assert len(new) == len(old) > 10
    assert new.metainfo == old.metainfo
    for ds in (old, new):  # the same draws of the same random stream
        np.random.seed(0)
        ds.samples = [ds.get_data_info(i) for i in range(len(ds))]
        ds.texts = [ds.text_at(i) for i in range(len(ds))]
    for a, b in zip(old.samples, new.samples):
        # new since the old path: a region description's box
        box = b.pop('text_bbox', None)
        assert (box is not None) == (new.source == 'vg' and b['text'] != '')
        if box is not None:
            assert box.shape == (4, ) and ((box >= 0) & (box <= 1)).all()
        assert a == b
    assert old.texts == new.texts
    assert sum(len(s['instances']) for s in new.samples) > 50


@pytest.mark.parametrize('source', ['vg', 'coco'])
@pytest.mark.parametrize('kwargs', [
    dict(text_sampling='image'),
    dict(text_sampling='pair', max_texts_per_image=2,
         filter_cfg=dict(filter_empty_gt=True, min_size=250)),
    dict(test_mode=True),
])
def test_same_samples_as_the_whole_file_path(corpus, source, kwargs):
    _assert_same_samples(*_datasets(corpus, source, **kwargs))


def test_prepared_cache_is_mapped_not_written(corpus, tmp_path,
                                              monkeypatch):
    """build_annotation_cache.py writes the cache files a dataset would
    write on first use; the datasets then map them, writing nothing, and
    give the same samples."""
    pattern = osp.join(corpus['root'], '*', 'annotations', '.e2evlp_cache',
                       '*.cache')
    for path in glob.glob(pattern):
        os.remove(path)
    kind = dict(type='E2EVLPPretrainDataset')
    train = [_kwargs(corpus, s, text_sampling='image', **kind)
             for s in ('vg', 'coco')]
    val = _kwargs(corpus, 'vg', test_mode=True, **kind)
    config = tmp_path / 'config.py'
    config.write_text(
        f'train_dataloader = dict(dataset=dict(type="ConcatDataset", '
        f'datasets={train!r}))\nval_dataloader = dict(dataset={val!r})\n')
    run_tool('dataset_converters/build_annotation_cache.py', str(config),
             '--dataloaders', 'train_dataloader', 'val_dataloader')
    written = {p: os.stat(p).st_mtime_ns for p in glob.glob(pattern)}
    assert len(written) == 2  # VG, COCO (VG once for both dataloaders)

    def no_write(*args):
        raise AssertionError('the prepared cache was written again')
    monkeypatch.setattr(annotation_cache, 'save', no_write)
    for source in ('vg', 'coco'):
        old, new = _datasets(corpus, source, text_sampling='image')
        assert new.annotations.cache_file in written
        _assert_same_samples(old, new)
    assert {p: os.stat(p).st_mtime_ns for p in glob.glob(pattern)} == written


def _error(call):
    with pytest.raises(E2EVLPDataError) as error:
        call()
    return str(error.value)


def _cut(text):
    return text[:len(text) // 2].encode()


def _no_phrase(text):
    raw = json.loads(text)
    del raw['region_descriptions'][3]['phrase']
    return json.dumps(raw).encode()


def _latin1(text):
    return text.replace('a ', 'caf\u00e9 ', 1).encode('latin-1', 'replace')


@pytest.mark.parametrize('fault', [_cut, _no_phrase, _latin1])
def test_bad_files_give_the_old_messages(fault, corpus, tmp_path):
    """A truncated file, a record missing a key and a phrase that is not
    UTF-8, read by the dataset: the message of the whole-file path."""
    with open(osp.join(corpus['vg'], 'annotations/vg_det_train.json')) as f:
        text = f.read()
    (tmp_path / 'bad.json').write_bytes(fault(text))
    kwargs = dict(source='vg', ann_file=str(tmp_path / 'bad.json'),
                  data_prefix=dict(img=corpus['vg']))
    expected = _error(lambda: OldPretrainDataset(**kwargs))
    assert str(tmp_path / 'bad.json') in expected
    assert _error(lambda: E2EVLPPretrainDataset(**kwargs)) == expected


@pytest.mark.parametrize('fault,message', [
    (lambda t: t[:-30].encode(), r"\.json': not valid JSON \(Expecting"),
    (lambda t: t.replace('"phrase": ', '"text": ', 1).encode(),
     r"region_descriptions\.json\[0\]\.regions', record 0 \(id 1\): "
     r"missing field 'phrase'"),
    (lambda t: t.replace('"phrase": "', '"phrase": "caf\xe9 ', 1).encode(
        'latin-1'),
     r"field '\[0\]\.regions\[0\]\.phrase' is not valid UTF-8: 'caf\\\\xe9"),
])
def test_bad_vg_files_are_named_by_the_converter(fault, message, corpus,
                                                 tmp_path):
    """Before: a bare JSONDecodeError, KeyError or UnicodeDecodeError."""
    vg = tmp_path / 'vg'
    vg.mkdir()
    for name in ('image_data', 'objects', 'region_descriptions'):
        with open(osp.join(corpus['vg'], f'{name}.json')) as f:
            text = f.read()
        (vg / f'{name}.json').write_bytes(
            fault(text) if name == 'region_descriptions' else text.encode())
    with pytest.raises(E2EVLPDataError, match=message):
        run_tool('dataset_converters/vg_to_det.py', str(vg), '--out-dir',
                 str(tmp_path / 'out'))


def test_annotations_pickle_as_their_cache_file(corpus):
    """Spawned loader workers map the cache file again: no array copy."""
    _, new = _datasets(corpus, 'vg')
    blob = pickle.dumps(new.annotations)
    assert len(blob) < 20_000 < new.annotations.a['bbox'].nbytes
    copy = pickle.loads(blob)
    assert all(copy.info(k) == new.annotations.info(k) for k in range(20))
