# Copyright (c) e2evlp-mm contributors. All rights reserved.
# ``caption_truth`` (judge_caption, load_scenes) is imported from its module:
# it reads the shapes world's vocabulary, which registering the package
# must not load.
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
    'text_condition_config',
    'text_condition_pipeline'
]
