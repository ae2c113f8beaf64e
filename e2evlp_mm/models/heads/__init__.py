# Copyright (c) e2evlp-mm contributors. All rights reserved.
from .e2evlp_caption_head import E2EVLPCaptionHead
from .e2evlp_grounding_head import E2EVLPGroundingHead
from .e2evlp_head import E2EVLPHead
from .e2evlp_itc_head import E2EVLPITCHead
from .e2evlp_itm_head import E2EVLPITMHead
from .e2evlp_mlm_head import E2EVLPMLMHead
from .e2evlp_nlvr2_head import E2EVLPNLVR2Head
from .e2evlp_retrieval_head import E2EVLPRetrievalHead
from .e2evlp_vqa_head import E2EVLPVQAHead

__all__ = [
    'E2EVLPCaptionHead', 'E2EVLPGroundingHead', 'E2EVLPHead',
    'E2EVLPITCHead', 'E2EVLPITMHead', 'E2EVLPMLMHead', 'E2EVLPNLVR2Head',
    'E2EVLPRetrievalHead', 'E2EVLPVQAHead'
]
