# Copyright (c) e2evlp-mm contributors. All rights reserved.
from .batch import make_e2evlp_batch
from .shapes_checkpoint import make_tiny_shapes_world, tiny_shapes_checkpoint

__all__ = [
    'make_e2evlp_batch', 'make_tiny_shapes_world', 'tiny_shapes_checkpoint'
]
