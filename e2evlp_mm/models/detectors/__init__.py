# Copyright (c) e2evlp-mm contributors. All rights reserved.
from .e2evlp import E2EVLP
from .e2evlp_base import E2EVLPBase

__all__ = ['E2EVLP', 'E2EVLPBase']
