# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Image-text retrieval head (paper Sec. 5.1, Table 2)."""
from typing import Dict, Optional, Tuple

import torch
import torch.nn.functional as F
from mmdet.registry import MODELS
from mmengine.model import BaseModule
from torch import Tensor, nn


def circle_loss(pos: Tensor,
                neg: Tensor,
                neg_valid: Optional[Tensor] = None,
                margin: float = 0.25,
                gamma: float = 64.0) -> Tensor:
    r"""Circle loss (Sun et al., CVPR 2020, Eq. 6) with one positive per
    query.

    .. math::

        L = \log\big(1 + \sum_n e^{\gamma \alpha_n (s_n - \Delta_n)}
            \, e^{-\gamma \alpha_p (s_p - \Delta_p)}\big),

    :math:`\alpha_p = [1 + m - s_p]_+`, :math:`\alpha_n = [s_n + m]_+`
    (detached, as in the authors' code), :math:`\Delta_p = 1 - m`,
    :math:`\Delta_n = m`.

    Args:
        pos (Tensor): Positive similarities :math:`s_p`, shape (Q,).
        neg (Tensor): Negative similarities :math:`s_n`, shape (Q, n).
        neg_valid (Tensor, optional): Bool (Q, n); False entries are
            ignored. Queries without a valid negative give no loss.
        margin (float): Relaxation :math:`m`. Defaults to 0.25.
        gamma (float): Scale :math:`\gamma`. Defaults to 64.

    Returns:
        Tensor: Mean loss over queries with a valid negative (0 if none).
    """
    if neg_valid is None:
        neg_valid = torch.ones_like(neg, dtype=torch.bool)
    alpha_p = (1 + margin - pos).detach().clamp(min=0)
    alpha_n = (neg + margin).detach().clamp(min=0)
    logit_p = -gamma * alpha_p * (pos - (1 - margin))
    logit_n = gamma * alpha_n * (neg - margin)
    logit_n = logit_n.masked_fill(~neg_valid, float('-inf'))
    has_neg = neg_valid.any(1)
    if not has_neg.any():
        return pos.sum() * 0 + neg.sum() * 0
    loss = F.softplus(logit_n[has_neg].logsumexp(1) + logit_p[has_neg])
    return loss.mean()


@MODELS.register_module()
class E2EVLPRetrievalHead(BaseModule):
    """Cross-encoder matching score on ``h_CLS`` with circle loss, plus an
    optional cheap dual-encoder score for the test-time top-k pre-filter.

    The matching score of an image-text pair is ``fc(h_CLS)`` (one logit)
    of the joint encoder pass; the circle loss (as in ERNIE-ViL, which the
    paper follows) works on its sigmoid, ``s = sigmoid(logit)`` in
    ``(0, 1)``, so Sun et al.'s similarity margins apply unchanged: with
    ``m = 0.25`` positives are pushed above 0.75 and negatives below 0.25.

    With ``itc_dims`` set, two linear maps project the pooled output of an
    image-only encoder pass and the ``[CLS]`` output of a text-only encoder
    pass (the same shared encoder) into a joint space trained with an
    in-batch contrastive loss (``loss_itc``). Its cosine similarity ranks
    all pairs cheaply at test time so the cross encoder only scores the
    top-k candidates (as BLIP / ALBEF do).

    Args:
        embed_dims (int): Hidden size (injected by the detector).
        num_negatives (int): Negatives per positive pair and direction:
            ``k`` texts of other images paired with the image and ``k``
            other images paired with the text. Defaults to 3.
        margin (float): Circle loss relaxation ``m``. Defaults to 0.25.
        gamma (float): Circle loss scale. Defaults to 64 (Sun et al.).
        loss_weight (float): Weight of ``loss_retrieval``. Defaults to 1.
        itc_dims (int, optional): Dual-encoder embedding size; None builds
            no pre-filter branch. Defaults to None.
        itc_temperature (float): Softmax temperature of ``loss_itc``.
            Defaults to 0.07.
        itc_weight (float): Weight of ``loss_itc``. Defaults to 1.
        init_cfg (:obj:`ConfigDict` or dict, optional): Init config.
    """

    def __init__(self,
                 embed_dims: int,
                 num_negatives: int = 3,
                 margin: float = 0.25,
                 gamma: float = 64.0,
                 loss_weight: float = 1.0,
                 itc_dims: Optional[int] = None,
                 itc_temperature: float = 0.07,
                 itc_weight: float = 1.0,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.num_negatives = num_negatives
        self.margin, self.gamma = margin, gamma
        self.loss_weight = loss_weight
        self.itc_temperature, self.itc_weight = itc_temperature, itc_weight
        self.fc = nn.Linear(embed_dims, 1)
        self.with_itc = itc_dims is not None
        if self.with_itc:
            self.image_proj = nn.Linear(embed_dims, itc_dims)
            self.text_proj = nn.Linear(embed_dims, itc_dims)

    def forward(self, cls_feats: Tensor) -> Tensor:
        """Matching logits.

        Args:
            cls_feats (Tensor): Joint ``[CLS]`` outputs, shape (N, d).

        Returns:
            Tensor: Logits, shape (N,).
        """
        return self.fc(cls_feats).squeeze(-1)

    def embed_images(self, pooled: Tensor) -> Tensor:
        """Dual-encoder image embeddings.

        Args:
            pooled (Tensor): Pooled image-only encoder outputs, (N, d).

        Returns:
            Tensor: L2-normalized embeddings, (N, itc_dims).
        """
        return F.normalize(self.image_proj(pooled), dim=-1)

    def embed_texts(self, cls_feats: Tensor) -> Tensor:
        """Dual-encoder text embeddings.

        Args:
            cls_feats (Tensor): Text-only ``[CLS]`` outputs, (N, d).

        Returns:
            Tensor: L2-normalized embeddings, (N, itc_dims).
        """
        return F.normalize(self.text_proj(cls_feats), dim=-1)

    def sample_negatives(self, image_ids: Tensor) -> Tuple[Tensor, Tensor]:
        """Draw ``num_negatives`` batch partners of another image per
        sample (with replacement when fewer exist).

        Args:
            image_ids (Tensor): Image id of each pair, shape (B,).

        Returns:
            tuple[Tensor, Tensor]: Partner indices (B, k) and their
            validity (B, k), False where a sample has no partner of
            another image.
        """
        other = image_ids[:, None] != image_ids[None]
        valid = other.any(1, keepdim=True)
        weights = other.float() + (~valid).float()  # any index if none
        idx = torch.multinomial(weights, self.num_negatives, replacement=True)
        return idx, valid.expand_as(idx)

    def loss(self, pos_feats: Tensor, neg_feats: Tensor,
             neg_valid: Tensor) -> Dict[str, Tensor]:
        """Circle loss of every positive pair against its negatives.

        Args:
            pos_feats (Tensor): Joint ``[CLS]`` of the B positive pairs,
                (B, d).
            neg_feats (Tensor): Joint ``[CLS]`` of their negative pairs,
                (B, n, d), n = 2k (k swapped texts, k swapped images).
            neg_valid (Tensor): Bool (B, n).

        Returns:
            dict[str, Tensor]: ``loss_retrieval`` and the logged
            ``acc_retrieval`` (percent of valid negatives scored below
            their positive).
        """
        pos = self(pos_feats).sigmoid()
        neg = self(neg_feats).sigmoid()
        loss = circle_loss(pos, neg, neg_valid, self.margin, self.gamma)
        correct = (neg < pos[:, None]) & neg_valid
        acc = 100 * correct.sum() / neg_valid.sum().clamp(min=1)
        return dict(
            loss_retrieval=self.loss_weight * loss,
            acc_retrieval=acc.detach())

    def loss_itc(self, image_pooled: Tensor, text_cls: Tensor,
                 image_ids: Tensor) -> Dict[str, Tensor]:
        """In-batch image-text contrastive loss of the pre-filter.

        Args:
            image_pooled (Tensor): Pooled image-only outputs, (B, d).
            text_cls (Tensor): Text-only ``[CLS]`` outputs, (B, d).
            image_ids (Tensor): Image id of each pair, (B,); texts of the
                same image are all positives.

        Returns:
            dict[str, Tensor]: ``loss_itc`` (mean of both directions).
        """
        sim = self.embed_images(image_pooled) @ self.embed_texts(text_cls).t()
        sim = sim / self.itc_temperature
        target = (image_ids[:, None] == image_ids[None]).float()
        target = target / target.sum(1, keepdim=True)
        loss = -(sim.log_softmax(1) * target).sum(1).mean() - (
            sim.t().log_softmax(1) * target).sum(1).mean()
        return dict(loss_itc=self.itc_weight * loss / 2)
