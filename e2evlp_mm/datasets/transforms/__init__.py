# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Transforms of e2evlp-mm, registered in mmdet's ``TRANSFORMS``."""
from .apply_to_image_pair import E2EVLPApplyToImagePair
from .crop_object import E2EVLPCropObject
from .e2evlp_inferencer_loader import E2EVLPInferencerLoader
from .load_annotations import E2EVLPLoadAnnotations
from .load_image_from_file import E2EVLPLoadImageFromFile
from .mask_tokens import E2EVLPMaskTokens
from .pack_e2evlp_inputs import PackE2EVLPInputs
from .random_flip import E2EVLPRandomFlip
from .sample_itm_negative import E2EVLPSampleITMNegative
from .tokenize import E2EVLPTokenize
from .vqa_target import E2EVLPVQATarget

__all__ = [
    'E2EVLPApplyToImagePair', 'E2EVLPCropObject', 'E2EVLPInferencerLoader',
    'E2EVLPLoadAnnotations',
    'E2EVLPLoadImageFromFile', 'E2EVLPMaskTokens', 'PackE2EVLPInputs',
    'E2EVLPRandomFlip', 'E2EVLPSampleITMNegative', 'E2EVLPTokenize',
    'E2EVLPVQATarget'
]
