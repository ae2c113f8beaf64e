# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Find the config and the last checkpoint of a training work dir."""
import glob
import os.path as osp
from typing import Optional, Tuple

from ..engine.checkpoint_paths import last_checkpoint


def resolve_work_dir(model: str,
                     weights: Optional[str] = None) -> Tuple[str, str]:
    """Turn ``tools/train.py --work-dir DIR`` into (config, checkpoint).

    mmengine dumps the merged config as ``DIR/<config name>.py`` and names
    the newest checkpoint in ``DIR/last_checkpoint`` (looked up in ``DIR``
    by name when the work dir has moved since); without that file the
    newest complete ``*.pth`` is used.

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
        weights = last_checkpoint(model)
    return configs[-1], weights
