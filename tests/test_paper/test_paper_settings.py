"""Paper settings: backbone weights, image epochs, no leakage of
downstream test images, bounded checkpoints, the VQA and captioning
datasets of the paper configs, test-time MLM / ITM."""
import json
import os.path as osp

import mmcv
import numpy as np
import pytest
from mmdet.registry import DATASETS, MODELS
from mmengine.config import Config
from mmengine.registry import init_default_scope

from e2evlp_mm.datasets import E2EVLPPretrainDataset
from e2evlp_mm.engine import (
    E2EVLPConfigError,
    MissingDataError,
    check_backbone_init,
    check_data_exists,
    dead_norm_layers,
)
from e2evlp_mm.testing.paper_path import ROOT, prepare_data, run_tool

PAPER = ('e2evlp_r50_6l_pretrain', 'e2evlp_r152_pretrain', 'e2evlp_r152_vqa',
         'e2evlp_r152_nlvr2', 'e2evlp_r152_caption',
         'e2evlp_r152_retrieval_flickr30k', 'e2evlp_r152_coco_det')


def _cfg(name: str) -> Config:
    return Config.fromfile(osp.join(ROOT, 'configs', f'{name}.py'))


def test_from_scratch_frozen_bn_backbone_is_dead_and_refused():
    init_default_scope('mmdet')
    cfg = _cfg('e2evlp_r50_6l_pretrain')
    backbone = dict(cfg.model.backbone, init_cfg=None)
    resnet = MODELS.build(backbone)
    resnet.init_weights()
    # mmdet zero-initialises every residual block's last BN: 16 in R50
    assert len(dead_norm_layers(resnet)) == 16
    cfg.model.backbone.init_cfg = None
    with pytest.raises(E2EVLPConfigError, match='frozen BatchNorm'):
        check_backbone_init(cfg)
    cfg.load_from = 'pretrained.pth'  # fine-tuning brings the weights
    check_backbone_init(cfg)
    cfg.load_from = None
    cfg.model.backbone.norm_cfg.requires_grad = True
    cfg.model.backbone.norm_eval = False  # explicitly unfrozen
    check_backbone_init(cfg)


def test_paper_configs_load_imagenet_weights_and_name_a_missing_file():
    for name, depth in (('e2evlp_r50_6l_pretrain', 50),
                        ('e2evlp_r152_pretrain', 152),
                        ('e2evlp_r101_pretrain', 101)):
        cfg = _cfg(name)
        assert cfg.model.backbone.depth == depth
        assert cfg.model.backbone.init_cfg.checkpoint == \
            f'data/pretrained/resnet{depth}.pth'
        check_backbone_init(cfg)
    cfg = _cfg('e2evlp_r152_pretrain')
    with pytest.raises(MissingDataError,
                       match=r'data/pretrained/resnet152.pth  '
                       r'\(model.backbone.init_cfg.checkpoint'):
        check_data_exists(cfg)


def test_paper_configs_keep_few_checkpoints_and_the_best():
    for name in PAPER:
        cfg = _cfg(name)
        ckpt = cfg.default_hooks.checkpoint
        assert ckpt.max_keep_ckpts <= 3 and ckpt.save_best, name
        assert dict(type='E2EVLPPreflightHook') in cfg.custom_hooks


@pytest.fixture
def two_sources(tmp_path):
    """COCO images 1-3 (3 captions each) and VG images 10, 11 (coco_id
    2 and None)."""
    cats = [dict(id=1, name='circle')]
    coco = dict(images=[dict(id=i, file_name=f'{i}.jpg', width=8, height=8)
                        for i in (1, 2, 3)],
                annotations=[], categories=cats)
    caps = dict(annotations=[dict(id=10 * i + k, image_id=i,
                                  caption=f'caption {k} of {i}')
                             for i in (1, 2, 3) for k in range(3)])
    vg = dict(images=[dict(id=10, file_name='10.jpg', width=8, height=8,
                           coco_id=2),
                      dict(id=11, file_name='11.jpg', width=8, height=8,
                           coco_id=None)],
              annotations=[], categories=cats, attribute_categories=[],
              region_descriptions=[dict(image_id=i, phrase=f'region {i}')
                                   for i in (10, 11)])
    for name, obj in (('coco.json', coco), ('caps.json', caps),
                      ('vg.json', vg)):
        (tmp_path / name).write_text(json.dumps(obj))
    for i in (1, 2, 3, 10, 11):
        mmcv.imwrite(np.zeros((8, 8, 3), np.uint8), str(tmp_path /
                                                        f'{i}.jpg'))
    return tmp_path


def _coco(root, **kwargs):
    kwargs.setdefault('pipeline', [])
    return E2EVLPPretrainDataset(
        source='coco', data_root=str(root), ann_file='coco.json',
        caption_file='caps.json', **kwargs)


def _img_ids(ds) -> set:
    return {ds.get_data_info(i)['img_id'] for i in range(len(ds))}


def test_an_image_epoch_visits_each_image_once_with_a_fresh_text(
        two_sources):
    assert len(_coco(two_sources)) == 9  # pairs: the old epoch
    ds = _coco(two_sources, text_sampling='image')
    assert len(ds) == 3
    np.random.seed(0)
    epochs = [[ds.get_data_info(i)['text'] for i in range(3)]
              for _ in range(6)]
    assert all(t.endswith(f'of {i + 1}') for e in epochs
               for i, t in enumerate(e))
    assert len({e[0] for e in epochs}) > 1  # texts change between epochs
    test = _coco(two_sources, text_sampling='image', test_mode=True)
    assert [test.get_data_info(i)['text'] for i in range(3)] == \
        [f'caption 0 of {i}' for i in (1, 2, 3)]


def test_downstream_eval_images_are_left_out(two_sources, capsys):
    karpathy = dict(images=[dict(cocoid=i, split=s, sentences=[])
                            for i, s in ((1, 'train'), (2, 'test'),
                                         (3, 'restval'))])
    (two_sources / 'karpathy.json').write_text(json.dumps(karpathy))
    questions = dict(questions=[dict(question_id=1, image_id=3,
                                     question='q?')])
    (two_sources / 'q.json').write_text(json.dumps(questions))
    exclude = str(two_sources / 'exclude.json')
    run_tool('dataset_converters/build_exclusion_list.py', '--karpathy',
             str(two_sources / 'karpathy.json'), '--vqa-questions',
             str(two_sources / 'q.json'), '--out', exclude)
    assert json.load(open(exclude))['coco_ids'] == [2, 3]
    ds = _coco(two_sources, exclude_file=exclude)
    assert _img_ids(ds) == {1}
    vg = E2EVLPPretrainDataset(
        source='vg', data_root=str(two_sources), ann_file='vg.json',
        pipeline=[], exclude_file=exclude)
    # VG image 10 is COCO image 2 (a Karpathy test image)
    assert _img_ids(vg) == {11}


def test_test_time_itm_and_masks_are_reproducible(two_sources):
    init_default_scope('mmdet')
    tokenizer_path = osp.join(ROOT, 'tests/data/hand_made/tokenizer')
    pipeline = [
        dict(type='E2EVLPSampleITMNegative', prob=0.5),
        dict(type='E2EVLPTokenize', tokenizer_path=tokenizer_path),
        dict(type='E2EVLPMaskTokens', tokenizer_path=tokenizer_path),
    ]
    ds = _coco(two_sources, test_mode=True, pipeline=pipeline)
    first = [ds[i] for i in range(3)]
    np.random.seed(123)  # the global state does not matter
    again = [ds[i] for i in range(3)]
    for a, b in zip(first, again):
        assert a['itm_label'] == b['itm_label'] and a['text'] == b['text']
        assert (a['mlm_labels'] == b['mlm_labels']).all()
    assert all('mlm_labels' in s for s in first)


@pytest.fixture(scope='module')
def small_world(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('small_world'))
    prepare_data(root, num_images=8)
    return root


@pytest.mark.parametrize('name', ['e2evlp_r152_vqa', 'e2evlp_r152_caption'])
def test_vqa_and_caption_paper_datasets_build(name, small_world,
                                              monkeypatch):
    """Fault 8: they passed backend_args to mmpretrain-based datasets and
    used a batch sampler that needs width / height."""
    monkeypatch.chdir(small_world)
    init_default_scope('mmdet')
    cfg = _cfg(name)
    assert 'batch_sampler' not in cfg.train_dataloader
    for key in ('train_dataloader', 'test_dataloader'):
        ds = DATASETS.build(cfg[key].dataset)
        assert len(ds) > 0 and ds[0]['inputs'].shape[0] == 3


def test_paper_loaders_pin_memory():
    for name in PAPER:
        cfg = _cfg(name)
        for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
            assert cfg[key].pin_memory is True, (name, key)
