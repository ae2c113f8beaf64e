# Copyright (c) e2evlp-mm contributors. All rights reserved.
from .e2evlp_caption_metric import E2EVLPCaptionMetric
from .e2evlp_caption_truth_metric import E2EVLPCaptionTruthMetric
from .e2evlp_coco_metric import E2EVLPCocoMetric
from .e2evlp_nlvr2_acc import E2EVLPNLVR2Acc
from .e2evlp_pretrain_metric import E2EVLPPretrainMetric
from .e2evlp_retrieval_recall import E2EVLPRetrievalRecall
from .e2evlp_vqa_acc import E2EVLPVQAAcc

__all__ = [
    'E2EVLPCaptionMetric', 'E2EVLPCaptionTruthMetric', 'E2EVLPCocoMetric',
    'E2EVLPNLVR2Acc', 'E2EVLPPretrainMetric', 'E2EVLPRetrievalRecall',
    'E2EVLPVQAAcc'
]
