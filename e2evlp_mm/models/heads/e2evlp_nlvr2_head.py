# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""NLVR2 pair classifier (paper Sec. 5.1)."""
from typing import Dict, List

from mmdet.registry import MODELS
from mmdet.structures import SampleList
from mmdet.utils import ConfigType, OptMultiConfig
from mmengine.model import BaseModule
from torch import Tensor, nn

from ..precision import fp32
from ..utils import stack_labels, top1_accuracy


@MODELS.register_module()
class E2EVLPNLVR2Head(BaseModule):
    """True / false classifier on the two ``h_CLS`` of an image pair.

    The statement is encoded once with each image (paper Sec. 5.1); the two
    ``[CLS]`` outputs are concatenated, left first, and classified by
    UNITER's NLVR2 MLP:

    .. code:: text

        [h_CLS(left), h_CLS(right)] (2d) -> Linear(2d, 2d) -> GELU
            -> LayerNorm -> Linear(2d, 2)

    Args:
        embed_dims (int): Hidden size ``d`` (injected by the detector).
        loss_nlvr (:obj:`ConfigDict` or dict): Loss config; its
            ``loss_weight`` scales ``loss_nlvr``.
        init_cfg (:obj:`ConfigDict` or dict, optional): Init config.
    """

    def __init__(self,
                 embed_dims: int,
                 loss_nlvr: ConfigType = dict(
                     type='CrossEntropyLoss', loss_weight=1.0),
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.classifier = nn.Sequential(
            nn.Linear(2 * embed_dims, 2 * embed_dims), nn.GELU(),
            nn.LayerNorm(2 * embed_dims, eps=1e-12),
            nn.Linear(2 * embed_dims, 2))
        self.loss_nlvr = MODELS.build(loss_nlvr)

    def forward(self, pair_feats: Tensor) -> Tensor:
        """True / false logits.

        Args:
            pair_feats (Tensor): ``[h_CLS(left), h_CLS(right)]``, shape
                (B, 2d).

        Returns:
            Tensor: Logits (B, 2); class 1 means the statement is true.
        """
        return self.classifier(pair_feats)

    def loss(self, pair_feats: Tensor,
             batch_data_samples: SampleList) -> Dict[str, Tensor]:
        """Cross-entropy against ``nlvr_label`` (fp32 under autocast).

        Args:
            pair_feats (Tensor): Concatenated ``[CLS]`` outputs, (B, 2d).
            batch_data_samples (list[:obj:`DetDataSample`]): With
                ``nlvr_label`` (scalar LongTensor, 1 true, 0 false).

        Returns:
            dict[str, Tensor]: ``loss_nlvr`` and the logged ``acc_nlvr``
            (percent).
        """
        labels = stack_labels(batch_data_samples, 'nlvr_label',
                              pair_feats.device)
        logits = self(pair_feats)
        return dict(
            loss_nlvr=fp32(self.loss_nlvr)(logits, labels),
            acc_nlvr=top1_accuracy(logits, labels))

    def predict(self, pair_feats: Tensor,
                batch_data_samples: SampleList) -> List[dict]:
        """Whether each statement is true of its image pair.

        Args:
            pair_feats (Tensor): Concatenated ``[CLS]`` outputs, (B, 2d).
            batch_data_samples (list[:obj:`DetDataSample`]): Samples.

        Returns:
            list[dict]: Per sample ``pred_nlvr_label`` (int, 1 true) and
            ``pred_nlvr_score`` (float, the probability of true).
        """
        probs = self(pair_feats).softmax(-1)[:, 1]
        return [
            dict(pred_nlvr_label=int(p > 0.5), pred_nlvr_score=p)
            for p in probs.tolist()
        ]
