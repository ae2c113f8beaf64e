# Copyright (c) e2evlp-mm contributors. All rights reserved.
from .e2evlp import E2EVLP
from .e2evlp_base import E2EVLPBase
from .e2evlp_captioner import E2EVLPCaptioner
from .e2evlp_encoder_task import E2EVLPEncoderTask
from .e2evlp_nlvr2 import E2EVLPNLVR2
from .e2evlp_retriever import E2EVLPRetriever
from .e2evlp_vqa import E2EVLPVQA

__all__ = [
    'E2EVLP', 'E2EVLPBase', 'E2EVLPCaptioner', 'E2EVLPEncoderTask',
    'E2EVLPNLVR2', 'E2EVLPRetriever', 'E2EVLPVQA'
]
