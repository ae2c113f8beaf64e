# Copyright (c) e2evlp-mm contributors. All rights reserved.
from .e2evlp_checkpoint_hook import E2EVLPCheckpointHook
from .e2evlp_preemption_hook import (
    PREEMPTED_EXIT_CODE,
    E2EVLPPreempted,
    E2EVLPPreemptionHook,
)
from .e2evlp_preflight_hook import E2EVLPPreflightHook, dead_norm_layers
from .e2evlp_speed_hook import E2EVLPSpeedHook
from .e2evlp_vocabulary_hook import E2EVLPVocabularyHook, add_vocabulary_hook

__all__ = [
    'E2EVLPPreflightHook', 'dead_norm_layers', 'E2EVLPVocabularyHook',
    'add_vocabulary_hook', 'E2EVLPCheckpointHook', 'E2EVLPPreemptionHook',
    'E2EVLPPreempted', 'PREEMPTED_EXIT_CODE', 'E2EVLPSpeedHook'
]
