# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Train, test and tabulate: what paper_table3.py and paper_table7.py share.

Every run goes through mmengine's ``Runner`` in this process (one Python
start-up for a whole table instead of one per run), with the same checks as
``tools/train.py`` / ``tools/test.py``. A run's work directory is named
after its config, iterations and seed and is reused when it already holds
a finished run (``last_checkpoint`` / ``test_metrics.json``): an
interrupted table resumes, and Table 7 reuses Table 3's full pre-training
when both share ``--work-dir``. Delete the directory after changing a
config.
"""
import argparse
import itertools
import json
import os
import os.path as osp
import statistics
import subprocess
import sys
import time
from typing import Any, Callable, Dict, List, Optional, Sequence

import torch
from mmengine.config import Config, DictAction
from mmengine.runner import Runner

import e2evlp_mm  # noqa: F401  (registers the project's modules)
from e2evlp_mm.engine import check_backbone_init, check_data_exists

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
WORLD = 'data/shapes_world'  # where the demo configs read it (cwd-relative)
_names = itertools.count()


def demo_config(name: str) -> str:
    """Path of ``configs/demo/<name>.py``."""
    return osp.join(ROOT, 'configs', 'demo', name + '.py')


def add_table_args(parser: argparse.ArgumentParser, work_dir: str) -> None:
    """The flags every table script takes."""
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1],
                        help='one pre-training + fine-tuning per seed')
    parser.add_argument(
        '--pretrain-scale', type=float, default=1.0,
        help='fraction of the demo pre-training iterations (and of the '
        'from-scratch detection runs); the lr schedule is scaled with it')
    parser.add_argument(
        '--finetune-scale', type=float, default=1.0,
        help="fraction of each fine-tuning config's iterations")
    parser.add_argument('--work-dir', default=work_dir)
    parser.add_argument('--out', help='table json (default: in --work-dir)')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction, default={},
        help='overrides for every run, each applied only where its parent '
        'key exists (e.g. model.decoder.num_layers=1 skips the VQA model, '
        'which has no decoder)')
    parser.add_argument(
        '--threads', type=int,
        help="torch CPU threads (default: torch's); 1 is several times "
        'faster on a machine whose cores other jobs keep busy')


def start(args: argparse.Namespace) -> float:
    """Set the threads, generate the shapes world (as tools/demo.sh) when
    missing; return the start time."""
    started = time.time()
    if args.threads:
        torch.set_num_threads(args.threads)
    if osp.exists(osp.join(WORLD, 'README.txt')):
        return started
    subprocess.run([
        sys.executable,
        osp.join(ROOT, 'tools', 'dataset_converters', 'make_shapes_world.py'),
        '--out', WORLD, '--num-images', '2000', '--seed', '0'
    ], check=True)
    return started


def scale_schedule(cfg: Config, scale: float) -> int:
    """Scale an iteration schedule (loop, lr milestones, checkpointing).

    Args:
        cfg (Config): A config with ``train_cfg.max_iters`` and iteration-
            based ``param_scheduler`` entries.
        scale (float): Fraction of the configured iterations.

    Returns:
        int: The new ``max_iters`` (at least 1).
    """
    old = cfg.train_cfg.max_iters
    new = max(1, round(old * scale))
    ratio = new / old
    for sched in cfg.get('param_scheduler') or []:
        begin = min(round(sched.get('begin', 0) * ratio), new - 1)
        sched.begin = begin
        if sched.get('end') is not None:
            sched.end = max(begin + 1, min(new, round(sched.end * ratio)))
        if 'milestones' in sched:
            sched.milestones = [max(1, round(m * ratio))
                                for m in sched.milestones]
    cfg.train_cfg.max_iters = new
    cfg.default_hooks.checkpoint.update(interval=new, max_keep_ckpts=1)
    return new


def copy_schedule(cfg: Config, source: str) -> None:
    """Give ``cfg`` the optimiser, lr schedule and iterations of ``source``.

    Args:
        cfg (Config): The config to change.
        source (str): Config file whose recipe to copy.
    """
    src = Config.fromfile(source)
    cfg.optim_wrapper = src.optim_wrapper
    cfg.param_scheduler = src.param_scheduler
    cfg.train_cfg.max_iters = src.train_cfg.max_iters


def apply_options(cfg: Config, options: Dict[str, Any]) -> None:
    """Merge ``key=value`` overrides whose parent exists in ``cfg``."""
    for key, value in options.items():
        *parents, _ = key.split('.')
        node = cfg.to_dict() if parents else {}
        for part in parents:
            if isinstance(node, dict):
                node = node.get(part)
            elif isinstance(node, list) and part.isdigit():
                node = node[int(part)] if int(part) < len(node) else None
            else:
                node = None
        if isinstance(node, (dict, list)):
            cfg.merge_from_dict({key: value})


def _runner(cfg: Config, work_dir: str) -> Runner:
    cfg.work_dir = work_dir
    # unique per run: mmengine keys its logger and visualizer by this name
    cfg.experiment_name = '{}_{}_{}'.format(
        osp.basename(work_dir), time.strftime('%Y%m%d_%H%M%S'),
        next(_names))
    return Runner.from_cfg(cfg)


def train(config: str, work_root: str, name: str, seed: int,
          scale: float = 1.0, load_from: Optional[str] = None,
          schedule_from: Optional[str] = None,
          options: Optional[Dict[str, Any]] = None) -> str:
    """Train ``config`` (or reuse a finished run); return its checkpoint.

    Args:
        config (str): Config file.
        work_root (str): Folder of all the table's runs.
        name (str): Run name; the work directory is
            ``<work_root>/seed<seed>/<name>_i<iterations>``.
        seed (int): ``randomness.seed``.
        scale (float): Fraction of the schedule's iterations.
        load_from (str, optional): Checkpoint to start from.
        schedule_from (str, optional): Config whose optimiser and schedule
            replace ``config``'s (see :func:`copy_schedule`).
        options (dict, optional): See :func:`apply_options`.

    Returns:
        str: Path of the last checkpoint.
    """
    cfg = Config.fromfile(config)
    if schedule_from is not None:
        copy_schedule(cfg, schedule_from)
    iters = scale_schedule(cfg, scale)
    work_dir = osp.join(work_root, f'seed{seed}', f'{name}_i{iters}')
    last = osp.join(work_dir, 'last_checkpoint')
    if not osp.exists(last):
        cfg.randomness = dict(cfg.get('randomness') or {}, seed=seed)
        cfg.load_from = load_from
        cfg.resume = False
        apply_options(cfg, options or {})
        check_data_exists(cfg, ('train_dataloader', ))
        check_backbone_init(cfg)
        _runner(cfg, work_dir).train()
    with open(last) as f:
        return f.read().strip()


def pretrained_backbone(args: argparse.Namespace, seed: int) -> str:
    """``make demo``'s first stage for a table: the backbone pre-trained
    on object windows (``configs/demo/e2evlp_shapes_backbone.py``, the
    demo's ImageNet), which every row starts from, as every row of the
    paper starts from an ImageNet ResNet. Scaled by ``--pretrain-scale``.

    Returns:
        str: Its checkpoint, to pass as ``load_from``.
    """
    return train(demo_config('e2evlp_shapes_backbone'), args.work_dir,
                 'backbone', seed, args.pretrain_scale)


def test(config: str, checkpoint: str,
         options: Optional[Dict[str, Any]] = None) -> Dict[str, float]:
    """Test ``checkpoint`` (or reuse its metrics); return the metrics.

    The metrics are written to ``test_metrics.json`` beside the checkpoint.
    """
    out = osp.join(osp.dirname(checkpoint), 'test_metrics.json')
    if not osp.exists(out):
        cfg = Config.fromfile(config)
        cfg.load_from = checkpoint
        apply_options(cfg, options or {})
        check_data_exists(cfg, ('test_dataloader', ))
        metrics = _runner(cfg, osp.join(osp.dirname(checkpoint),
                                        'test')).test()
        with open(out, 'w') as f:
            json.dump(metrics, f, indent=1)
    with open(out) as f:
        return json.load(f)


def summarise(values: Sequence[float]) -> Dict[str, Any]:
    """Mean and sample standard deviation (0 for one value) of a metric;
    both ``None`` when no run reported it."""
    values = list(values)
    if not values:
        return dict(values=values, mean=None, std=None)
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return dict(values=values, mean=statistics.fmean(values), std=std)


def _cell(summary: Dict[str, Any], digits: int) -> str:
    """``mean ± std`` of a :func:`summarise` result; ``-`` when empty."""
    if summary['mean'] is None:
        return '-'
    return f'{summary["mean"]:.{digits}f} ± {summary["std"]:.{digits}f}'


def markdown(title: str, header: Sequence[str],
             rows: Dict[str, Dict[str, Dict[str, Any]]],
             digits: int = 3) -> str:
    """A markdown table: one row per entry, ``mean ± std`` per metric."""
    lines = [f'| {title} | ' + ' | '.join(header) + ' |',
             '|' + '---|' * (len(header) + 1)]
    for row, cells in rows.items():
        lines.append(f'| {row} | ' + ' | '.join(
            _cell(cells[h], digits) for h in header) + ' |')
    return '\n'.join(lines)


def write_table(args: argparse.Namespace, name: str, table: str,
                rows: Dict[str, Any], settings: Dict[str, Any],
                started: float) -> None:
    """Print the table and write it, with its settings, as json."""
    minutes = (time.time() - started) / 60
    print(f'\n{table}\n\nseeds {args.seeds}; mean ± sample std; '
          f'{minutes:.1f} min in this invocation (finished runs under '
          f'{args.work_dir} were reused)')
    out = args.out or osp.join(args.work_dir, f'{name}.json')
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    with open(out, 'w') as f:
        json.dump(dict(table=table, rows=rows, seeds=args.seeds,
                       pretrain_scale=args.pretrain_scale,
                       finetune_scale=args.finetune_scale,
                       cfg_options=args.cfg_options,
                       minutes_this_invocation=minutes,
                       **settings), f, indent=1)
    print(f'written to {out}')


def collect(per_seed: List[Dict[str, float]],
            metrics: Dict[str, tuple]) -> Dict[str, Dict[str, Any]]:
    """``{label: summary}`` over seeds; ``metrics``: label -> (key, scale).

    A metric a run did not report (e.g. a VQA question type its test split
    lacks) is left out of that metric's summary.
    """
    return {label: summarise([m[key] * scale for m in per_seed if key in m])
            for label, (key, scale) in metrics.items()}


def run_table(name: str, description: str, title: str,
              rows: Dict[str, str], columns: Dict[str, tuple],
              run_row: Callable[[str, int, argparse.Namespace],
                                Dict[str, float]]) -> None:
    """The command line of a paper table: parse the arguments, run every
    asked-for row for every seed, print and write the table.

    Args:
        name (str): ``table3`` / ``table7`` (the json file name).
        description (str): The script's one-line description.
        title (str): Header of the row-label column.
        rows (dict): ``--rows`` key -> row label.
        columns (dict): Column label -> (metric key, scale).
        run_row (callable): ``(key, seed, args) -> metrics`` of one row.
    """
    parser = argparse.ArgumentParser(description=description)
    add_table_args(parser, 'work_dirs/paper_tables')
    parser.add_argument('--rows', nargs='+', choices=list(rows),
                        default=list(rows))
    args = parser.parse_args()
    started = start(args)
    results = {
        rows[key]: collect([run_row(key, seed, args) for seed in args.seeds],
                           columns)
        for key in args.rows
    }
    table = markdown(title, list(columns), results, digits=1)
    write_table(args, name, table, results,
                dict(columns={c: k for c, (k, _) in columns.items()}),
                started)
