# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Switch a test config to E2E-VLP drawing for ``--show`` / ``--show-dir``.
"""
from argparse import Namespace

from mmdet.engine.hooks.utils import trigger_visualization_hook
from mmengine.config import Config

# mmdet's defaults (default_runtime.py) and what replaces them
_SWAPS = (('visualizer', 'DetLocalVisualizer', 'E2EVLPVisualizer'),
          ('default_hooks.visualization', 'DetVisualizationHook',
           'E2EVLPVisualizationHook'))


def trigger_e2evlp_visualization(cfg: Config, args: Namespace) -> Config:
    """mmdet's ``trigger_visualization_hook``, drawing with
    ``E2EVLPVisualizer`` and ``E2EVLPVisualizationHook``.

    Only mmdet's default types are replaced, so a config that names its
    own visualizer or hook keeps it.

    Args:
        cfg (Config): The test config.
        args (Namespace): ``show``, ``show_dir``, ``wait_time``.

    Returns:
        Config: ``cfg``, modified in place.
    """
    cfg = trigger_visualization_hook(cfg, args)
    for path, old, new in _SWAPS:
        node = cfg
        for key in path.split('.'):
            node = node.get(key, None) if node is not None else None
        if node is not None and str(node.get('type')).split('.')[-1] == old:
            node['type'] = new
    return cfg
