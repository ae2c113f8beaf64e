"""Every config of the project parses, and every model in it builds."""
import glob
import os.path as osp

import pytest
from mmdet.registry import MODELS
from mmengine.config import Config
from mmengine.registry import init_default_scope

import e2evlp_mm  # noqa: F401

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..'))
CONFIGS = sorted(
    osp.relpath(p, ROOT)
    for p in glob.glob(osp.join(ROOT, 'configs', '**', '*.py'),
                       recursive=True) if '_base_' not in p)
# Local files the models read at build time, replaced by test fixtures
# (the real ones come with the datasets).
FIXTURES = dict(
    tokenizer_path=osp.join(ROOT, 'tests/data/hand_made/tokenizer'),
    answer_list_path=osp.join(ROOT,
                              'tests/data/hand_made/vqa/answer_list.json'),
    # head sizes given as the vocabulary files (pre-training configs)
    num_classes=osp.join(ROOT, 'tests/data/hand_made/vg/objects_vocab.txt'),
    num_attributes=osp.join(ROOT,
                            'tests/data/hand_made/vg/attributes_vocab.txt'))


def _with_fixtures(node):
    if isinstance(node, dict):
        return {
            k: FIXTURES[k] if k in FIXTURES and isinstance(v, str) and v
            else _with_fixtures(v)
            for k, v in node.items()
        }
    if isinstance(node, (list, tuple)):
        return type(node)(_with_fixtures(v) for v in node)
    return node


def test_configs_are_found():
    assert 'configs/e2evlp_r152_pretrain.py' in CONFIGS
    assert len(CONFIGS) >= 20


@pytest.mark.parametrize('path', CONFIGS)
def test_config_builds(path):
    cfg = Config.fromfile(osp.join(ROOT, path))
    assert cfg.custom_imports['imports'] == ['e2evlp_mm']
    for loader in ('train_dataloader', 'test_dataloader'):
        assert cfg.get(loader) is not None, f'{path}: no {loader}'
    init_default_scope(cfg.get('default_scope', 'mmdet'))
    model = MODELS.build(_with_fixtures(cfg.model.to_dict()))
    assert sum(p.numel() for p in model.parameters()) > 0
