# Copyright (c) e2evlp-mm contributors. All rights reserved.
from .e2evlp_preflight_hook import E2EVLPPreflightHook, dead_norm_layers

__all__ = ['E2EVLPPreflightHook', 'dead_norm_layers']
