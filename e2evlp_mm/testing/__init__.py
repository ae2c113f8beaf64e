# Copyright (c) e2evlp-mm contributors. All rights reserved.
from .batch import make_e2evlp_batch
from .models import (
                     assert_every_param_has_grad,
                     build_model_from,
                     build_model_without_files,
                     params_without_grad,
)
from .shapes_checkpoint import (
    make_tiny_shapes_world,
    tiny_shapes_checkpoint,
    tiny_shapes_work_dirs,
)

__all__ = [
    'assert_every_param_has_grad', 'build_model_from',
    'build_model_without_files', 'make_e2evlp_batch',
    'params_without_grad', 'make_tiny_shapes_world', 'tiny_shapes_checkpoint',
    'tiny_shapes_work_dirs'
]
