# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Inference on your own images (not imported by ``e2evlp_mm``)."""
from .e2evlp_inferencer import E2EVLPInferencer
from .gallery_store import RetrievalGallery
from .tasks import TASKS, model_tasks, resolve_tasks, sample_to_dict

__all__ = [
    'E2EVLPInferencer', 'RetrievalGallery', 'TASKS', 'model_tasks',
    'resolve_tasks', 'sample_to_dict'
]
