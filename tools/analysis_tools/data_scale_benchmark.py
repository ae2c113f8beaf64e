# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Time and peak memory of the data path at a fraction of the real corpus.

Writes VG 1.2 and COCO train2017 annotation files in the official schemas
at ``--fraction`` of the real counts (``e2evlp_mm.testing.scale_corpus``,
empty placeholder images), then runs, each in its own process:

1. ``vg_to_det.py`` as docs/data_preparation.md gives it;
2. building the train set of ``configs/e2evlp_r50_6l_pretrain.py`` (COCO +
   VG, annotations only: no pipeline) without the prepared cache (a first
   start writes it); then, the caches deleted, the preparation step
   ``build_annotation_cache.py`` writes them, and the train set is built
   again: the start a user sees after the documented preparation (every
   start, rank and resume maps the cache);
3. a loader worker's resident memory after a few and after many samples;
4. loader throughput of the pre-training pipeline (decode, 480-800 x
   <=1333 resize, flip with text swap, tokenize, mask, ITM negative, pack)
   on 640x480 JPEGs, in one single-threaded process (= one worker), per
   second of its CPU time, and the workers per GPU that a step time
   needs: ceil(4 images / (step time x images per second)).

Peak memory is the process's maximum resident set (``wait4``), imports
included. ``--code DIR`` runs steps 1-2 with another checkout's package
(e.g. an older commit, for before / after numbers). Example::

    nice -n 10 python tools/analysis_tools/data_scale_benchmark.py \
        --fraction 0.25 --work-dir /tmp/scale --out scale.json
"""
import argparse
import glob
import json
import math
import os
import os.path as osp
import resource
import shutil
import subprocess
import sys
import time
from typing import Dict, List, Optional

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
CONFIG = 'configs/e2evlp_r50_6l_pretrain.py'
BATCH_PER_GPU = 4  # the paper configs' batch_size (x 8 GPUs = 32)
PREPARE = 'tools/dataset_converters/build_annotation_cache.py'
FIRST_START = 'train set, first start without prepared cache'
LATER_START = 'train set, after preparation'


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--fraction', type=float, default=0.01)
    parser.add_argument('--work-dir', required=True)
    parser.add_argument('--code', default=ROOT, help='checkout whose '
                        'package and configs steps 1-2 run')
    parser.add_argument('--worker-samples', type=int, nargs=2,
                        default=[100, 10_000])
    parser.add_argument('--images', type=int, default=200,
                        help='pipeline samples timed for throughput')
    parser.add_argument('--step-times', type=float, nargs='+',
                        default=[0.15, 0.3, 0.5],
                        help='training step times (s) to size workers for')
    parser.add_argument('--out', help='json file for the results')
    parser.add_argument('--in-process', action='store_true',
                        help='run every step in this process (tests): '
                        'peaks are then the running maximum')
    parser.add_argument('--step', help=argparse.SUPPRESS)
    parser.add_argument('--config', help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _in_process(cmd: List[str], cwd: str) -> dict:
    """Run a step's command line in this process (``--in-process``)."""
    from e2evlp_mm.testing.paper_path import run_tool
    saved = os.getcwd()
    os.chdir(cwd)
    try:
        if cmd[1] != osp.abspath(__file__):
            run_tool(osp.relpath(cmd[1], osp.join(ROOT, 'tools')), *cmd[2:])
            return {}
        return _step(parse_args(cmd[2:]))
    finally:
        os.chdir(saved)


def _run(name: str, cmd: List[str], code: str, cwd: str,
         in_process: bool = False) -> dict:
    """Run one step in a child process: wall time, peak RSS and what it
    prints as a json last line. In process, the peak is this process's
    so far."""
    start = time.time()
    if in_process:
        result = _in_process(cmd, cwd)
        result.update(step=name, wall_s=round(time.time() - start, 1),
                      peak_gb=round(resource.getrusage(
                          resource.RUSAGE_SELF).ru_maxrss / 2**20, 2))
        return _print(result)
    env = dict(os.environ, PYTHONPATH=code)
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise RuntimeError(f'{name} failed:\n{out[-3000:]}')
    last = out.strip().splitlines()[-1] if out.strip() else '{}'
    result = json.loads(last) if last.startswith('{') else {}
    result.update(step=name, wall_s=round(time.time() - start, 1),
                  cpu_s=round(usage.ru_utime + usage.ru_stime, 1),
                  peak_gb=round(usage.ru_maxrss / 2**20, 2))
    return _print(result)


def _print(result: dict) -> dict:
    name = result['step']
    extra = {k: v for k, v in result.items()
             if k not in ('step', 'wall_s', 'peak_gb', 'cpu_s')}
    print(f'{name:<26} {result["wall_s"]:>7.1f} s (cpu '
          f'{result.get("cpu_s", "-")} s) {result["peak_gb"]:>6.2f} GB  '
          f'{extra}', flush=True)
    return result


def _train_set(config: str):
    """The paper config's train set, annotations only."""
    from mmdet.registry import DATASETS
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    import e2evlp_mm  # noqa: F401 (registers the datasets)
    init_default_scope('mmdet')
    cfg = Config.fromfile(config).train_dataloader.dataset
    for ds in cfg.datasets:
        ds.pipeline = []
    start = time.time()
    dataset = DATASETS.build(cfg)
    return dataset, time.time() - start


def _status(pid: int) -> Dict[str, float]:
    """VmRSS, RssAnon and RssFile of a process, in MB."""
    out = {}
    with open(f'/proc/{pid}/status') as f:
        for line in f:
            key, _, value = line.partition(':')
            if key in ('VmRSS', 'RssAnon', 'RssFile'):
                out[key] = round(int(value.split()[0]) / 1024, 1)
    return out


def step_build(config: str) -> dict:
    dataset, seconds = _train_set(config)
    return dict(build_s=round(seconds, 2), samples=len(dataset),
                rss_after_mb=_status(os.getpid())['VmRSS'])


def _without_text_pool(batch: List[dict]) -> List[dict]:
    """The samples less ``text_pool``, which refers to the dataset (the
    pipeline's ITM step takes it out; here it would be pickled)."""
    return [{k: v for k, v in d.items() if k != 'text_pool'} for d in batch]


def step_worker(config: str, few: int, many: int) -> dict:
    from torch.utils.data import DataLoader, RandomSampler
    dataset, _ = _train_set(config)
    loader = DataLoader(dataset, batch_size=1, num_workers=1,
                        collate_fn=_without_text_pool, sampler=RandomSampler(
                            dataset, replacement=True, num_samples=many))
    it = iter(loader)
    out = {}
    for i, _ in enumerate(it, 1):
        if i in (few, many):
            out[f'worker_after_{i}'] = _status(it._workers[0].pid)
    return out


def step_throughput(work: str, num: int, step_times: List[float]) -> dict:
    import cv2
    import numpy as np
    from mmdet.registry import DATASETS
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    import e2evlp_mm  # noqa: F401
    from e2evlp_mm.datasets.tokenizer_training import train_wordpiece
    from e2evlp_mm.testing.scale_corpus import write_coco
    cv2.setNumThreads(1)
    init_default_scope('mmdet')
    coco = osp.join(work, 'jpeg_coco')
    write_coco(coco, 0.0005, image_size=(640, 480))
    rng = np.random.default_rng(0)
    with open(osp.join(coco, 'annotations/instances_train2017.json')) as f:
        ids = [i['id'] for i in json.load(f)['images']]
    os.makedirs(osp.join(coco, 'train2017'), exist_ok=True)
    for img_id in ids:  # noise compresses like a busy photo, ~200 KB
        img = rng.integers(0, 256, (480, 640, 3), np.uint8)
        cv2.imwrite(osp.join(coco, 'train2017', f'{img_id:012d}.jpg'), img)
    with open(osp.join(coco, 'annotations/captions_train2017.json')) as f:
        texts = [a['caption'] for a in json.load(f)['annotations']]
    tok = train_wordpiece(osp.join(work, 'tokenizer'), texts=texts,
                          vocab_size=400, min_frequency=1)
    cfg = Config.fromfile(osp.join(ROOT, CONFIG)).train_dataloader.dataset
    ds_cfg = cfg.datasets[0]
    for t in ds_cfg.pipeline:
        if 'tokenizer_path' in t:
            t.tokenizer_path = tok
    ds_cfg.update(data_root=coco, metainfo=None, class_aliases=None,
                  exclude_file=None)
    dataset = DATASETS.build(ds_cfg)
    for i in range(5):  # warm-up
        dataset[i]
    # CPU time: what one worker with a core of its own delivers, also on a
    # shared machine (one thread: OMP_NUM_THREADS=1, cv2.setNumThreads)
    wall, cpu = time.time(), time.process_time()
    for i in range(num):
        dataset[i % len(dataset)]
    rate = num / (time.process_time() - cpu)
    return dict(images_per_s_per_worker=round(rate, 1),
                images_per_s_wall=round(num / (time.time() - wall), 1),
                workers_per_gpu={str(t): math.ceil(BATCH_PER_GPU / (t * rate))
                                 for t in step_times})


def _step(args: argparse.Namespace) -> dict:
    if args.step == 'build':
        return step_build(args.config)
    if args.step == 'worker':
        return step_worker(args.config, *args.worker_samples)
    return step_throughput(args.work_dir, args.images, args.step_times)


def main() -> None:
    args = parse_args()
    if args.step:
        print(json.dumps(_step(args)))
        return
    work = osp.abspath(args.work_dir)
    data = osp.join(work, 'data')
    shutil.rmtree(work, ignore_errors=True)
    sys.path.insert(0, ROOT)
    from e2evlp_mm.testing.scale_corpus import write_coco, write_vg
    start = time.time()
    counts = dict(vg=write_vg(osp.join(data, 'vg'), args.fraction,
                              images=True),
                  coco=write_coco(osp.join(data, 'coco'), args.fraction,
                                  images=True))
    os.makedirs(osp.join(data, 'exclusions'))
    with open(osp.join(data, 'exclusions/pretrain_exclude.json'), 'w') as f:
        json.dump(dict(coco_ids=list(range(9, 20000, 6))), f)
    size = sum(osp.getsize(osp.join(d, n)) for d in (
        osp.join(data, 'vg'), osp.join(data, 'coco/annotations'))
        for n in os.listdir(d) if n.endswith('.json'))
    print(f'fraction {args.fraction}: {counts}, {size / 2**30:.2f} GB of '
          f'json, written in {time.time() - start:.0f} s', flush=True)
    me, config = osp.abspath(__file__), osp.join(args.code, CONFIG)
    results = [dict(step='corpus', counts=counts, json_gb=size / 2**30)]
    results.append(_run('vg_to_det.py', [
        sys.executable, osp.join(args.code, 'tools/dataset_converters/'
                                 'vg_to_det.py'), 'data/vg', '--out-dir',
        'data/vg/annotations', '--val-fraction', '0.02', '--coco-instances',
        'data/coco/annotations/instances_train2017.json'], args.code, work,
        args.in_process))
    build = [sys.executable, me, '--step', 'build', '--work-dir', work,
             '--config', config]
    results.append(_run(FIRST_START, build, args.code, work,
                        args.in_process))
    tool = osp.join(args.code, PREPARE)
    if osp.isfile(tool):  # the preparation step writes the caches
        for folder in glob.glob(osp.join(data, '**', '.e2evlp_cache'),
                                recursive=True):
            shutil.rmtree(folder)
        results.append(_run('build_annotation_cache.py', [
            sys.executable, tool, config, '--dataloaders',
            'train_dataloader'], args.code, work, args.in_process))
    results.append(_run(LATER_START, build, args.code, work,
                        args.in_process))
    if args.code == ROOT:
        results.append(_run('loader worker memory', [
            sys.executable, me, '--step', 'worker', '--work-dir', work,
            '--config', config, '--worker-samples',
            *map(str, args.worker_samples)], ROOT, work, args.in_process))
        results.append(_run('loader throughput', [
            sys.executable, me, '--step', 'throughput', '--work-dir', work,
            '--images', str(args.images), '--step-times',
            *map(str, args.step_times)], ROOT, work, args.in_process))
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(dict(fraction=args.fraction, results=results), f,
                      indent=1)


if __name__ == '__main__':
    main()
