# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""What ``tools/train.py`` and ``tools/test.py`` share: arguments and the
config they build, so that both entry points stay thin."""
import argparse
import os
import os.path as osp
from typing import Optional

from mmengine.config import Config, DictAction


def add_common_args(parser: argparse.ArgumentParser) -> None:
    """Add the arguments both tools take, named as in mmdet's tools."""
    parser.add_argument(
        '--work-dir', help='the directory for logs, checkpoints and metrics')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, e.g. '
        'train_dataloader.batch_size=4 or key="[a,b]"')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher (tools/dist_*.sh pass "pytorch")')
    # torch.distributed.launch passes --local-rank; torchrun sets the env.
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def load_config(path: str,
                cfg_options: Optional[dict] = None,
                work_dir: Optional[str] = None,
                launcher: str = 'none',
                local_rank: int = 0) -> Config:
    """Load a config and apply the command-line overrides.

    ``work_dir`` priority is CLI > config > ``./work_dirs/<config name>``,
    as in mmdet.

    Args:
        path (str): Config file.
        cfg_options (dict, optional): ``--cfg-options`` key-value pairs.
        work_dir (str, optional): ``--work-dir``.
        launcher (str): ``--launcher``.
        local_rank (int): ``--local-rank``, exported as ``LOCAL_RANK`` when
            the launcher did not set it.

    Returns:
        Config: The merged config.
    """
    os.environ.setdefault('LOCAL_RANK', str(local_rank))
    cfg = Config.fromfile(path)
    cfg.launcher = launcher
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(path))[0])
    return cfg
