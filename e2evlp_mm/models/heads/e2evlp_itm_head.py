# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Image-text matching head (paper Sec. 3.1.2)."""
from typing import Dict, List, Optional

import torch
from mmdet.registry import MODELS
from mmdet.structures import SampleList
from mmdet.utils import ConfigType
from mmengine.model import BaseModule
from torch import Tensor, nn

from ..precision import fp32
from ..utils import stack_labels, top1_accuracy


@MODELS.register_module()
class E2EVLPITMHead(BaseModule):
    """Binary matched / mismatched classifier on ``h_CLS`` of the last
    encoder layer.

    Args:
        embed_dims (int): Hidden size (injected by the detector).
        loss_itm (:obj:`ConfigDict` or dict): Loss config; its
            ``loss_weight`` is the weight of ``L_itm`` in Eq. 3.
        init_cfg (:obj:`ConfigDict` or dict, optional): Init config.
    """

    def __init__(self,
                 embed_dims: int,
                 loss_itm: ConfigType = dict(
                     type='CrossEntropyLoss', loss_weight=1.0),
                 init_cfg: ConfigType = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.fc = nn.Linear(embed_dims, 2)
        self.loss_itm = MODELS.build(loss_itm)

    def forward(self, cls_feats: Tensor) -> Tensor:
        """Match logits.

        Args:
            cls_feats (Tensor): ``[CLS]`` outputs, shape (B, d).

        Returns:
            Tensor: Logits (B, 2); class 1 means matched.
        """
        return self.fc(cls_feats)

    def loss(self,
             cls_feats: Tensor,
             batch_data_samples: SampleList,
             negative_feats: Optional[Tensor] = None) -> Dict[str, Tensor]:
        """ITM cross-entropy against ``itm_label`` (fp32 under autocast).

        Args:
            cls_feats (Tensor): ``[CLS]`` outputs, shape (B, d).
            batch_data_samples (list[:obj:`DetDataSample`]): With
                ``itm_label`` (scalar LongTensor, 1 matched, 0 not).
            negative_feats (Tensor, optional): ``[CLS]`` outputs of extra
                mismatched pairs (N, d), e.g. in-batch hard negatives;
                scored with label 0 in the same mean.

        Returns:
            dict[str, Tensor]: ``loss_itm`` and the logged ``acc_itm``.
        """
        labels = stack_labels(batch_data_samples, 'itm_label',
                              cls_feats.device)
        if negative_feats is not None:
            cls_feats = torch.cat([cls_feats, negative_feats])
            labels = torch.cat([labels, labels.new_zeros(len(negative_feats))])
        logits = self(cls_feats)
        return dict(
            loss_itm=fp32(self.loss_itm)(logits, labels),
            acc_itm=top1_accuracy(logits, labels))

    def predict(self, cls_feats: Tensor,
                batch_data_samples: SampleList) -> List[dict]:
        """Probability that each image and text match.

        Args:
            cls_feats (Tensor): ``[CLS]`` outputs, shape (B, d).
            batch_data_samples (list[:obj:`DetDataSample`]): Samples.

        Returns:
            list[dict]: Per sample ``pred_itm_score`` (float in [0, 1]).
        """
        probs = self(cls_feats).softmax(-1)[:, 1]
        return [dict(pred_itm_score=p.item()) for p in probs]
