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
from .text_conditions import text_condition_config, text_condition_pipeline

__all__ = [
    'E2EVLPCaptionMetric', 'E2EVLPCaptionTruthMetric', 'E2EVLPNLVR2Acc',
    'E2EVLPPretrainMetric', 'E2EVLPRetrievalRecall', 'E2EVLPVQAAcc',
    'judge_caption', 'load_scenes', 'text_condition_config',
    'text_condition_pipeline'
]
