# Copyright (c) e2evlp-mm contributors. All rights reserved.
from .caption_truth import judge_caption, load_scenes
from .metrics import (
    E2EVLPCaptionMetric,
    E2EVLPCaptionTruthMetric,
    E2EVLPNLVR2Acc,
    E2EVLPPretrainMetric,
    E2EVLPRetrievalRecall,
    E2EVLPVQAAcc,
)

__all__ = [
    'E2EVLPCaptionMetric', 'E2EVLPCaptionTruthMetric', 'E2EVLPNLVR2Acc',
    'E2EVLPPretrainMetric', 'E2EVLPRetrievalRecall', 'E2EVLPVQAAcc',
    'judge_caption', 'load_scenes'
]
