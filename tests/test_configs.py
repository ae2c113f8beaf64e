"""Every config of the project parses, and every model in it builds."""
import glob
import os.path as osp

import pytest
import torch
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


# Each fine-tuning config, the pre-training config whose checkpoint it
# loads (load_from=...) and the prefixes of the parts it learns anew.
PRE_R152 = 'configs/e2evlp_r152_pretrain.py'
PRE_DEMO = 'configs/demo/e2evlp_shapes_pretrain.py'
FINETUNING = [
    (PRE_R152, 'configs/e2evlp_r152_vqa.py', ('vqa_head.', )),
    (PRE_R152, 'configs/e2evlp_r152_nlvr2.py', ('nlvr2_head.', )),
    (PRE_R152, 'configs/e2evlp_r152_caption.py', ()),
    (PRE_R152, 'configs/e2evlp_r152_retrieval_flickr30k.py',
     ('retrieval_head.', )),
    (PRE_R152, 'configs/e2evlp_r152_coco_det.py', ('bbox_head.', )),
    (PRE_DEMO, 'configs/demo/e2evlp_shapes_vqa.py', ('vqa_head.', )),
    (PRE_DEMO, 'configs/demo/e2evlp_shapes_nlvr2.py', ('nlvr2_head.', )),
    (PRE_DEMO, 'configs/demo/e2evlp_shapes_caption.py', ()),
    (PRE_DEMO, 'configs/demo/e2evlp_shapes_retrieval.py',
     ('retrieval_head.', )),
    (PRE_DEMO, 'configs/demo/e2evlp_shapes_det.py', ('bbox_head.', )),
]
TRUNK = ('backbone.', 'neck.', 'text_embedding.', 'encoder.')


def _param_shapes(path):
    """State-dict names and shapes of a config's model (no memory)."""
    cfg = Config.fromfile(osp.join(ROOT, path))
    init_default_scope(cfg.get('default_scope', 'mmdet'))
    with torch.device('meta'):
        model = MODELS.build(_with_fixtures(cfg.model.to_dict()))
    return {k: tuple(v.shape) for k, v in model.state_dict().items()}


@pytest.mark.parametrize('pretrain,task,new', FINETUNING)
def test_pre_training_checkpoint_fills_the_task_model(pretrain, task, new):
    source, target = _param_shapes(pretrain), _param_shapes(task)
    trunk = {k for k in source if k.startswith(TRUNK)}
    assert trunk and trunk <= set(target), f'{task}: trunk keys missing'
    # every tensor but the new head's comes from the checkpoint, as it is
    loaded = {k: v for k, v in target.items() if not k.startswith(new)}
    assert loaded == {k: source.get(k) for k in loaded}


def test_backbone_stage_fills_the_demo_backbone():
    """make demo's backbone checkpoint gives the detector every backbone
    tensor (load_from), and nothing else but the classifier's head."""
    source = _param_shapes('configs/demo/e2evlp_shapes_backbone.py')
    target = _param_shapes(PRE_DEMO)
    backbone = {k: v for k, v in target.items() if k.startswith('backbone.')}
    assert backbone and backbone == {k: source.get(k) for k in backbone}
    assert set(source) - set(backbone) == {'head.fc.weight', 'head.fc.bias'}


def _build(path):
    cfg = Config.fromfile(osp.join(ROOT, path))
    init_default_scope(cfg.get('default_scope', 'mmdet'))
    return MODELS.build(_with_fixtures(cfg.model.to_dict()))


@pytest.mark.parametrize('pretrain,task,with_itc', [
    (PRE_DEMO, 'configs/demo/e2evlp_shapes_retrieval.py', True),
    (PRE_R152, 'configs/e2evlp_r152_retrieval_flickr30k.py', False),
])
def test_retrieval_head_starts_from_the_pre_training_heads(
        pretrain, task, with_itc):
    """A pre-training checkpoint starts the retriever's matching score from
    ITM; the demo's also fills the pre-filter from its ITC head (same
    size), the paper's has no ITC, so the pre-filter starts as built."""
    source, retriever = _build(pretrain), _build(task)
    result = retriever.load_state_dict(source.state_dict(), strict=False)
    itc = {f'retrieval_head.itc.{k}'
           for k in retriever.retrieval_head.itc.state_dict()}
    assert set(result.missing_keys) == (set() if with_itc else itc)
    if with_itc:
        torch.testing.assert_close(
            retriever.retrieval_head.itc.state_dict(),
            source.itc_head.state_dict())
    cls = torch.randn(3, retriever.embed_dims)
    torch.testing.assert_close(retriever.retrieval_head(cls).sigmoid(),
                               source.itm_head(cls).softmax(-1)[:, 1])


def _decays_by_iteration(path: str) -> bool:
    cfg = Config.fromfile(osp.join(ROOT, path))
    scheds = cfg.get('param_scheduler') or []
    return bool(cfg.train_cfg.get('max_iters')) and bool(scheds) and \
        scheds[-1].type == 'CosineAnnealingLR'


@pytest.mark.parametrize('path', [p for p in CONFIGS
                                  if _decays_by_iteration(p)])
def test_lr_decay_runs_to_the_last_iteration(path):
    """Iteration schedules that end in a decay run back to back from 0 to
    ``max_iters``: a gap or an early end would train the last iterations
    at a rate the schedule never meant."""
    cfg = Config.fromfile(osp.join(ROOT, path))
    ends = [s.end for s in cfg.param_scheduler]
    assert [s.get('begin', 0) for s in cfg.param_scheduler] == \
        [0, *ends[:-1]], path
    assert ends[-1] == cfg.train_cfg.max_iters, path


def test_longer_demo_differs_in_its_schedule_only():
    """The 2100-iteration demo pre-training is `make demo`'s, stretched."""
    short = Config.fromfile(osp.join(ROOT, PRE_DEMO))
    long = Config.fromfile(
        osp.join(ROOT, 'configs/demo/e2evlp_shapes_pretrain_2100it.py'))
    differ = {k for k in set(short) | set(long) if short.get(k) != long.get(k)}
    assert differ == {'max_iters', 'param_scheduler', 'train_cfg'}
    assert long.train_cfg.max_iters == 2100
    assert [s.type for s in long.param_scheduler] == \
        [s.type for s in short.param_scheduler]
    # the same lr, warm-up and floor; the flat phase ends 600 before the end
    for a, b in zip(short.param_scheduler, long.param_scheduler):
        assert {k: v for k, v in a.items() if k not in ('begin', 'end')} \
            == {k: v for k, v in b.items() if k not in ('begin', 'end')}
    assert long.param_scheduler[1].end == 1500
