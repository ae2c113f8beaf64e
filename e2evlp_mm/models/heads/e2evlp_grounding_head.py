# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Phrase grounding: the box of the region a text describes (not in the
paper)."""
from typing import Dict, Optional, Sequence

import torch
from mmdet.models.layers.transformer import MLP
from mmdet.registry import MODELS
from mmdet.structures import SampleList
from mmdet.structures.bbox import bbox_cxcywh_to_xyxy
from mmdet.utils import ConfigType
from mmengine.model import BaseModule
from torch import Tensor, nn

from ..precision import fp32

SOURCES = ('caption', 'encoder')


@MODELS.register_module()
class E2EVLPGroundingHead(BaseModule):
    """Regress the region of a region description from its text states.

    Visual Genome's region descriptions come with the box they describe
    (``text_bbox`` of :class:`~e2evlp_mm.datasets.E2EVLPPretrainDataset`);
    the paper's pre-training does not use it. This head reads it as a
    target for every state of the text: the caption decoder's states
    (``'caption'``: each token state after ``[CLS]``, so the decoder must
    find, among the image tokens, the object the words so far name) and
    the joint encoder's text states (``'encoder'``: every token after
    ``[CLS]``, which ITM reads, of the matched pairs only, so each word is
    bound to its region). One 3-layer MLP per source (as
    DETR's box branch) predicts (cx, cy, w, h) in [0, 1]; the losses are
    DETR's L1 and GIoU, averaged over the counted states. Samples without
    ``text_bbox`` (COCO captions) add nothing.

    Args:
        embed_dims (int): Hidden size (injected by the detector).
        sources (Sequence[str]): Which states are grounded, of
            ``('caption', 'encoder')``. Defaults to both.
        loss_bbox (:obj:`ConfigDict` or dict): L1 loss of the boxes.
            Defaults to DETR's (weight 5).
        loss_iou (:obj:`ConfigDict` or dict): GIoU loss. Defaults to
            DETR's (weight 2).
        init_cfg (:obj:`ConfigDict` or dict, optional): Init config.
    """

    def __init__(self,
                 embed_dims: int,
                 sources: Sequence[str] = SOURCES,
                 loss_bbox: ConfigType = dict(type='L1Loss', loss_weight=5.0),
                 loss_iou: ConfigType = dict(
                     type='GIoULoss', loss_weight=2.0),
                 init_cfg: ConfigType = None) -> None:
        super().__init__(init_cfg=init_cfg)
        unknown = set(sources) - set(SOURCES)
        if unknown or not sources:
            raise ValueError(f'sources must be some of {SOURCES}, got '
                             f'{tuple(sources)}')
        self.sources = tuple(sources)
        self.branches = nn.ModuleDict(
            {s: MLP(embed_dims, embed_dims, 4, 3) for s in self.sources})
        self.loss_bbox = MODELS.build(loss_bbox)
        self.loss_iou = MODELS.build(loss_iou)

    def forward(self, states: Tensor, source: str) -> Tensor:
        """Boxes (cx, cy, w, h) in [0, 1].

        Args:
            states (Tensor): Text states, shape (N, t, d).
            source (str): One of ``sources``.

        Returns:
            Tensor: Shape (N, t, 4).
        """
        return self.branches[source](states).sigmoid()

    def loss(self, states: Tensor, counted: Tensor,
             batch_data_samples: SampleList, source: str,
             rows: Optional[Tensor] = None) -> Dict[str, Tensor]:
        """L1 and GIoU of every counted state's box against ``text_bbox``
        (in fp32 under autocast).

        Args:
            states (Tensor): Text states, shape (B, t, d).
            counted (Tensor): Bool (B, t), the states that predict a box
                (e.g. not padding).
            batch_data_samples (list[:obj:`DetDataSample`]): Samples with
                a region description carry ``text_bbox`` (4,).
            source (str): One of ``sources``.
            rows (Tensor, optional): Bool (B,), the samples that may count
                (e.g. the matched ITM pairs). Defaults to all.

        Returns:
            dict[str, Tensor]: ``loss_ground_{source}_bbox`` and
            ``loss_ground_{source}_iou``.
        """
        device = states.device
        has = torch.tensor(['text_bbox' in ds for ds in batch_data_samples],
                           device=device)
        if rows is not None:
            has &= rows.to(device)
        target = torch.stack([
            torch.as_tensor(ds.text_bbox, dtype=torch.float32)
            if 'text_bbox' in ds else torch.zeros(4)
            for ds in batch_data_samples
        ]).to(device)[has]
        pred = self(states[has], source).float()
        weight = counted[has].float()
        target = target[:, None].expand_as(pred)
        avg = weight.sum()
        loss_bbox = fp32(self.loss_bbox)(
            pred, target, weight[..., None], avg_factor=avg)
        loss_iou = fp32(self.loss_iou)(
            bbox_cxcywh_to_xyxy(pred.flatten(0, 1)),
            bbox_cxcywh_to_xyxy(target.flatten(0, 1)),
            weight.flatten(), avg_factor=avg)
        return {f'loss_ground_{source}_bbox': loss_bbox,
                f'loss_ground_{source}_iou': loss_iou}
