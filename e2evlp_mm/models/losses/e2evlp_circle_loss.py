# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Circle loss of the retrieval head (paper Sec. 5.1)."""
from typing import Optional

import torch
import torch.nn.functional as F
from mmdet.registry import MODELS
from torch import Tensor, nn

from ..precision import fp32


@MODELS.register_module()
class E2EVLPCircleLoss(nn.Module):
    r"""Circle loss (Sun et al., CVPR 2020, Eq. 6) with one positive per
    query.

    .. math::

        L = \log\big(1 + \sum_n e^{\gamma \alpha_n (s_n - \Delta_n)}
            \, e^{-\gamma \alpha_p (s_p - \Delta_p)}\big),

    :math:`\alpha_p = [1 + m - s_p]_+`, :math:`\alpha_n = [s_n + m]_+`
    (detached, as in the authors' code), :math:`\Delta_p = 1 - m`,
    :math:`\Delta_n = m`. The similarities are in ``(0, 1)`` (the
    retrieval head feeds sigmoid scores), so Sun et al.'s margins apply
    unchanged: with ``m = 0.25`` positives are pushed above 0.75 and
    negatives below 0.25.

    Args:
        margin (float): Relaxation :math:`m`. Defaults to 0.25.
        gamma (float): Scale :math:`\gamma`. Defaults to 64 (Sun et al.).
        loss_weight (float): Weight of the loss. Defaults to 1.
    """

    def __init__(self,
                 margin: float = 0.25,
                 gamma: float = 64.0,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        self.margin = margin
        self.gamma = gamma
        self.loss_weight = loss_weight

    @fp32
    def forward(self,
                pos: Tensor,
                neg: Tensor,
                neg_valid: Optional[Tensor] = None) -> Tensor:
        """Weighted mean loss over the queries with a valid negative, in
        fp32 under autocast.

        Args:
            pos (Tensor): Positive similarities :math:`s_p`, shape (Q,).
            neg (Tensor): Negative similarities :math:`s_n`, shape (Q, n).
            neg_valid (Tensor, optional): Bool (Q, n); False entries are
                ignored. Queries without a valid negative give no loss.

        Returns:
            Tensor: Scalar loss (0, with a graph, if no query has a valid
            negative).
        """
        if neg_valid is None:
            neg_valid = torch.ones_like(neg, dtype=torch.bool)
        m, gamma = self.margin, self.gamma
        alpha_p = (1 + m - pos).detach().clamp(min=0)
        alpha_n = (neg + m).detach().clamp(min=0)
        logit_p = -gamma * alpha_p * (pos - (1 - m))
        logit_n = gamma * alpha_n * (neg - m)
        logit_n = logit_n.masked_fill(~neg_valid, float('-inf'))
        has_neg = neg_valid.any(1)
        if not has_neg.any():
            return self.loss_weight * (pos.sum() * 0 + neg.sum() * 0)
        loss = F.softplus(logit_n[has_neg].logsumexp(1) + logit_p[has_neg])
        return self.loss_weight * loss.mean()
