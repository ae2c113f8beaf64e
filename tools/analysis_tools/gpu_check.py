# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""What a GPU machine runs first: mixed precision, speed and memory of
every paper config, in one command (a few minutes on one GPU).

Steps (random weights, random batches, nothing downloaded):

1. a training step (loss + backward) of each paper model type at the
   paper resolution (800x1333) under fp16 and bf16 autocast: seconds per
   iteration, peak memory, loss finite;
2. paper Table 4 latency: the R152 / 12-layer VQA model at 800x1333, one
   query, without and with AMP (fp16), ms per query;
3. caption generation: ms per token of the cached greedy search;
4. with 2+ GPUs: the multi-process evaluation parity of
   ``e2evlp_mm.testing.dist_parity`` under ``torchrun`` (its metrics and
   the cross-rank contrastive loss, gloo backend) against one process.

It prints one table and writes every number as JSON (``--out``). Without a
GPU, ``--cpu-smoke`` runs the same steps on the CPU at tiny sizes (shrunk
models, 32x32 images): a test runs it, so the script stays runnable.

Example::

    python tools/analysis_tools/gpu_check.py --out gpu_check.json
"""
import argparse
import json
import math
import os.path as osp
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from functools import partial
from typing import Callable, Dict, List, Optional

import torch
from mmengine.logging import MMLogger

import e2evlp_mm  # noqa: F401  (registers everything)
from e2evlp_mm.engine.machine import cpu_model
from e2evlp_mm.testing.paper_models import (
    PAPER_MODELS,
    build_paper_model,
    paper_batch,
)

PAPER_SIZE = (800, 1333)  # paper Sec. 4.2 / Table 4
SMOKE_SIZE = (32, 32)
DTYPES = dict(fp16=torch.float16, bf16=torch.bfloat16)
VQA_ANSWERS = 3129  # VQA v2's answer vocabulary (paper Sec. 5.1)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--cpu-smoke', action='store_true',
                        help='the same steps on the CPU at tiny sizes')
    parser.add_argument('--configs', nargs='+', default=list(PAPER_MODELS),
                        help='paper configs of step 1 (names, no .py)')
    parser.add_argument('--batch-size', type=int, default=2,
                        help='images per step (pairs for NLVR2)')
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--tokens', type=int, default=20,
                        help='generated tokens of step 3')
    parser.add_argument('--out', help='write the JSON report here')
    return parser.parse_args(argv)


class Checker:
    """Builds models and times steps on one device."""

    def __init__(self, args: argparse.Namespace, answer_list: str) -> None:
        self.smoke = args.cpu_smoke
        self.device = torch.device('cpu' if self.smoke else 'cuda')
        self.size = SMOKE_SIZE if self.smoke else PAPER_SIZE
        self.repeats = 1 if self.smoke else args.repeats
        self.args = args
        self.answer_list = answer_list

    def build(self, name: str) -> torch.nn.Module:
        model = build_paper_model(
            name, shrink=self.smoke, answer_list=self.answer_list)
        return model.to(self.device)

    def sync(self) -> None:
        if self.device.type == 'cuda':
            torch.cuda.synchronize(self.device)

    def timed(self, fn: Callable[[], object]) -> Dict[str, float]:
        """Median seconds of ``fn`` after one warm-up run (none in the
        CPU smoke run), peak memory."""
        if not self.smoke:
            fn()
        if self.device.type == 'cuda':
            torch.cuda.reset_peak_memory_stats(self.device)
        times = []
        for _ in range(self.repeats):
            self.sync()
            start = time.perf_counter()
            fn()
            self.sync()
            times.append(time.perf_counter() - start)
        peak = (torch.cuda.max_memory_allocated(self.device) / 2**30
                if self.device.type == 'cuda' else float('nan'))
        return dict(seconds=sorted(times)[len(times) // 2], peak_gib=peak)

    def autocast(self, amp: Optional[str]):
        if amp is None:
            return nullcontext()
        return torch.autocast(self.device.type, dtype=DTYPES[amp])

    def train_steps(self) -> List[dict]:
        """Step 1: loss + backward per config and AMP dtype."""
        rows = []
        for name in self.args.configs:
            model = self.build(name).train()
            inputs, samples = paper_batch(
                model, self.args.batch_size, self.size, training=True)
            for amp in DTYPES:
                losses = []
                stats = self.timed(
                    partial(self.train_step, model, inputs, samples, amp,
                            losses))
                rows.append(dict(step='train', config=name, amp=amp,
                                 finite=all(map(math.isfinite, losses)),
                                 loss=losses[-1], **stats))
            del model
            if self.device.type == 'cuda':
                torch.cuda.empty_cache()
        return rows

    def train_step(self, model: torch.nn.Module, inputs: torch.Tensor,
                   samples: list, amp: str, losses: List[float]) -> None:
        """Loss + backward under autocast; the loss goes to ``losses``."""
        with self.autocast(amp):
            loss, _ = model.parse_losses(model.loss(inputs, samples))
        loss.backward()
        model.zero_grad(set_to_none=True)
        losses.append(loss.item())

    def vqa_latency(self) -> List[dict]:
        """Step 2: Table 4, one query through the R152 / 12-layer VQA."""
        model = self.build('e2evlp_r152_vqa').eval()
        inputs, samples = paper_batch(model, 1, self.size, training=False)
        rows = []
        for amp in (None, 'fp16'):
            with torch.no_grad(), self.autocast(amp):
                stats = self.timed(partial(model.predict, inputs, samples))
            rows.append(dict(step='vqa_latency', config='e2evlp_r152_vqa',
                             amp=amp or 'fp32', finite=True,
                             ms_per_query=1000 * stats['seconds'], **stats))
        return rows

    def caption_per_token(self) -> List[dict]:
        """Step 3: cached greedy search forced to ``--tokens`` tokens."""
        model = self.build('e2evlp_r152_caption').eval()
        head = model.caption_head
        head.lm_head.bias.data[head.eos_id] = -1e4  # never stops early
        head.max_length, head.beam_size = self.args.tokens, 1
        inputs, samples = paper_batch(model, 1, self.size, training=False)
        rows = []
        for amp in (None, 'fp16'):
            with torch.no_grad(), self.autocast(amp):
                decode_fn = model.caption_decode_fn(
                    model.extract_feat(inputs), samples)
                stats = self.timed(partial(head.predict, decode_fn, samples))
            rows.append(dict(
                step='caption_decode', config='e2evlp_r152_caption',
                amp=amp or 'fp32', finite=True,
                ms_per_token=1000 * stats['seconds'] / self.args.tokens,
                **stats))
        return rows


def dist_parity(checker: Checker) -> List[dict]:
    """Step 4: the parity module under ``torchrun`` with 2-3 processes."""
    gpus = 0 if checker.smoke else torch.cuda.device_count()
    if gpus < 2:
        return [dict(step='dist_parity', config='-', amp='-',
                     finite=True, result=f'skipped ({gpus} GPUs)')]
    with tempfile.TemporaryDirectory() as tmp:
        from e2evlp_mm.testing.dist_parity import run_all
        one = run_all(tmp)
        out = osp.join(tmp, 'ranks.json')
        proc = subprocess.run(
            [sys.executable, '-m', 'torch.distributed.run', '--standalone',
             f'--nproc_per_node={min(gpus, 3)}', '-m',
             'e2evlp_mm.testing.dist_parity', out, tmp],
            capture_output=True, text=True)
        ranks = {}
        if proc.returncode == 0:
            with open(out) as f:
                ranks = json.load(f)
    metrics = [k for k in one if not k.startswith('itc')]
    same = sum(ranks.get(k) == one[k] for k in metrics)
    return [dict(step='dist_parity', config='-', amp='-', finite=True,
                 result=f'{same}/{len(metrics)} equal, rc '
                 f'{proc.returncode}')]


def table(rows: List[dict]) -> str:
    """One line per measure."""
    lines = [f'{"step":<15} {"config":<34} {"amp":<5} {"value":>14} '
             f'{"peak GiB":>9} finite']
    for r in rows:
        if 'ms_per_query' in r:
            value = f'{r["ms_per_query"]:.1f} ms/query'
        elif 'ms_per_token' in r:
            value = f'{r["ms_per_token"]:.2f} ms/token'
        elif 'seconds' in r:
            value = f'{r["seconds"]:.3f} s/iter'
        else:
            value = r['result']
        peak = r.get('peak_gib', float('nan'))
        lines.append(f'{r["step"]:<15} {r["config"]:<34} {r["amp"]:<5} '
                     f'{value:>14} {peak:>9.2f} {r["finite"]}')
    return '\n'.join(lines)


def main(argv: Optional[List[str]] = None) -> dict:
    args = parse_args(argv)
    if not args.cpu_smoke and not torch.cuda.is_available():
        sys.exit('gpu_check.py: no CUDA device; use --cpu-smoke')
    MMLogger.get_instance('gpu_check', log_level='WARNING')
    with tempfile.TemporaryDirectory() as tmp:
        answers = osp.join(tmp, 'answer_list.json')
        with open(answers, 'w') as f:
            json.dump([f'answer {i}' for i in range(
                6 if args.cpu_smoke else VQA_ANSWERS)], f)
        checker = Checker(args, answers)
        rows = (checker.train_steps() + checker.vqa_latency() +
                checker.caption_per_token() + dist_parity(checker))
    report = dict(
        device=(cpu_model() if args.cpu_smoke else
                torch.cuda.get_device_name()),
        gpus=0 if args.cpu_smoke else torch.cuda.device_count(),
        torch=torch.__version__, cpu_smoke=args.cpu_smoke,
        image_size=list(checker.size), batch_size=args.batch_size,
        commit=_commit(), rows=rows)
    print(table(rows))
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(report, f, indent=2)
    return report


def _commit() -> str:
    root = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    proc = subprocess.run(['git', '-C', root, 'rev-parse', '--short', 'HEAD'],
                          capture_output=True, text=True)
    return proc.stdout.strip() or 'unknown'


if __name__ == '__main__':
    main()
