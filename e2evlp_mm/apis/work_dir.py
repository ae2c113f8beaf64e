# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Find the config and the last checkpoint of a training work dir."""
import glob
import os.path as osp
from typing import Optional, Tuple


def resolve_work_dir(model: str,
                     weights: Optional[str] = None) -> Tuple[str, str]:
    """Turn ``tools/train.py --work-dir DIR`` into (config, checkpoint).

    mmengine dumps the merged config as ``DIR/<config name>.py`` and names
    the newest checkpoint in ``DIR/last_checkpoint``; without that file the
    ``*.pth`` with the latest modification time is used.

    Args:
        model (str): A work dir.
        weights (str, optional): A checkpoint that overrides the found one.

    Returns:
        tuple[str, str]: Config path and checkpoint path.

    Raises:
        FileNotFoundError: When the dir holds no config or no checkpoint.
    """
    configs = sorted(glob.glob(osp.join(model, '*.py')), key=osp.getmtime)
    if not configs:
        raise FileNotFoundError(f'{model}: no dumped config (*.py); is it a '
                                'work dir of tools/train.py?')
    if weights is None:
        last = osp.join(model, 'last_checkpoint')
        if osp.isfile(last):
            with open(last) as f:
                weights = f.read().strip()
        else:
            ckpts = sorted(
                glob.glob(osp.join(model, '*.pth')), key=osp.getmtime)
            if not ckpts:
                raise FileNotFoundError(f'{model}: no checkpoint (*.pth).')
            weights = ckpts[-1]
    return configs[-1], weights
