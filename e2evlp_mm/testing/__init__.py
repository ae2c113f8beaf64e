# Copyright (c) e2evlp-mm contributors. All rights reserved.
from .batch import make_e2evlp_batch

__all__ = ['make_e2evlp_batch']
