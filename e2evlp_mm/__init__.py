# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""E2E-VLP for OpenMMLab.

Importing this package applies the stack's compatibility fixes and
registers every dataset, transform, model and metric of the project into
the ``mmdet`` scope (configs load it through ``custom_imports``).
"""
from . import (  # noqa: F401
    compat,  # noqa: F401  (must run before the registries load)
    datasets,
    engine,
    evaluation,
    models,
    visualization,
)

__version__ = '0.1.0'
__all__ = ['__version__']
