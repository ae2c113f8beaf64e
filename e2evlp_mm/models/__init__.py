# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Models of E2E-VLP; importing this registers them in mmdet's MODELS."""
from . import (
    data_preprocessors,
    detectors,
    heads,
    layers,
    losses,
    task_modules,
    utils,
)
from .detectors import *  # noqa: F401,F403
from .heads import *  # noqa: F401,F403
from .layers import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .task_modules import *  # noqa: F401,F403
from .utils import stack_text

__all__ = [
    'data_preprocessors', 'detectors', 'heads', 'layers', 'losses',
    'task_modules', 'utils', 'stack_text'
]
