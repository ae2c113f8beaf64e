# Copyright (c) e2evlp-mm contributors. All rights reserved.
from .e2evlp_caption_head import E2EVLPCaptionHead
from .e2evlp_head import E2EVLPHead
from .e2evlp_itm_head import E2EVLPITMHead
from .e2evlp_mlm_head import E2EVLPMLMHead

__all__ = [
    'E2EVLPCaptionHead', 'E2EVLPHead', 'E2EVLPITMHead', 'E2EVLPMLMHead'
]
