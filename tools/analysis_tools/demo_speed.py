# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Measure a training config's seconds per iteration on this machine and
estimate the run: what `make demo` prints before it trains.

Times a few training iterations (after a warm-up) for each torch thread
count asked for, and one test batch, then prints the CPU, the measures and
the estimate. On a shared machine OpenMP threads that spin while waiting
for each other can make two threads several times slower than one;
``tools/demo.sh`` therefore runs with ``OMP_WAIT_POLICY=PASSIVE`` (compare
``--threads 1 2`` with and without it).

    python tools/analysis_tools/demo_speed.py \
        configs/demo/e2evlp_shapes_pretrain.py --threads 1 2
"""
import argparse
import math
import os
import tempfile
import time
from typing import Dict, List, Optional

import torch
from mmengine.config import Config, DictAction
from mmengine.runner import Runner

import e2evlp_mm  # noqa: F401  (registers everything)
from e2evlp_mm.engine.machine import cpu_model


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('config')
    parser.add_argument(
        '--threads', type=int, nargs='+', default=[torch.get_num_threads()],
        help='thread counts to time; the estimate is for the first')
    parser.add_argument('--iters', type=int, default=5)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


def measure(cfg: Config, threads: List[int], iters: int,
            warmup: int) -> Dict[str, float]:
    """Seconds per training iteration per thread count, and per test
    batch (at the first thread count, the one the run uses)."""
    with tempfile.TemporaryDirectory() as work_dir:
        cfg.work_dir = work_dir
        cfg.log_level = 'WARNING'
        cfg.default_hooks.checkpoint = dict(
            type='CheckpointHook', interval=10**9)
        runner = Runner.from_cfg(cfg)
        model = runner.model
        train = iter(runner.build_dataloader(runner._train_dataloader))
        optim = runner.build_optim_wrapper(runner.optim_wrapper)
        out = {}
        for n in threads:
            torch.set_num_threads(n)
            for _ in range(warmup):
                model.train_step(next(train), optim)
            start = time.perf_counter()
            for _ in range(iters):
                model.train_step(next(train), optim)
            out[f'train_{n}'] = (time.perf_counter() - start) / iters
        torch.set_num_threads(threads[0])
        if cfg.get('test_dataloader'):
            test = runner.build_dataloader(cfg.test_dataloader)
            batch = next(iter(test))
            model.eval()
            start = time.perf_counter()
            model.test_step(batch)
            out['test_batch'] = time.perf_counter() - start
            out['test_batches'] = len(test)
    return out


def main(argv: Optional[List[str]] = None) -> Dict[str, float]:
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    max_iters = cfg.train_cfg.max_iters
    load = os.getloadavg()[0] if hasattr(os, 'getloadavg') else math.nan
    busy = (' (other processes will slow this run down)'
            if load > 0.5 * (os.cpu_count() or 1) else '')
    print(f'CPU: {cpu_model()}, {os.cpu_count()} cores, load average '
          f'{load:.1f}{busy}')
    out = measure(cfg, args.threads, args.iters, args.warmup)
    for n in args.threads:
        print(f'training with {n} torch thread(s): '
              f"{out[f'train_{n}']:.2f} s/iter")
    used = args.threads[0]  # what the run will use
    best = min(args.threads, key=lambda t: out[f'train_{t}'])
    if best != used:
        print(f'({best} thread(s) were faster here; set OMP_NUM_THREADS='
              f'{best} to use them: results are deterministic for a given '
              'thread count, not across thread counts)')
    train_min = out[f'train_{used}'] * max_iters / 60
    test_min = out.get('test_batch', 0.) * out.get('test_batches', 0) / 60
    print(f'estimate with {used} thread(s): {max_iters} iterations x '
          f"{out[f'train_{used}']:.2f} s = {train_min:.0f} min of "
          f'training, about {test_min:.0f} min of testing: '
          f'~{train_min + test_min + 1:.0f} min in all')
    out['best_threads'] = best
    out['estimate_min'] = train_min + test_min + 1
    return out


if __name__ == '__main__':
    main()
