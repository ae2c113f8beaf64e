# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""``tools/train.py --amp [fp16|bf16]``: the mixed-precision choice."""
import argparse
import sys
from typing import Optional

from mmengine.config import Config
from mmengine.device import get_device
from mmengine.logging import print_log

# --amp value -> AmpOptimWrapper dtype
AMP_DTYPES = {'fp16': 'float16', 'bf16': 'bfloat16'}


def add_amp_arg(parser: argparse.ArgumentParser) -> None:
    """Add ``--amp [fp16|bf16]`` (alone: fp16, as mmdet's ``--amp``).

    Put it after the config path on the command line: ``--amp`` takes an
    optional value, so ``--amp CONFIG`` would read the config as one.
    """
    parser.add_argument(
        '--amp',
        nargs='?',
        const='fp16',
        choices=tuple(AMP_DTYPES),
        help='automatic mixed precision: fp16 (the default of a bare '
        '--amp, with a dynamic loss scale) or bf16')


def select_amp(cfg: Config, amp: Optional[str], config: str) -> None:
    """Apply ``--amp`` and fit mixed precision to the machine.

    ``--amp`` turns the config's ``OptimWrapper`` into mmengine's
    ``AmpOptimWrapper`` (dynamic loss scale) with the chosen dtype, as
    mmdet's ``--amp`` does; a config may also choose it itself
    (``optim_wrapper=dict(type='AmpOptimWrapper', dtype='bfloat16')``).
    Without a GPU, an ``AmpOptimWrapper`` (chosen either way) becomes
    :class:`E2EVLPCPUAmpOptimWrapper`, which autocasts on the CPU, instead
    of failing after the runner is built.

    Args:
        cfg (Config): The loaded config, changed in place.
        amp (str, optional): ``'fp16'``, ``'bf16'`` or None (no
            ``--amp``).
        config (str): The config path, for messages.

    Raises:
        SystemExit: ``--amp`` with a config whose optimizer wrapper is
            missing or neither ``OptimWrapper`` nor ``AmpOptimWrapper``.
    """
    wrapper = cfg.get('optim_wrapper')
    if amp is not None:
        kind = wrapper.get('type', 'OptimWrapper') if wrapper else None
        if kind not in ('OptimWrapper', 'AmpOptimWrapper'):
            sys.exit(f'{config}: --amp needs optim_wrapper.type '
                     f"'OptimWrapper' or 'AmpOptimWrapper', not {kind!r}")
        wrapper.type = 'AmpOptimWrapper'
        wrapper.setdefault('loss_scale', 'dynamic')
        wrapper.dtype = AMP_DTYPES[amp]
    if wrapper is None or wrapper.get('type') != 'AmpOptimWrapper' or \
            get_device() != 'cpu':
        return
    wrapper.type = 'E2EVLPCPUAmpOptimWrapper'
    print_log(
        'no GPU: mixed precision runs as CPU autocast '
        f"({wrapper.get('dtype') or 'bfloat16'}), usually slower than "
        'float32 on a CPU', logger='current', level=30)
