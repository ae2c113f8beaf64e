"""Checkpoints know their vocabularies: tools/test.py and fine-tuning refuse
other ones (unless asked), the inferencer needs no vocabulary files, and
missing files or impossible options stop tools/*.py before the Runner.

The tools run in this process (``runpy``), so a refusal costs no import
time; ``Runner.from_cfg`` is patched where the Runner must not be built.
"""
import hashlib
import json
import os.path as osp
import runpy
import sys
from types import SimpleNamespace
from typing import Tuple

import pytest
import torch
from mmdet.registry import MODELS
from mmengine.config import Config
from mmengine.runner import BaseLoop, Runner
from mmengine.runner.checkpoint import _load_checkpoint_to_model

from e2evlp_mm.apis import E2EVLPInferencer
from e2evlp_mm.engine import E2EVLPVocabularyHook
from e2evlp_mm.engine.vocabularies import E2EVLPVocabularyError
from e2evlp_mm.testing.shapes_checkpoint import ROOT, tiny_shapes_work_dirs

QUESTIONS = ['what color is the circle?', 'how many shapes are there?']


@pytest.fixture(scope='module')
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp('vocab')
    tiny_shapes_work_dirs(str(root), ('vqa', 'det'))
    return root


def _work_dir(world, task: str) -> Tuple[str, str]:
    """Config and checkpoint of a tiny work dir of ``world``."""
    work = world / task
    return str(work / f'e2evlp_shapes_{task}.py'), str(work / 'iter_1.pth')


@pytest.fixture(scope='module')
def vqa(world):
    return _work_dir(world, 'vqa')


def _tool(name: str, *args: str) -> str:
    """Run tools/<name> here; the message it exits with ('' if none)."""
    argv = sys.argv
    sys.argv = [name, *args]
    try:
        runpy.run_path(osp.join(ROOT, 'tools', name), run_name='__main__')
    except SystemExit as done:
        return '' if done.code in (None, 0) else str(done.code)
    finally:
        sys.argv = argv
    return ''


def _config(path: str, out: str, **swap: Tuple[str, str]) -> str:
    """Config ``path`` with paths in it swapped (``old=new``), as ``out``."""
    text = Config.fromfile(path).pretty_text
    for old, new in swap.values():
        assert old in text
        text = text.replace(old, new)
    Config.fromstring(text, file_format='.py').dump(out)
    return out


def _answers(world):
    with open(world / 'shapes_world' / 'vqa' / 'answer_list.json') as f:
        return json.load(f)


class _Loop(BaseLoop):
    def run(self) -> None:
        pass


@pytest.fixture
def no_runner(monkeypatch):
    def refuse(cfg):
        raise AssertionError('the Runner was built')
    monkeypatch.setattr(Runner, 'from_cfg', refuse)


def test_reordered_answer_list_is_refused(world, vqa, tmp_path):
    config, ckpt = vqa
    answers = _answers(world)
    reordered = tmp_path / 'answer_list.json'
    reordered.write_text(json.dumps(answers[1:] + answers[:1]))
    message = _tool('test.py', config, ckpt, '--work-dir', str(tmp_path),
                    '--cfg-options',
                    f'model.vqa_head.answer_list_path={reordered}')
    assert 'answers of model.vqa_head.answer_list_path' in message, message
    assert str(reordered) in message and ckpt in message
    assert f'checkpoint {len(answers)} answers' in message
    assert 'first difference at index 0' in message
    # both lists, from the difference on
    assert f'checkpoint [{answers[0]!r}, {answers[1]!r}' in message
    assert f'config [{answers[1]!r}, {answers[2]!r}' in message
    assert 'new_vocabularies' in message


def test_inferencer_takes_vocabularies_from_checkpoint(world, vqa, tmp_path,
                                                        recwarn):
    config, ckpt = vqa
    scenes = sorted((world / 'shapes_world' / 'coco' / 'val2017').iterdir())
    scenes = [str(p) for p in scenes[:2]]
    with_files = E2EVLPInferencer(config, ckpt, device='cpu')(
        scenes, texts=QUESTIONS, batch_size=2)['predictions']
    data = str(world / 'shapes_world')
    bare = _config(config, str(tmp_path / 'bare.py'),
                   answers=(f'{data}/vqa/answer_list.json',
                            str(tmp_path / 'gone.json')),
                   tokenizer=(f'{data}/tokenizer', str(tmp_path / 'gone')))
    inferencer = E2EVLPInferencer(bare, ckpt, device='cpu')
    without = inferencer(scenes, texts=QUESTIONS,
                         batch_size=2)['predictions']
    assert inferencer.model.vqa_head.answer_list == _answers(world)
    assert [p['answer'] for p in without] == \
        [p['answer'] for p in with_files]
    assert [p['topk'] for p in without] == [p['topk'] for p in with_files]
    assert any('gone.json' in str(w.message) for w in recwarn)


def test_class_and_wordpiece_mismatch_refused(world, tmp_path):
    config, ckpt = _work_dir(world, 'det')
    checkpoint = torch.load(ckpt, weights_only=True)
    vocab = checkpoint['meta']['vocabularies']
    classes = vocab['classes']
    vocab['classes'] = classes[::-1]
    checkpoint['meta']['dataset_meta']['classes'] = tuple(classes[::-1])
    tokens = vocab['wordpiece']['tokens']
    tokens[5], tokens[6] = tokens[6], tokens[5]
    vocab['wordpiece']['sha256'] = hashlib.sha256(
        '\n'.join(tokens).encode()).hexdigest()
    other = str(tmp_path / 'other.pth')
    torch.save(checkpoint, other)
    message = _tool('test.py', config, other, '--work-dir', str(tmp_path))
    assert "classes of the test_dataloader.dataset's" in message, message
    assert f'checkpoint [{classes[-1]!r}' in message
    assert f'config [{classes[0]!r}' in message
    assert 'wordpiece of model.text_cfg.tokenizer_path' in message
    assert 'first difference at index 5' in message
    # asked for, each class keeps its row (DETR's background row too)
    model = MODELS.build(Config.fromfile(config).model)
    runner = SimpleNamespace(model=model, cfg=Config(dict(
        load_from=other, new_vocabularies=['classes', 'wordpiece'])))
    runner._test_loop = _Loop(runner, SimpleNamespace(
        dataset=SimpleNamespace(metainfo=dict(classes=classes))))
    E2EVLPVocabularyHook().after_load_checkpoint(runner, checkpoint)
    _load_checkpoint_to_model(model, checkpoint, strict=True)
    saved = torch.load(other, weights_only=True)['state_dict']
    rows, old = model.bbox_head.fc_cls.weight, saved['bbox_head.fc_cls.weight']
    assert torch.equal(rows[:len(classes)], old[:len(classes)].flip(0))
    assert torch.equal(rows[len(classes):], old[len(classes):])


def test_fine_tune_onto_new_answer_list_on_request(world, vqa, tmp_path):
    """``new_vocabularies`` lets ``load_from`` take a checkpoint of another
    answer list; each shared answer keeps its trained classifier row."""
    config, ckpt = vqa
    answers = _answers(world)
    new = answers[::-1] + ['plenty']
    path = tmp_path / 'answer_list.json'
    path.write_text(json.dumps(new))
    cfg = Config.fromfile(config)
    cfg.model.vqa_head.answer_list_path = str(path)
    model = MODELS.build(cfg.model)
    runner = SimpleNamespace(model=model, cfg=Config(dict(load_from=ckpt)))
    checkpoint = torch.load(ckpt, weights_only=True)
    old_rows = checkpoint['state_dict']['vqa_head.classifier.3.weight']
    hook = E2EVLPVocabularyHook()
    with pytest.raises(E2EVLPVocabularyError, match='index 0'):
        hook.after_load_checkpoint(runner, checkpoint)
    runner.cfg.new_vocabularies = 'answers'
    hook.after_load_checkpoint(runner, checkpoint)
    _load_checkpoint_to_model(model, checkpoint, strict=True)
    rows = model.vqa_head.classifier[3].weight
    assert torch.equal(rows[0], old_rows[len(answers) - 1])
    assert torch.equal(rows[len(answers) - 1], old_rows[0])
    # what the run's checkpoints then save
    runner._train_loop = _Loop(runner, SimpleNamespace(
        dataset=SimpleNamespace(metainfo={})))
    saved = {}
    hook.before_save_checkpoint(runner, saved)
    vocab = saved['meta']['vocabularies']
    assert vocab['answers'] == new
    assert vocab['wordpiece'] == checkpoint['meta']['vocabularies'][
        'wordpiece']


def test_missing_answer_list_named_before_runner(world, vqa, tmp_path,
                                                 no_runner):
    config, ckpt = vqa
    gone = str(tmp_path / 'gone.json')
    message = _tool('test.py', config, ckpt, '--work-dir', str(tmp_path),
                    '--cfg-options',
                    f'model.vqa_head.answer_list_path={gone}')
    assert f'{gone}  (model.vqa_head.answer_list_path)' in message, message


def test_nlvr2_json_out_refused_before_runner(world, tmp_path, no_runner):
    config = _config(
        osp.join(ROOT, 'configs', 'demo', 'e2evlp_shapes_nlvr2.py'),
        str(tmp_path / 'nlvr2.py'),
        data=('data/shapes_world/', f'{world}/shapes_world/'))
    ckpt = tmp_path / 'any.pth'  # never read: refused before
    ckpt.write_bytes(b'')
    message = _tool('test.py', config, str(ckpt), '--work-dir',
                    str(tmp_path), '--out', str(tmp_path / 'x.json'))
    assert 'x.json' in message and 'E2EVLPNLVR2Acc' in message, message
    assert '.pkl' in message and '\n' not in message
