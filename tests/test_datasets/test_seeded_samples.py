# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Per-sample seeded randomness: same draws whatever the workers."""
import itertools
import os.path as osp

import numpy as np
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from e2evlp_mm.datasets import E2EVLPSeededSampler, seeded_loader_cfg
from e2evlp_mm.datasets.seeded_samples import SeededIndex
from e2evlp_mm.testing.runs import ROOT


def _loader_cfg(root, tokenizer_path, num_workers):
    pipeline = [
        dict(type='E2EVLPLoadImageFromFile'),
        dict(type='E2EVLPLoadAnnotations', with_bbox=True),
        dict(type='E2EVLPSampleITMNegative', prob=0.5),
        dict(type='RandomChoiceResize', scales=[(16, 16), (40, 40)],
             keep_ratio=True),
        dict(type='E2EVLPRandomFlip', prob=0.5),
        dict(type='E2EVLPTokenize', tokenizer_path=tokenizer_path),
        dict(type='E2EVLPMaskTokens', tokenizer_path=tokenizer_path,
             mask_prob=0.5),
        dict(type='PackE2EVLPInputs'),
    ]
    dataset = dict(
        type='E2EVLPPretrainDataset', data_root=osp.join(root, 'coco'),
        ann_file='annotations/instances_train2017.json',
        caption_file='annotations/captions_train2017.json',
        data_prefix=dict(img='train2017'), pipeline=pipeline)
    return seeded_loader_cfg(dict(
        batch_size=1, num_workers=num_workers, dataset=dataset,
        sampler=dict(type='DefaultSampler', shuffle=False, seed=3)))


def _epoch(loader, epoch):
    loader.sampler.set_epoch(epoch)
    out = []
    for batch in loader:
        sample = batch['data_samples'][0]
        out.append((batch['inputs'][0], sample.text_ids, sample.mlm_labels,
                    int(sample.itm_label), sample.flip))
    return out


def _same(a, b):
    return len(a) == len(b) and all(
        all(torch.equal(torch.as_tensor(x), torch.as_tensor(y))
            for x, y in zip(sa, sb)) for sa, sb in zip(a, b))


def test_same_draws_with_0_and_2_workers_new_ones_next_epoch(
        data_root, tokenizer_path):
    main = Runner.build_dataloader(
        _loader_cfg(data_root, tokenizer_path, 0), seed=0)
    workers = Runner.build_dataloader(
        _loader_cfg(data_root, tokenizer_path, 2), seed=0)
    np.random.seed(5)
    before = np.random.get_state()[1].copy()
    first = _epoch(main, 0)
    # The main process's generators are restored after each sample.
    assert np.array_equal(np.random.get_state()[1], before)
    assert len(first) > 2
    assert _same(first, _epoch(workers, 0))
    second = _epoch(workers, 1)
    assert _same(second, _epoch(main, 1))
    assert not any(_same([a], [b]) for a, b in zip(first, second))


def test_infinite_sampler_epoch_is_the_pass():
    sampler = E2EVLPSeededSampler(
        dict(type='InfiniteSampler', shuffle=True), dataset=list(range(3)),
        seed=7)
    idx = list(itertools.islice(iter(sampler), 7))
    assert all(isinstance(i, SeededIndex) and i.seed == 7 for i in idx)
    assert [i.epoch for i in idx] == [0, 0, 0, 1, 1, 1, 2]
    assert sorted(idx[:3]) == [0, 1, 2] == sorted(idx[3:6])


def test_sampler_seed_defaults_only_when_none_is_named():
    cfg = dict(sampler=dict(type='DefaultSampler'), dataset=dict(type='X'))
    out = seeded_loader_cfg(cfg, default_seed=0)
    assert out['sampler']['sampler']['seed'] == 0
    assert out['dataset'] == dict(type='E2EVLPSeededDataset',
                                  dataset=dict(type='X'))
    cfg['sampler']['seed'] = 4
    assert seeded_loader_cfg(cfg, 0)['sampler']['sampler']['seed'] == 4
    assert 'seed' not in seeded_loader_cfg(
        dict(cfg, sampler=dict(type='DefaultSampler')))['sampler']['sampler']
    assert seeded_loader_cfg(out) == out  # wrapped once


def test_loop_of_a_seedless_run_seeds_samples_with_0(tmp_path):
    cfg = Config.fromfile(
        osp.join(ROOT, 'tests', 'data', 'configs', 'toy_regression.py'))
    cfg.train_dataloader.sampler.pop('seed')
    cfg.randomness = dict(seed=None)
    cfg.work_dir = str(tmp_path)
    runner = Runner.from_cfg(cfg)
    for loop in ('E2EVLPEpochBasedTrainLoop', 'E2EVLPIterBasedTrainLoop'):
        seeded = runner.build_train_loop(dict(type=loop, max_epochs=1)
                                         if 'Epoch' in loop else
                                         dict(type=loop, max_iters=1))
        assert isinstance(seeded.dataloader.sampler, E2EVLPSeededSampler)
        assert seeded.dataloader.sampler.seed == 0
        assert next(iter(seeded.dataloader.sampler)).seed == 0
