# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Speed of an E2E-VLP config beside mmdet's DETR, in one process.

Random weights (nothing is downloaded), random batches of the requested
sizes. Prints one JSON object: medians in seconds and the ratios, which are
what stays comparable between machines:

- per input size: forward (tensor mode), predict (no caption generation)
  and one training step (loss + backward), each for the model and for a
  DETR of the same backbone depth (``--peer``), with model / DETR ratios,
  and the forward speed-up of every size over the first one (paper
  Table 6);
- caption generation (when the config has a caption head): the image pass,
  greedy and beam search with and without the key/value cache, forced to
  ``--tokens`` tokens, per-token cost of the search and the cached /
  uncached ratio; end to end = image pass + search.

With ``--amp fp16`` or ``--amp bf16`` every measure runs under
``torch.autocast`` of that dtype (what ``--amp`` training and paper
Table 4's latency use). Every timed call is bracketed by
``torch.cuda.synchronize`` on a GPU, so the times are of the work, not of
its queueing.

Example::

    python tools/analysis_tools/benchmark.py \
        configs/e2evlp_r50_6l_pretrain.py --repeats 3 \
        --out work_dirs/benchmark.json
"""
import argparse
import json
import statistics
import sys
import time
from contextlib import nullcontext
from functools import partial
from typing import Callable, Dict, List, Optional, Tuple

import torch
from mmdet.registry import MODELS
from mmengine.config import Config, DictAction
from mmengine.hub import get_config
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope
from torch import nn

import e2evlp_mm  # noqa: F401  (registers everything)
from e2evlp_mm.engine.machine import cpu_model
from e2evlp_mm.testing import build_model_without_files, make_e2evlp_batch

TABLE6_SIZES = '800x1333,600x1000,448x746,448x448'
PEER = 'mmdet::detr/detr_r50_8xb2-150e_coco.py'


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('config')
    parser.add_argument('--device', default='cpu')
    parser.add_argument(
        '--sizes', default=TABLE6_SIZES, help='HxW,HxW,... (paper Table 6)')
    parser.add_argument(
        '--train-sizes', default='448x448',
        help='sizes of the training-step measure (a subset of any sizes)')
    parser.add_argument('--caption-size', default='448x448')
    parser.add_argument('--tokens', type=int, default=20,
                        help='generated tokens per caption')
    parser.add_argument('--beam-size', type=int, default=4)
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument(
        '--stat', choices=['median', 'min'], default='median',
        help='min resists other processes on a shared machine')
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument('--batch-size', type=int, default=2)
    parser.add_argument('--peer', default=PEER,
                        help="mmdet DETR config, or 'none'")
    parser.add_argument('--amp', choices=['fp16', 'bf16'],
                        help='run every measure under autocast')
    parser.add_argument('--out', help='also write the JSON here')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    parser.add_argument('--peer-cfg-options', nargs='+', action=DictAction,
                        help='applied to the peer after the depth match')
    return parser.parse_args(argv)


def parse_size(text: str) -> Tuple[int, int]:
    h, w = text.lower().split('x')
    return int(h), int(w)


def sync(device: torch.device) -> None:
    """Wait for queued GPU work (no-op on CPU)."""
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def median_time(fn: Callable[[], object], repeats: int, warmup: int,
                device: torch.device, stat: str = 'median') -> float:
    """Median (or min) wall time of ``fn`` over ``repeats`` runs after
    warm-up."""
    name = getattr(fn, 'func', fn)
    print(f'timing {getattr(name, "__name__", name)}', file=sys.stderr,
          flush=True)
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(max(repeats, 1)):
        sync(device)
        start = time.perf_counter()
        fn()
        sync(device)
        times.append(time.perf_counter() - start)
    return min(times) if stat == 'min' else statistics.median(times)


def autocast(args: argparse.Namespace):
    """``torch.autocast`` of ``--amp`` on the device, else nothing."""
    if args.amp is None:
        return nullcontext()
    dtype = dict(fp16=torch.float16, bf16=torch.bfloat16)[args.amp]
    return torch.autocast(torch.device(args.device).type, dtype=dtype)


def build_peer(peer: str, backbone_cfg: dict,
               options: Optional[dict] = None) -> nn.Module:
    """mmdet DETR with the backbone depth of the measured model."""
    cfg = get_config(peer) if '::' in peer else Config.fromfile(peer)
    depth = backbone_cfg.get('depth', cfg.model.backbone.depth)
    cfg.model.backbone.update(depth=depth, init_cfg=None)
    cfg.model.neck.in_channels = [512 if depth < 50 else 2048]
    if options:
        cfg.merge_from_dict(options)
    model = MODELS.build(cfg.model)
    model.init_weights()
    return model


def batch(model: nn.Module, size: Tuple[int, int], args: argparse.Namespace,
          training: bool) -> Tuple[torch.Tensor, list]:
    """A random batch on the device; labels valid for both models."""
    inputs, samples = make_e2evlp_batch(
        args.batch_size,
        image_sizes=(size, ),
        num_classes=args.num_classes,
        vocab_size=args.vocab_size,
        seed=0,
        training=training)
    return inputs.to(args.device), [s.to(args.device) for s in samples]


def train_step(model: nn.Module, inputs: torch.Tensor,
               samples: list) -> None:
    """Loss + backward; gradients dropped."""
    loss, _ = model.parse_losses(model.loss(inputs, samples))
    loss.backward()
    model.zero_grad(set_to_none=True)


def forward(model: nn.Module, inputs: torch.Tensor, samples: list) -> None:
    """Tensor mode, or the trunk when the model has no tensor mode."""
    try:
        model(inputs, samples, mode='tensor')
    except (AttributeError, TypeError, NotImplementedError):
        model.forward_transformer(model.extract_feat(inputs), samples)


def measure_sizes(model: nn.Module, peer: Optional[nn.Module],
                  args: argparse.Namespace) -> Dict[str, dict]:
    """Forward / predict / train step per size, model and peer."""
    device = torch.device(args.device)
    train_sizes = {s.strip() for s in args.train_sizes.split(',') if s}
    results = {}
    for text in [s.strip() for s in args.sizes.split(',') if s.strip()]:
        size = parse_size(text)
        row = {}
        nets = [('', model)] + ([('peer_', peer)] if peer else [])
        for prefix, net in nets:
            net.eval()
            inputs, samples = batch(net, size, args, training=False)
            with torch.no_grad():
                row[prefix + 'forward_s'] = median_time(
                    partial(forward, net, inputs, samples), args.repeats,
                    args.warmup, device, args.stat)
                row[prefix + 'predict_s'] = median_time(
                    partial(net.predict, inputs, samples), args.repeats,
                    args.warmup, device, args.stat)
            if text in train_sizes:
                net.train()
                inputs, samples = batch(net, size, args, training=True)
                row[prefix + 'train_step_s'] = median_time(
                    partial(train_step, net, inputs, samples),
                    args.repeats,
                    args.warmup, device, args.stat)
                net.eval()
        if peer:
            for key in ('forward', 'predict', 'train_step'):
                if key + '_s' in row:
                    row[key + '_ratio'] = (
                        row[key + '_s'] / row['peer_' + key + '_s'])
        results[text] = row
    return results


def measure_caption(model: nn.Module, args: argparse.Namespace) -> dict:
    """Image pass and generation (greedy / beam, cached / not), the
    search timed on its own; ``*_s`` are image pass + search."""
    head = model.caption_head
    device = torch.device(args.device)
    inputs, samples = batch(model, parse_size(args.caption_size), args,
                            training=False)
    saved = (head.max_length, head.beam_size, head.use_cache)
    eos_bias = head.lm_head.bias.data[head.eos_id].item()
    # no caption may end early: every run generates exactly args.tokens
    head.lm_head.bias.data[head.eos_id] = -1e4
    head.max_length = args.tokens

    def image_pass():
        return model.caption_decode_fn(model.extract_feat(inputs), samples)

    def generate(decode_fn, beam_size: int, use_cache: bool) -> list:
        head.beam_size, head.use_cache = beam_size, use_cache
        return head.predict(decode_fn, samples)

    out = dict(size=args.caption_size, tokens=args.tokens,
               beam_size=args.beam_size)
    variants = [(f"{name}_{'cached' if cached else 'uncached'}", beam,
                 cached) for name, beam in (('greedy', 1),
                                            ('beam', args.beam_size))
                for cached in (True, False)]
    times = {key: [] for key, _, _ in variants}
    times['image_pass'] = []
    ids = {}
    with torch.no_grad():
        decode_fn = image_pass()
        for key, beam, cached in variants:  # warm-up, and the ids
            for _ in range(args.warmup):
                generate(decode_fn, beam, cached)
            ids[key] = [
                p['pred_caption_ids'].tolist()
                for p in generate(decode_fn, beam, cached)
            ]
        # rounds of all five measures: load changes hit them alike
        for _ in range(max(args.repeats, 1)):
            sync(device)
            start = time.perf_counter()
            image_pass()
            sync(device)
            times['image_pass'].append(time.perf_counter() - start)
            for key, beam, cached in variants:
                sync(device)
                start = time.perf_counter()
                generate(decode_fn, beam, cached)  # the search alone
                sync(device)
                times[key].append(time.perf_counter() - start)
    reduce = min if args.stat == 'min' else statistics.median
    out['image_pass_s'] = reduce(times['image_pass'])
    for key, _, _ in variants:
        out[key + '_decode_s'] = reduce(times[key])
        out[key + '_per_token_s'] = out[key + '_decode_s'] / args.tokens
        out[key + '_s'] = out['image_pass_s'] + out[key + '_decode_s']
    head.max_length, head.beam_size, head.use_cache = saved
    head.lm_head.bias.data[head.eos_id] = eos_bias
    out['ids_identical'] = (ids['greedy_cached'] == ids['greedy_uncached']
                            and ids['beam_cached'] == ids['beam_uncached'])
    for name in ('greedy', 'beam'):
        out[f'{name}_per_token_speedup'] = (
            out[f'{name}_uncached_per_token_s'] /
            out[f'{name}_cached_per_token_s'])
    # end to end: image pass + search
    out['beam_over_greedy_cached'] = (
        out['beam_cached_s'] / out['greedy_cached_s'])
    out['beam_over_greedy_uncached'] = (
        out['beam_uncached_s'] / out['greedy_uncached_s'])
    return out


def main(argv: Optional[List[str]] = None) -> dict:
    args = parse_args(argv)
    # init_weights reports every parameter at INFO: keep stdout JSON-only
    MMLogger.get_instance('benchmark', log_level='WARNING')
    init_default_scope('mmdet')
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    torch.manual_seed(0)
    model = build_model_without_files(cfg).to(args.device)
    peer = None
    if args.peer.lower() != 'none':
        peer = build_peer(args.peer, cfg.model.backbone,
                          args.peer_cfg_options).to(args.device)
    num_classes = [getattr(model.bbox_head, 'num_classes', 1 << 30)]
    if peer is not None:
        num_classes.append(peer.bbox_head.num_classes)
    args.num_classes = min(num_classes + [80])
    args.vocab_size = model.head_args['vocab_size']
    if isinstance(model.test_cfg, dict) or hasattr(model.test_cfg, 'get'):
        model.test_cfg['with_caption'] = False  # measured on its own
    report = dict(
        config=args.config,
        peer=None if peer is None else
        f'{args.peer} (depth {peer.backbone.depth})',
        device=str(args.device),
        processor=(torch.cuda.get_device_name(args.device)
                   if args.device.startswith('cuda') else cpu_model()),
        torch=torch.__version__,
        threads=torch.get_num_threads(),
        batch_size=args.batch_size,
        repeats=args.repeats,
        stat=args.stat,
        warmup=args.warmup,
        amp=args.amp)
    with autocast(args):
        report['sizes'] = measure_sizes(model, peer, args)
    first = next(iter(report['sizes'].values()), None)
    report['forward_speedup_vs_first_size'] = {
        text: first['forward_s'] / row['forward_s']
        for text, row in report['sizes'].items()
    }
    report['caption'] = None
    if getattr(model, 'caption_head', None) is not None:
        with autocast(args):
            report['caption'] = measure_caption(model.eval(), args)
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        with open(args.out, 'w') as f:
            f.write(text + '\n')
    return report


if __name__ == '__main__':
    main()
