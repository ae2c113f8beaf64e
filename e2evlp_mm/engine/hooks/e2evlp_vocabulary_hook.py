# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Checkpoints that know their vocabularies (see ``engine/vocabularies``).
"""
from typing import Optional, Sequence, Tuple

from mmdet.registry import HOOKS
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.runner import BaseLoop

from ..vocabularies import (
    META_KEY,
    allowed_new,
    check_vocabularies,
    model_vocabularies,
    remap_rows,
    saved_vocabularies,
    vocabulary_meta,
)


def _model(runner):
    model = runner.model
    return model.module if is_model_wrapper(model) else model


def _running_dataset(runner) -> Tuple[Optional[dict], str]:
    """The ``metainfo`` of the dataset the runner is about to use and how
    messages name it (train, else test, else val: whichever loop is built).
    """
    for split in ('train', 'test', 'val'):
        loop = getattr(runner, f'_{split}_loop', None)
        if isinstance(loop, BaseLoop):
            meta = getattr(loop.dataloader.dataset, 'metainfo', None)
            return meta, f'{split}_dataloader.dataset'
    return None, 'dataset'


@HOOKS.register_module()
class E2EVLPVocabularyHook(Hook):
    """Save the vocabularies in every checkpoint; refuse other ones.

    ``before_save_checkpoint`` writes ``meta['vocabularies']`` (answer
    list, class and attribute names, WordPiece vocabulary).
    ``after_load_checkpoint`` (``load_from``, ``--resume``,
    ``tools/test.py``) compares the checkpoint's with the config's and
    raises :class:`E2EVLPVocabularyError` naming both. Vocabularies listed
    in ``new_vocabularies`` (this hook's argument or the config key of that
    name) are not compared: fine-tuning onto a new answer, class or
    attribute list moves the classifier rows of the names both lists
    share to their new index (:func:`remap_rows`).

    ``tools/train.py`` and ``tools/test.py`` add this hook to every config.

    Args:
        new_vocabularies (Sequence[str]): ``answers``, ``classes``,
            ``attributes`` or ``wordpiece``.
    """

    priority = 'VERY_HIGH'

    def __init__(self, new_vocabularies: Sequence[str] = ()) -> None:
        self.new_vocabularies = allowed_new(new_vocabularies)

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Add ``meta['vocabularies']`` of the training run."""
        meta, _ = _running_dataset(runner)  # the training set in a run
        current = model_vocabularies(_model(runner), meta)
        checkpoint.setdefault('meta', {})[META_KEY] = vocabulary_meta(
            current)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Refuse a checkpoint with other vocabularies (or adopt them)."""
        model = _model(runner)
        meta, dataset = _running_dataset(runner)
        allow = self.new_vocabularies + allowed_new(
            runner.cfg.get('new_vocabularies'))
        current = model_vocabularies(model, meta, dataset)
        check_vocabularies(
            checkpoint, current, runner.cfg.get('load_from')
            or f'(the latest in {runner.work_dir})', allow)
        saved = saved_vocabularies(checkpoint.get('meta'))
        for name in set(allow) & set(saved) & set(current) - {'wordpiece'}:
            remap_rows(checkpoint['state_dict'], model, name, saved[name],
                       current[name][0])


def add_vocabulary_hook(cfg: Config) -> Config:
    """Add :class:`E2EVLPVocabularyHook` to ``cfg.custom_hooks`` unless
    the config has it already.

    Returns:
        Config: ``cfg``, changed in place.
    """
    hooks = list(cfg.get('custom_hooks') or [])
    if not any(str(h.get('type')).endswith('E2EVLPVocabularyHook')
               for h in hooks):
        hooks.append(dict(type='E2EVLPVocabularyHook'))
    cfg.custom_hooks = hooks
    return cfg
