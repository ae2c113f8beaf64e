# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Image-text retrieval head (paper Sec. 5.1, Table 2)."""
from typing import Callable, Dict, Optional, Tuple

import torch
from mmdet.registry import MODELS
from mmdet.structures import SampleList
from mmdet.utils import ConfigType
from mmengine.model import BaseModule
from torch import Tensor, nn

from .e2evlp_itc_head import E2EVLPITCHead

# (image rows, text rows) of the batch -> joint h_CLS of those pairs (N, d)
PairEncoder = Callable[[Tensor, Tensor], Tensor]
# () -> (pooled image-only outputs (B, d), text-only h_CLS (B, d))
SingleEncoder = Callable[[], Tuple[Tensor, Tensor]]


@MODELS.register_module()
class E2EVLPRetrievalHead(BaseModule):
    """Cross-encoder matching score on ``h_CLS`` with circle loss, plus an
    optional cheap dual-encoder score for the test-time top-k pre-filter.

    The matching score of an image-text pair is ``fc(h_CLS)`` (one logit)
    of the joint encoder pass; the circle loss (``loss_retrieval``, as in
    ERNIE-ViL, which the paper follows) works on its sigmoid,
    ``s = sigmoid(logit)`` in ``(0, 1)``. The head owns the training
    pairs: it draws the negatives, asks the detector's pair encoder for
    the joint ``h_CLS`` of every pair and scores them.

    With ``itc_dims`` set, two linear maps project the pooled output of an
    image-only encoder pass and the ``[CLS]`` output of a text-only encoder
    pass (the same shared encoder) into a joint space trained with an
    in-batch contrastive loss (``loss_itc``). Its cosine similarity ranks
    all pairs cheaply at test time so the cross encoder only scores the
    top-k candidates (as BLIP / ALBEF do).

    Across ranks (distributed training): ``loss_itc`` gathers the
    embeddings of all ranks (see :class:`E2EVLPITCLoss`), so its in-batch
    candidates are those of the total batch. The circle loss stays per
    rank: its negatives are random partners drawn uniformly from the
    batch, not mined, and a batch is a random draw from the data, so a
    partner from the local batch is a uniform draw from the data as one
    from the total batch would be; only repeats among a query's ``k``
    negatives (drawn with replacement) are likelier in a small local
    batch. A partner from another rank would need that rank's image
    features (hundreds of tokens per image) for the joint pass and send
    gradients back, for no change in expectation.

    Args:
        embed_dims (int): Hidden size (injected by the detector).
        num_negatives (int): Negatives per positive pair and direction:
            ``k`` texts of other images paired with the image and ``k``
            other images paired with the text. Defaults to 3.
        loss_retrieval (:obj:`ConfigDict` or dict): The matching loss,
            ``E2EVLPCircleLoss`` (``margin``, ``gamma``, ``loss_weight``).
        itc_dims (int, optional): Dual-encoder embedding size; None builds
            no pre-filter branch. Defaults to None.
        loss_itc (:obj:`ConfigDict` or dict): The pre-filter's loss,
            ``E2EVLPITCLoss`` (``temperature``, ``loss_weight``); only
            built with ``itc_dims``.
        init_cfg (:obj:`ConfigDict` or dict, optional): Init config.
    """

    def __init__(self,
                 embed_dims: int,
                 num_negatives: int = 3,
                 loss_retrieval: ConfigType = dict(
                     type='E2EVLPCircleLoss',
                     margin=0.25,
                     gamma=64.0,
                     loss_weight=1.0),
                 itc_dims: Optional[int] = None,
                 loss_itc: ConfigType = dict(
                     type='E2EVLPITCLoss', temperature=0.07,
                     loss_weight=1.0),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.num_negatives = num_negatives
        self.fc = nn.Linear(embed_dims, 1)
        self.loss_retrieval = MODELS.build(loss_retrieval)
        self.with_itc = itc_dims is not None
        if self.with_itc:
            self.itc = E2EVLPITCHead(embed_dims, itc_dims, loss_itc)

    def _load_from_state_dict(self, state_dict: dict, prefix: str,
                              *args, **kwargs) -> None:
        """Read checkpoints that kept the pre-filter's projections on this
        head (``image_proj`` / ``text_proj``, now ``itc.*``)."""
        for name in ('image_proj', 'text_proj'):
            for key in [k for k in state_dict
                        if k.startswith(f'{prefix}{name}.')]:
                state_dict[f'{prefix}itc.{key[len(prefix):]}'] = \
                    state_dict.pop(key)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

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
            Tensor: L2-normalized embeddings, fp32, (N, itc_dims).
        """
        return self.itc.embed_images(pooled)

    def embed_texts(self, cls_feats: Tensor) -> Tensor:
        """Dual-encoder text embeddings.

        Args:
            cls_feats (Tensor): Text-only ``[CLS]`` outputs, (N, d).

        Returns:
            Tensor: L2-normalized embeddings, fp32, (N, itc_dims).
        """
        return self.itc.embed_texts(cls_feats)

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

    def pair_indices(self, image_ids: Tensor) -> Tuple[Tensor, Tensor,
                                                       Tensor]:
        """The ``B (1 + 2k)`` training pairs of a batch.

        Args:
            image_ids (Tensor): Image id of each positive pair, (B,).

        Returns:
            tuple[Tensor, Tensor, Tensor]: Image rows and text rows
            (B (1 + 2k),) of the pairs: the B positives, then each image
            with ``k`` swapped texts, then each text with ``k`` swapped
            images; and the validity (B, 2k) of the negatives.
        """
        neg_txt, valid_txt = self.sample_negatives(image_ids)
        neg_img, valid_img = self.sample_negatives(image_ids)
        num, k = neg_txt.shape
        own = torch.arange(num, device=image_ids.device)
        img_idx = torch.cat([own, own.repeat_interleave(k), neg_img.flatten()])
        txt_idx = torch.cat([own, neg_txt.flatten(), own.repeat_interleave(k)])
        return img_idx, txt_idx, torch.cat([valid_txt, valid_img], 1)

    def loss(self,
             encode_pairs: PairEncoder,
             batch_data_samples: SampleList,
             encode_single: Optional[SingleEncoder] = None
             ) -> Dict[str, Tensor]:
        """Circle loss of every positive pair against its negatives (and
        the pre-filter's contrastive loss).

        Args:
            encode_pairs (Callable): ``(img_idx, txt_idx) -> h_CLS`` (N, d)
                of the joint pass over the batch's images ``img_idx`` (N,)
                paired with its texts ``txt_idx`` (N,).
            batch_data_samples (list[:obj:`DetDataSample`]): B matched
                pairs with metainfo ``img_id`` (texts of the same image are
                never negatives).
            encode_single (Callable, optional): ``() -> (image_pooled,
                text_cls)``, each (B, d), of the single-modality passes;
                called only with the pre-filter branch.

        Returns:
            dict[str, Tensor]: ``loss_retrieval``, the logged
            ``acc_retrieval`` (percent of valid negatives scored below
            their positive) and, with the pre-filter, ``loss_itc``.
        """
        device = self.fc.weight.device
        image_ids = torch.tensor([ds.img_id for ds in batch_data_samples],
                                 device=device)
        img_idx, txt_idx, neg_valid = self.pair_indices(image_ids)
        num = len(batch_data_samples)
        k = self.num_negatives
        cls = encode_pairs(img_idx, txt_idx)
        neg_feats = cls[num:].view(2, num, k, -1).transpose(0, 1)
        # the circle loss scales s - m by gamma = 64: sigmoid in fp32
        pos = self(cls[:num]).float().sigmoid()
        neg = self(neg_feats.flatten(1, 2)).float().sigmoid()
        correct = (neg < pos[:, None]) & neg_valid
        acc = 100 * correct.sum() / neg_valid.sum().clamp(min=1)
        losses = dict(
            loss_retrieval=self.loss_retrieval(pos, neg, neg_valid),
            acc_retrieval=acc.detach())
        if self.with_itc:
            if encode_single is None:
                raise ValueError('The pre-filter branch (itc_dims) needs '
                                 '`encode_single`.')
            losses.update(self.itc.loss(*encode_single(), image_ids))
        return losses
