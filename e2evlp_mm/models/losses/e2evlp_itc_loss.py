# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""In-batch image-text contrastive loss of the retrieval pre-filter."""
from mmdet.registry import MODELS
from torch import Tensor, nn


@MODELS.register_module()
class E2EVLPITCLoss(nn.Module):
    """Symmetric InfoNCE over a batch of image and text embeddings.

    Pairs of the same image are all positives (a batch may hold several
    sentences of one image): the target of each row is uniform over them.
    The loss is the mean of the image->text and text->image cross-entropies
    of ``sim / temperature`` (ALBEF / BLIP's ITC).

    Args:
        temperature (float): Softmax temperature. Defaults to 0.07.
        loss_weight (float): Weight of the loss. Defaults to 1.
    """

    def __init__(self,
                 temperature: float = 0.07,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        self.temperature = temperature
        self.loss_weight = loss_weight

    def forward(self, image_embeds: Tensor, text_embeds: Tensor,
                image_ids: Tensor) -> Tensor:
        """The weighted contrastive loss.

        Args:
            image_embeds (Tensor): L2-normalized image embeddings (B, D).
            text_embeds (Tensor): L2-normalized text embeddings (B, D).
            image_ids (Tensor): Image id of each pair, (B,).

        Returns:
            Tensor: Scalar loss.
        """
        sim = image_embeds @ text_embeds.t() / self.temperature
        target = (image_ids[:, None] == image_ids[None]).float()
        target = target / target.sum(1, keepdim=True)
        loss = -(sim.log_softmax(1) * target).sum(1).mean() - (
            sim.t().log_softmax(1) * target).sum(1).mean()
        return self.loss_weight * loss / 2
