"""One vocabulary for COCO + VG, a head sized by it, and COCO AP of a
model whose classes are VG's."""
import json
import os.path as osp
import subprocess
import sys
from types import SimpleNamespace

import mmcv
import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope

from e2evlp_mm.datasets import E2EVLPPretrainDataset
from e2evlp_mm.datasets.converters import map_coco_to_vg
from e2evlp_mm.engine import E2EVLPConfigError, E2EVLPPreflightHook
from e2evlp_mm.evaluation.metrics import E2EVLPCocoMetric
from e2evlp_mm.models.heads import E2EVLPHead
from e2evlp_mm.testing.paper_path import ROOT

COCO_CATS = [dict(id=1, name='person'), dict(id=3, name='dining table'),
             dict(id=18, name='dog'), dict(id=90, name='toothbrush')]
VG_VOCAB = ['man', 'person', 'table', 'dog', 'tree']


def test_coco_names_map_onto_vg_one_to_one():
    aliases, appended = map_coco_to_vg([c['name'] for c in COCO_CATS],
                                       VG_VOCAB)
    # exact names win, the table renames, the rest is appended (said)
    assert aliases == {'person': 'person', 'dining table': 'table',
                       'dog': 'dog', 'toothbrush': 'toothbrush'}
    assert appended == ['toothbrush']
    assert len(set(aliases.values())) == len(aliases)
    # 'person' taken by itself: no second COCO class can claim 'man'
    aliases, _ = map_coco_to_vg(['person'], ['man', 'people'])
    assert aliases == {'person': 'man'}


def _vg_raw(root: str) -> None:
    objs = [dict(object_id=i, x=1, y=1, w=5, h=5, names=[n])
            for i, n in enumerate(['man', 'table', 'dog', 'man'])]
    raw = dict(
        image_data=[dict(image_id=1, width=20, height=20, coco_id=7,
                         url='https://x/VG_100K_2/1.jpg')],
        objects=[dict(image_id=1, objects=objs)], attributes=[],
        region_descriptions=[])
    for key, value in raw.items():
        with open(osp.join(root, f'{key}.json'), 'w') as f:
            json.dump(value, f)
    with open(osp.join(root, 'coco.json'), 'w') as f:
        json.dump(dict(categories=COCO_CATS[:3]), f)


def test_vg_to_det_writes_one_vocabulary(tmp_path):
    _vg_raw(str(tmp_path))
    proc = subprocess.run(
        [sys.executable, osp.join(ROOT, 'tools/dataset_converters/'
                                  'vg_to_det.py'), str(tmp_path),
         '--out-dir', str(tmp_path / 'out'), '--coco-instances',
         str(tmp_path / 'coco.json')], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    vocab = (tmp_path / 'out/objects_vocab.txt').read_text().split('\n')
    # person -> man, dining table -> table: nothing appended
    assert [v for v in vocab if v] == ['man', 'dog', 'table']
    aliases = json.loads((tmp_path / 'out/coco_to_vg.json').read_text())
    assert aliases == {'person': 'man', 'dining table': 'table',
                       'dog': 'dog'}
    # a head given the vocabulary file has exactly its classes
    head = E2EVLPHead(
        num_classes=str(tmp_path / 'out/objects_vocab.txt'),
        num_attributes=0, embed_dims=8,
        train_cfg=dict(assigner=dict(type='HungarianAssigner', match_costs=[
            dict(type='ClassificationCost', weight=1.)])))
    assert head.num_classes == 3 and head.fc_cls.out_features == 4


def test_head_from_missing_vocabulary_names_it():
    with pytest.raises(FileNotFoundError, match='nowhere/objects_vocab'):
        E2EVLPHead(num_classes='nowhere/objects_vocab.txt', num_attributes=0)


def _runner(num_classes, num_attributes, classes, attributes=None):
    head = SimpleNamespace(num_classes=num_classes,
                           num_attributes=num_attributes)
    meta = dict(classes=classes)
    if attributes is not None:
        meta['attributes'] = attributes
    loader = SimpleNamespace(dataset=SimpleNamespace(metainfo=meta))
    return SimpleNamespace(model=SimpleNamespace(bbox_head=head),
                           train_dataloader=loader, test_dataloader=loader)


def test_preflight_names_both_numbers():
    hook = E2EVLPPreflightHook()
    hook.before_train(_runner(3, 2, ('a', 'b', 'c'), ('x', 'y')))
    # fault 9: an 80-class COCO head on an 8-class annotation file
    with pytest.raises(E2EVLPConfigError, match='is 80 but the train '
                       'dataset has 8 classes'):
        hook.before_train(_runner(80, 0, tuple('abcdefgh')))
    with pytest.raises(E2EVLPConfigError, match='num_attributes is 400 '
                       'but the test dataset has 2 attributes'):
        hook.before_test(_runner(3, 400, ('a', 'b', 'c'), ('x', 'y')))


@pytest.fixture
def coco_val(tmp_path):
    """Two images of COCO val with COCO's ids, and the VG-name aliases."""
    images = [dict(id=i, file_name=f'{i}.jpg', width=40, height=40)
              for i in (5, 6)]
    anns = [dict(id=1, image_id=5, category_id=3, bbox=[0, 0, 20, 20],
                 area=400, iscrowd=0),
            dict(id=2, image_id=6, category_id=1, bbox=[10, 10, 20, 20],
                 area=400, iscrowd=0)]
    ann_file = tmp_path / 'instances_val2017.json'
    ann_file.write_text(json.dumps(dict(images=images, annotations=anns,
                                        categories=COCO_CATS[:3])))
    aliases = tmp_path / 'coco_to_vg.json'
    aliases.write_text(json.dumps({'person': 'man', 'dining table':
                                   'table', 'dog': 'dog'}))
    return str(ann_file), str(aliases)


def _sample(img_id, labels, boxes, source='coco'):
    return dict(img_id=img_id, ori_shape=(40, 40), source=source,
                pred_instances=dict(
                    labels=torch.tensor(labels),
                    scores=torch.linspace(0.9, 0.5, len(labels)),
                    bboxes=torch.tensor(boxes, dtype=torch.float)))


def test_coco_ap_of_vg_labels(coco_val):
    init_default_scope('mmdet')
    ann_file, aliases = coco_val
    metric = E2EVLPCocoMetric(ann_file=ann_file, class_aliases=aliases,
                              source='coco', metric='bbox')
    metric.dataset_meta = dict(classes=tuple(VG_VOCAB[:1] + VG_VOCAB[2:]))
    # vocab: man 0, table 1, dog 2, tree 3 (tree is not a COCO class)
    metric.process({}, [
        _sample(5, [1, 3], [[0, 0, 20, 20], [0, 0, 20, 20]]),
        _sample(6, [0], [[10, 10, 30, 30]]),
        _sample(6, [2], [[0, 0, 5, 5]], source='vg'),  # other source
    ])
    results = metric.compute_metrics(metric.results)
    # both boxes right once labels map to COCO ids (table -> 3, man -> 1)
    assert results['bbox_mAP'] == pytest.approx(1.0)
    # plain CocoMetric maps label i to the i-th name found in the file;
    # one result per sample (a placeholder for the other source's), so
    # that collect_results cuts a distributed sampler's padding right
    assert [isinstance(r, str) for r in metric.results] == [
        False, False, True]


def test_pretrain_dataset_reads_coco_with_vg_names(coco_val, tmp_path):
    ann_file, aliases = coco_val
    caps = tmp_path / 'captions.json'
    caps.write_text(json.dumps(dict(annotations=[
        dict(id=1, image_id=5, caption='a table'),
        dict(id=2, image_id=6, caption='a man')])))
    for i in (5, 6):
        mmcv.imwrite(np.zeros((40, 40, 3), np.uint8), str(tmp_path /
                                                          f'{i}.jpg'))
    ds = E2EVLPPretrainDataset(
        source='coco', data_root=str(tmp_path), ann_file=ann_file,
        caption_file=str(caps), class_aliases=aliases,
        metainfo=dict(classes=tuple(VG_VOCAB)), pipeline=[],
        lazy_init=False)
    infos = [ds.get_data_info(i) for i in range(len(ds))]
    labels = {d['img_id']: [i['bbox_label'] for i in d['instances']]
              for d in infos}
    assert labels == {5: [VG_VOCAB.index('table')],
                      6: [VG_VOCAB.index('man')]}
