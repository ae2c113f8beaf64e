# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Command-line options a config cannot honour, refused before the Runner
is built (building it loads every dataset first)."""
from typing import Iterator, Optional

from mmdet.registry import METRICS
from mmengine.config import Config

from .model_check import E2EVLPConfigError
from .result_dump import DUMP_SUFFIXES, writes_results_json


def _metric_types(node) -> Iterator[object]:
    """The metric ``type`` s of an evaluator config (a metric dict, a list
    of them, or an ``Evaluator`` dict with ``metrics``)."""
    if isinstance(node, (list, tuple)):
        for item in node:
            yield from _metric_types(item)
    elif isinstance(node, dict):
        if 'metrics' in node:
            yield from _metric_types(node['metrics'])
        elif 'type' in node:
            yield node['type']


def _need(cfg: Config, what: str, keys: tuple) -> None:
    absent = [key for key in keys if cfg.get(key) is None]
    if absent:
        raise E2EVLPConfigError(
            f'{what} needs {", ".join(keys)} in the config; it has no '
            f'{", ".join(absent)}')


def check_test_args(cfg: Config, out: Optional[str] = None,
                    show: bool = False) -> None:
    """Refuse ``tools/test.py`` options the config cannot honour.

    Args:
        cfg (Config): The test config.
        out (str, optional): ``--out``.
        show (bool): ``--show`` or ``--show-dir`` given.

    Raises:
        E2EVLPConfigError: Naming the option and what the config lacks.
    """
    _need(cfg, 'tools/test.py', ('test_dataloader', 'test_evaluator',
                                 'test_cfg'))
    if out is not None:
        if not out.endswith(DUMP_SUFFIXES):
            raise E2EVLPConfigError(f'--out {out}: use a .pkl or a .json '
                                    'file')
        types = list(_metric_types(cfg.test_evaluator))
        classes = [t if isinstance(t, type) else METRICS.get(t)
                   for t in types]
        if out.endswith('.json') and not any(
                c is not None and writes_results_json(c) for c in classes):
            names = [getattr(t, '__name__', t) for t in types]
            raise E2EVLPConfigError(
                f'--out {out}: none of the test metrics ({names}) writes '
                'an official results json (detection, caption and VQA '
                'metrics do); use --out with a .pkl file for the raw '
                'predictions')
    if show and 'visualization' not in (cfg.get('default_hooks') or {}):
        raise E2EVLPConfigError(
            '--show / --show-dir need default_hooks.visualization in the '
            "config (mmdet's default_runtime.py has it)")


def check_train_args(cfg: Config) -> None:
    """Refuse to train a config without what training needs.

    Raises:
        E2EVLPConfigError: Naming the missing keys.
    """
    _need(cfg, 'tools/train.py', ('train_dataloader', 'train_cfg',
                                  'optim_wrapper'))
