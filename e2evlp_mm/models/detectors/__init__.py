# Copyright (c) e2evlp-mm contributors. All rights reserved.
from .e2evlp import E2EVLP

__all__ = ['E2EVLP']
