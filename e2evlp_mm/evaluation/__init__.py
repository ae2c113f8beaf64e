# Copyright (c) e2evlp-mm contributors. All rights reserved.
from .metrics import (
    E2EVLPCaptionMetric,
    E2EVLPNLVR2Acc,
    E2EVLPPretrainMetric,
    E2EVLPRetrievalRecall,
    E2EVLPVQAAcc,
)

__all__ = [
    'E2EVLPCaptionMetric', 'E2EVLPNLVR2Acc', 'E2EVLPPretrainMetric',
    'E2EVLPRetrievalRecall', 'E2EVLPVQAAcc'
]
