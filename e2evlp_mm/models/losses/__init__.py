# Copyright (c) e2evlp-mm contributors. All rights reserved.
from .e2evlp_circle_loss import E2EVLPCircleLoss
from .e2evlp_itc_loss import E2EVLPITCLoss

__all__ = ['E2EVLPCircleLoss', 'E2EVLPITCLoss']
