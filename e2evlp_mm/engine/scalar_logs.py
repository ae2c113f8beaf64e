# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Read the scalars mmengine logs during training (mmdet's
``analyze_logs.py`` inputs).

mmengine's ``LocalVisBackend`` writes one json line per logged training
iteration (``lr``, ``time``, ``data_time``, ``loss*``, ``acc*``...,
``step`` = iteration) and one per evaluation (its metrics, ``step`` = the
iteration evaluated) to ``<work_dir>/<timestamp>/vis_data/scalars.json``.
"""
import glob
import json
import os.path as osp
from collections import defaultdict
from typing import Dict, List, Tuple

Curves = Dict[str, Tuple[List[int], List[float]]]


def find_scalar_log(path: str) -> str:
    """A json log itself, or the newest training log of a work dir.

    Args:
        path (str): ``scalars.json`` (or mmengine's ``<timestamp>.json``)
            or a ``tools/train.py`` work dir.

    Returns:
        str: The newest ``<path>/*/vis_data/scalars.json`` that holds
        losses (a run of ``tools/test.py`` holds none), or ``path``.

    Raises:
        FileNotFoundError: No such file or dir, or no training log in it.
    """
    if osp.isfile(path):
        return path
    if not osp.isdir(path):
        raise FileNotFoundError(f'{path}: no such work dir or json log')
    logs = []
    for log in sorted(
            glob.glob(osp.join(path, '*', 'vis_data', 'scalars.json'))):
        with open(log) as f:
            if '"loss' in f.read():
                logs.append(log)
    if not logs:
        raise FileNotFoundError(f'{path}: no */vis_data/scalars.json with '
                                'losses (is it a tools/train.py work dir?)')
    return logs[-1]


def load_scalars(path: str) -> Curves:
    """Every numeric scalar of a json log against the training iteration.

    Training records (they log ``lr``) keep their ``step``. An evaluation
    record is put at the last training iteration before it: with
    ``LoggerHook(log_metric_by_epoch=True)`` (mmengine's default) its
    ``step`` is the epoch, 0 for an iteration-based loop. Its ``time`` and
    ``data_time`` become ``val/time`` and ``val/data_time``.

    Args:
        path (str): A json log (one record per line).

    Returns:
        dict[str, tuple[list[int], list[float]]]: ``{key: (steps,
        values)}``, training and evaluation keys alike, in log order.

    Raises:
        ValueError: A line is not json (names the file and line).
    """
    curves: Curves = defaultdict(lambda: ([], []))
    last_train_step = None
    with open(path) as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as err:
                raise ValueError(f'{path}:{number}: not a json record '
                                 f'({err})') from err
            if 'step' not in record:
                continue
            step = record.pop('step')
            if 'lr' in record:
                last_train_step = step
            else:
                step = step if last_train_step is None else last_train_step
                record = {('val/' + k if k in ('time', 'data_time') else k):
                          v for k, v in record.items()}
            for key, value in record.items():
                if isinstance(value, (int, float)):
                    curves[key][0].append(step)
                    curves[key][1].append(float(value))
    return dict(curves)


def train_time(curves: Curves, include_outliers: bool = False) -> Dict:
    """Seconds per training iteration from the logged ``time``.

    Args:
        curves (dict): From :func:`load_scalars`.
        include_outliers (bool): Keep the first logged value (warm-up,
            dataloader start), which mmdet's ``cal_train_time`` drops.

    Returns:
        dict: ``iterations`` (last step), ``records``, ``mean``, ``std``,
        ``fastest``, ``slowest`` (s / iter, per logged record) and
        ``total_hours`` (mean x iterations).

    Raises:
        ValueError: The log has no ``time`` values.
    """
    steps, values = curves.get('time', ([], []))
    if not include_outliers:
        steps, values = steps[1:], values[1:]
    if not values:
        raise ValueError('no training `time` logged (too few records)')
    mean = sum(values) / len(values)
    std = (sum((v - mean)**2 for v in values) / len(values))**0.5
    return dict(
        iterations=steps[-1], records=len(values), mean=mean, std=std,
        fastest=min(values), slowest=max(values),
        total_hours=mean * steps[-1] / 3600)
