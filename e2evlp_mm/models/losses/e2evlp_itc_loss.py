# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""In-batch image-text contrastive loss of the retrieval pre-filter."""
import torch
import torch.distributed as dist
from mmdet.registry import MODELS
from mmengine.dist import get_world_size
from torch import Tensor, nn
from torch.distributed.nn.functional import all_gather

from ..precision import fp32


def gather_batch(tensor: Tensor, with_grad: bool) -> Tensor:
    """Concatenate a tensor over all ranks, in rank order.

    Args:
        tensor (Tensor): This rank's part (B, ...); every rank passes the
            same B (mmengine's samplers give every rank equal batches).
        with_grad (bool): Let gradients flow back to the rank that owns
            each part (``torch.distributed.nn.functional.all_gather``:
            the backward pass sums each part's gradient over the ranks).

    Returns:
        Tensor: (world_size * B, ...); the input itself on one process.
    """
    if get_world_size() == 1:
        return tensor
    if with_grad:
        return torch.cat(all_gather(tensor))
    parts = [torch.empty_like(tensor) for _ in range(get_world_size())]
    dist.all_gather(parts, tensor.contiguous())
    return torch.cat(parts)


@MODELS.register_module()
class E2EVLPITCLoss(nn.Module):
    """Symmetric InfoNCE over a batch of image and text embeddings.

    Pairs of the same image are all positives (a batch may hold several
    sentences of one image): the target of each row is uniform over them.
    The loss is the mean of the image->text and text->image cross-entropies
    of ``sim / temperature`` (ALBEF / BLIP's ITC).

    Under distributed training the embeddings and image ids of every rank
    are gathered (with gradients) and each rank computes the loss of the
    whole ``world_size * B`` batch, so each query ranks all
    ``world_size * B`` candidates, as on one device with the total batch.
    Every rank then holds the same loss value, and the gradient reaching
    each rank's embeddings is ``world_size`` times that of the total batch
    (the gather's backward sums over ranks); DDP's gradient averaging
    divides it back, so training equals one process with the total batch.

    Args:
        temperature (float): Softmax temperature. Defaults to 0.07.
        loss_weight (float): Weight of the loss. Defaults to 1.
        gather (bool): Gather the batch of all ranks. Defaults to True.
    """

    def __init__(self,
                 temperature: float = 0.07,
                 loss_weight: float = 1.0,
                 gather: bool = True) -> None:
        super().__init__()
        self.temperature = temperature
        self.loss_weight = loss_weight
        self.gather = gather

    @fp32
    def forward(self, image_embeds: Tensor, text_embeds: Tensor,
                image_ids: Tensor) -> Tensor:
        """The weighted contrastive loss, in fp32 under autocast.

        Args:
            image_embeds (Tensor): L2-normalized image embeddings (B, D).
            text_embeds (Tensor): L2-normalized text embeddings (B, D).
            image_ids (Tensor): Image id of each pair, (B,).

        Returns:
            Tensor: Scalar loss of the batch of all ranks.
        """
        if self.gather:
            image_embeds = gather_batch(image_embeds, with_grad=True)
            text_embeds = gather_batch(text_embeds, with_grad=True)
            image_ids = gather_batch(image_ids, with_grad=False)
        sim = image_embeds @ text_embeds.t() / self.temperature
        target = (image_ids[:, None] == image_ids[None]).float()
        target = target / target.sum(1, keepdim=True)
        loss = -(sim.log_softmax(1) * target).sum(1).mean() - (
            sim.t().log_softmax(1) * target).sum(1).mean()
        return self.loss_weight * loss / 2
