# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Run the paper configs on a small machine: real-format data written by
the project's own converters, and the size overrides a user would pass.

Used by ``tests/test_tools/test_paper_path.py``; also handy by hand::

    python -m e2evlp_mm.testing.paper_path data/ configs/e2evlp_r152_vqa.py
"""
import json
import os
import os.path as osp
import runpy
import sys
from contextlib import contextmanager
from typing import Iterator, List, Tuple

from mmengine.config import Config

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
TOOLS = osp.join(ROOT, 'tools')


@contextmanager
def _argv(args: List[str]) -> Iterator[None]:
    saved = sys.argv
    sys.argv = list(args)
    try:
        yield
    finally:
        sys.argv = saved


def run_tool(script: str, *args: str) -> None:
    """Run ``tools/<script>`` in this process as ``python tools/<script>
    args...`` would (``SystemExit(0)`` is success)."""
    path = osp.join(TOOLS, script)
    with _argv([path, *args]):
        try:
            runpy.run_path(path, run_name='__main__')
        except SystemExit as exc:
            if exc.code not in (None, 0):
                raise


def prepare_data(root: str, num_images: int = 24) -> None:
    """Write a real-format ``data/`` tree under ``root`` the way
    docs/data_preparation.md tells a user to: the raw datasets (here
    generated), then
    ``vg_to_det.py``, ``build_vqa_answers.py``, ``train_wordpiece.py``,
    ``build_exclusion_list.py`` and ``build_annotation_cache.py`` (the
    pre-training config's, from ``root`` as its working directory), in
    that order.

    Args:
        root (str): Folder that will hold ``data/``.
        num_images (int): COCO scenes to generate.
    """
    data = osp.join(root, 'data')
    run_tool('dataset_converters/make_shapes_world.py', '--out', data,
             '--num-images', str(num_images), '--num-nlvr2', '8',
             '--num-flickr', '8', '--image-size', '96', '--no-tokenizer',
             '--val-fraction', '0.25')
    run_tool('dataset_converters/vg_to_det.py', osp.join(data, 'vg'),
             '--out-dir', osp.join(data, 'vg', 'annotations'),
             '--val-fraction', '0.25', '--coco-instances',
             osp.join(data, 'coco/annotations/instances_train2017.json'))
    run_tool('dataset_converters/build_vqa_answers.py',
             osp.join(data, 'vqa/v2_mscoco_train2014_annotations.json'),
             '--out', osp.join(data, 'vqa/answer_list.json'))
    corpus = osp.join(root, 'corpus.txt')
    with open(osp.join(data, 'coco/annotations/captions_train2017.json')) \
            as f:
        texts = [a['caption'] for a in json.load(f)['annotations']]
    with open(osp.join(data, 'vqa/v2_OpenEnded_mscoco_train2014_'
                       'questions.json')) as f:
        texts += [q['question'] for q in json.load(f)['questions']]
    with open(corpus, 'w') as f:
        f.write('\n'.join(texts))
    run_tool('dataset_converters/train_wordpiece.py', corpus, '--out',
             osp.join(data, 'bert-base-uncased'), '--vocab-size', '400',
             '--min-frequency', '1')
    run_tool('dataset_converters/build_exclusion_list.py', '--karpathy',
             osp.join(data, 'karpathy/dataset_coco.json'),
             '--vqa-questions',
             osp.join(data, 'vqa/v2_OpenEnded_mscoco_val2014_questions.json'),
             '--out', osp.join(data, 'exclusions/pretrain_exclude.json'))
    with _chdir(root):  # the configs read data/ relative to it
        run_tool('dataset_converters/build_annotation_cache.py',
                 osp.join(ROOT, 'configs/e2evlp_r50_6l_pretrain.py'))


@contextmanager
def _chdir(folder: str) -> Iterator[None]:
    saved = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(saved)


def _shrink_pipeline(pipeline: list, scale: tuple) -> None:
    for t in pipeline:
        if t['type'] in ('Resize', 'RandomResize'):
            t['scale'] = scale
        elif t['type'] == 'RandomChoiceResize':
            t['scales'] = [scale]
        elif t['type'] == 'E2EVLPApplyToImagePair':
            _shrink_pipeline(t['transforms'], scale)


def _loaders(cfg: Config) -> Iterator[Tuple[str, dict]]:
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        if cfg.get(key):
            yield key, cfg[key]


def _datasets(node) -> Iterator[dict]:
    if isinstance(node, dict):
        if 'pipeline' in node:
            yield node
        for value in node.values():
            yield from _datasets(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _datasets(value)


def shrink_config(cfg: Config, depth: int = 18, layers: int = 1,
                  scale: tuple = (96, 64), iters: int = 2) -> Config:
    """Apply the overrides of a small machine to a paper config.

    ResNet-``depth`` without ImageNet weights, so its BN is unfrozen
    explicitly; ``layers`` encoder / decoder layers; every resize at
    ``scale``; ``iters`` training iterations with validation at the end;
    batch 2 (8 to test) and one worker. Nothing else changes: data paths,
    vocabularies, heads, metrics and hooks are the paper config's.
    """
    model = cfg.model
    model.backbone.update(
        depth=depth, init_cfg=None, frozen_stages=-1, norm_eval=False,
        norm_cfg=dict(type='BN', requires_grad=True))
    model.neck.in_channels = [512 if depth < 50 else 2048]
    model.encoder.num_layers = layers
    if model.get('decoder'):
        model.decoder.num_layers = layers
    if model.get('caption_head'):
        model.caption_head.max_length = 5
    if 'num_queries' in model:
        model.num_queries = 10
    for key, loader in _loaders(cfg):
        loader.update(batch_size=2 if key == 'train_dataloader' else 8,
                      num_workers=1, persistent_workers=False)
        for dataset in _datasets(loader.dataset):
            _shrink_pipeline(dataset['pipeline'], scale)
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=iters,
                         val_interval=iters)
    cfg.param_scheduler = None
    cfg.default_hooks.checkpoint.update(by_epoch=False, interval=iters)
    cfg.default_hooks.logger.interval = 1
    cfg.log_processor = dict(by_epoch=False)
    return cfg
