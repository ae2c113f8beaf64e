# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""E2EVLPVQA on the tiny trunk, pre-training checkpoints, tools/ e2e."""
import json
import os
import os.path as osp
import shutil
import subprocess
import sys

import mmcv
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.runner import load_checkpoint

import e2evlp_mm  # noqa: F401  (registers the models)
from e2evlp_mm.testing import (
    assert_every_param_has_grad,
    build_model_from,
    make_e2evlp_batch,
)

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..', '..'))
DATA = osp.join(ROOT, 'tests', 'data')
TINY = osp.join(DATA, 'configs', 'e2evlp_tiny.py')
TINY_VQA = osp.join(DATA, 'configs', 'e2evlp_vqa_tiny.py')
HAND_MADE = osp.join(DATA, 'hand_made')
PRETRAIN_ONLY = ('decoder.', 'bbox_head.', 'mlm_head.', 'itm_head.',
                 'caption_head.', 'query_embedding.')


build = build_model_from


def vqa_batch(num_answers=6, **kwargs):
    inputs, samples = make_e2evlp_batch(2, **kwargs)
    for i, ds in enumerate(samples):
        ds.answer_scores = torch.zeros(num_answers)
        ds.answer_scores[i] = 1.0
        ds.answer_scores[2] = 0.3
    return inputs, samples


def test_loss_and_every_parameter_gets_gradient():
    model = build(TINY_VQA)
    assert model.decoder is None and not model.with_bbox
    losses = model.loss(*vqa_batch(image_sizes=((64, 64), (48, 40))))
    assert set(losses) == {'loss_vqa', 'acc_vqa'}
    assert torch.isfinite(losses['loss_vqa']) and losses['loss_vqa'] > 0
    losses['loss_vqa'].backward()
    assert_every_param_has_grad(model)  # DDP-safe: no unused parameters


def test_predict_fields_and_tensor_mode():
    model = build(TINY_VQA).eval()
    inputs, samples = vqa_batch(training=False)
    with torch.no_grad():
        logits = model(inputs, samples, mode='tensor')
        out = model.predict(inputs, samples)
    answers = model.vqa_head.answer_list
    assert logits.shape == (2, len(answers))
    for ds, row in zip(out, logits):
        assert ds.pred_answer_index == row.argmax().item()
        assert ds.pred_answer == answers[ds.pred_answer_index]
        assert ds.pred_answer_score == pytest.approx(
            row.max().sigmoid().item(), rel=1e-5)


@pytest.mark.parametrize('key', ['decoder', 'bbox_head', 'mlm_head'])
def test_pretraining_parts_are_rejected(key):
    pre = Config.fromfile(TINY).model
    with pytest.raises(TypeError, match=key):
        build(TINY_VQA, **{key: pre[key]})


def test_load_pretraining_checkpoint(tmp_path):
    pretrained = build(TINY)
    path = str(tmp_path / 'pretrain.pth')
    torch.save(dict(state_dict=pretrained.state_dict()), path)
    model = build(TINY_VQA)
    logger = MMLogger.get_instance('test_vqa_load', log_file=str(
        tmp_path / 'load.log'))
    load_checkpoint(model, path, strict=False, logger=logger)
    source = pretrained.state_dict()
    target = model.state_dict()
    trunk = [k for k in target if not k.startswith('vqa_head.')]
    for key in trunk:  # every trunk tensor restored
        torch.testing.assert_close(target[key], source[key])
    report = (tmp_path / 'load.log').read_text()
    unexpected, missing = report.split('missing keys in source')
    assert 'unexpected key in source state_dict' in unexpected
    expected_unexpected = {k for k in source if k.startswith(PRETRAIN_ONLY)}
    assert expected_unexpected == set(source) - set(target)
    for key in expected_unexpected:
        assert key in unexpected
    head_keys = {k for k in target if k.startswith('vqa_head.')}
    assert head_keys and head_keys == set(target) - set(source)
    assert all(k in missing for k in head_keys)
    assert not any(k in missing for k in trunk)


def _tiny_vqa_root(root):
    """The hand-made VQA files with the two train2014 images they use."""
    shutil.copytree(osp.join(HAND_MADE, 'vqa'), osp.join(root, 'vqa'))
    rng = np.random.default_rng(0)
    for i in (1, 2):
        mmcv.imwrite(rng.integers(0, 255, (40, 48, 3), dtype=np.uint8),
                     osp.join(root, 'coco', 'train2014',
                              'COCO_train2014_%012d.jpg' % i))
    with open(osp.join(root, 'vqa', 'answer_list.json')) as f:
        return len(json.load(f))


def test_train_and_test_tools_end_to_end(tmp_path):
    root = str(tmp_path / 'data')
    _tiny_vqa_root(root)
    vqa = dict(
        type='E2EVLPVQADataset', data_root=root,
        data_prefix='coco/train2014',
        question_file='vqa/v2_OpenEnded_mscoco_train2014_questions.json',
        ann_file='vqa/v2_mscoco_train2014_annotations.json')
    tok = osp.join(HAND_MADE, 'tokenizer')
    answers = osp.join(root, 'vqa', 'answer_list.json')
    load = [dict(type='E2EVLPLoadImageFromFile'),
            dict(type='Resize', scale=(64, 64), keep_ratio=True)]
    text = dict(type='E2EVLPTokenize', tokenizer_path=tok, keys=('text', ))
    meta = ('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor',
            'question_id')
    cfg = Config.fromfile(TINY_VQA)
    cfg.model.text_cfg.tokenizer_path = tok
    # no ImageNet weights here: BN must learn (tools refuse frozen BN
    # without weights)
    cfg.model.backbone.update(norm_cfg=dict(type='BN', requires_grad=True),
                              norm_eval=False)
    cfg.model.vqa_head.answer_list_path = answers
    loader = dict(batch_size=2, num_workers=0,
                  sampler=dict(type='DefaultSampler', shuffle=False))
    cfg.merge_from_dict(dict(
        default_scope='mmdet',
        train_dataloader=dict(loader, dataset=dict(vqa, pipeline=[
            *load, dict(type='E2EVLPVQATarget', answer_list_path=answers),
            text, dict(type='PackE2EVLPInputs')])),
        test_dataloader=dict(loader, dataset=dict(vqa, test_mode=True,
                                                  pipeline=[
            *load, text, dict(type='PackE2EVLPInputs', meta_keys=meta)])),
        test_evaluator=dict(type='E2EVLPVQAAcc'),
        optim_wrapper=dict(optimizer=dict(type='AdamW', lr=1e-3)),
        train_cfg=dict(by_epoch=True, max_epochs=2),
        test_cfg=dict(), default_hooks=dict(
            checkpoint=dict(type='CheckpointHook', interval=1)),
        env_cfg=dict(dist_cfg=dict(backend='gloo'))))
    config = str(tmp_path / 'vqa_e2e.py')
    cfg.dump(config)
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1')

    def run(*args):
        proc = subprocess.run([sys.executable, *args], cwd=tmp_path,
                              env=env, capture_output=True, text=True,
                              timeout=300)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        return proc.stdout + proc.stderr

    work = str(tmp_path / 'work')
    run(osp.join(ROOT, 'tools', 'train.py'), config, '--work-dir', work)
    out = run(osp.join(ROOT, 'tools', 'test.py'), config,
              osp.join(work, 'epoch_2.pth'), '--work-dir', work)
    assert 'VQA/acc' in out

