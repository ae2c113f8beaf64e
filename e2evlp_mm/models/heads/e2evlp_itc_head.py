# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Image-text contrastive head on the single-modality encoder passes."""
import hashlib
from typing import Dict, Sequence

import torch
import torch.nn.functional as F
from mmdet.registry import MODELS
from mmdet.utils import ConfigType
from mmengine.model import BaseModule
from torch import Tensor, nn


def image_keys(keys: Sequence) -> Tensor:
    """Ids (B,) of a batch's images, the same on every process.

    A stable 63-bit hash of each key (not Python's ``hash``, which differs
    between processes), so that ids gathered from all ranks by
    :class:`~e2evlp_mm.models.losses.E2EVLPITCLoss` still say which pairs
    show one image.

    Args:
        keys (Sequence): One key per sample (an image path or id); samples
            of the same image share it.

    Returns:
        Tensor: LongTensor (B,) on the CPU.
    """
    return torch.tensor([
        int.from_bytes(
            hashlib.blake2b(str(k).encode(), digest_size=8).digest(),
            'little') >> 1 for k in keys
    ])


@MODELS.register_module()
class E2EVLPITCHead(BaseModule):
    """Dual-encoder embeddings of the image-only and text-only passes of
    the shared encoder, trained with an in-batch contrastive loss.

    Two linear maps project the pooled image-only encoder output and the
    ``[CLS]`` output of a text-only pass into an ``itc_dims`` space; the
    loss (:class:`~e2evlp_mm.models.losses.E2EVLPITCLoss`, ALBEF / BLIP's
    ITC) pulls each image toward its own texts. The retrieval head uses it
    as its top-k pre-filter; in pre-training it is an optional extra task
    (not the paper's) that aligns the two modalities before the joint pass.

    Args:
        embed_dims (int): Hidden size (injected by the detector).
        itc_dims (int): Embedding size. Defaults to 128.
        loss_itc (:obj:`ConfigDict` or dict): ``E2EVLPITCLoss``
            (``temperature``, ``loss_weight``).
        init_cfg (:obj:`ConfigDict` or dict, optional): Init config.
    """

    def __init__(self,
                 embed_dims: int,
                 itc_dims: int = 128,
                 loss_itc: ConfigType = dict(
                     type='E2EVLPITCLoss', temperature=0.07,
                     loss_weight=1.0),
                 init_cfg: ConfigType = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.image_proj = nn.Linear(embed_dims, itc_dims)
        self.text_proj = nn.Linear(embed_dims, itc_dims)
        self.loss_itc = MODELS.build(loss_itc)

    def embed_images(self, pooled: Tensor) -> Tensor:
        """Image embeddings.

        Args:
            pooled (Tensor): Pooled image-only encoder outputs, (N, d).

        Returns:
            Tensor: L2-normalized embeddings, fp32, (N, itc_dims).
        """
        return F.normalize(self.image_proj(pooled).float(), dim=-1)

    def embed_texts(self, cls_feats: Tensor) -> Tensor:
        """Text embeddings.

        Args:
            cls_feats (Tensor): Text-only ``[CLS]`` outputs, (N, d).

        Returns:
            Tensor: L2-normalized embeddings, fp32, (N, itc_dims).
        """
        return F.normalize(self.text_proj(cls_feats).float(), dim=-1)

    def loss(self, image_pooled: Tensor, text_cls: Tensor,
             image_ids: Tensor) -> Dict[str, Tensor]:
        """Contrastive loss of a batch of matched pairs.

        Args:
            image_pooled (Tensor): Pooled image-only outputs, (B, d).
            text_cls (Tensor): Text-only ``[CLS]`` outputs of each image's
                own text, (B, d).
            image_ids (Tensor): Image of each pair, (B,); pairs of the same
                image are all positives.

        Returns:
            dict[str, Tensor]: ``loss_itc`` and the logged ``acc_itc``
            (percent of texts whose most similar image in the batch shows
            them).
        """
        image_ids = image_ids.to(image_pooled.device)
        image_embeds = self.embed_images(image_pooled)
        text_embeds = self.embed_texts(text_cls)
        best = (text_embeds @ image_embeds.t()).argmax(1)
        acc = 100 * (image_ids[best] == image_ids).float().mean()
        return dict(
            loss_itc=self.loss_itc(image_embeds, text_embeds, image_ids),
            acc_itc=acc.detach())
