# Copyright (c) e2evlp-mm contributors. All rights reserved.
from .batch_hungarian_assigner import E2EVLPBatchHungarianAssigner

__all__ = ['E2EVLPBatchHungarianAssigner']
