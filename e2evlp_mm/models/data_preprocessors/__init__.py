# Copyright (c) e2evlp-mm contributors. All rights reserved.
from .e2evlp_nlvr2_data_preprocessor import E2EVLPNLVR2DataPreprocessor

__all__ = ['E2EVLPNLVR2DataPreprocessor']
