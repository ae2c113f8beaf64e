# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Masked language modelling head (paper Sec. 3.1.2)."""
from typing import Dict, List

import torch
import torch.nn.functional as F
from mmdet.registry import MODELS
from mmdet.structures import SampleList
from mmdet.utils import ConfigType
from mmengine.model import BaseModule
from torch import Tensor, nn

from ..precision import fp32
from ..utils import stack_text


@MODELS.register_module()
class E2EVLPMLMHead(BaseModule):
    """BERT's MLM head on the text part of the cross-modal encoder.

    ``logits = LN(GELU(W h)) E_word^T + b``: the output matrix is the word
    embedding table of :class:`E2EVLPTextEmbedding` (tied, passed in at call
    time so the weight has a single owner); only the transform and the bias
    belong to this head. The loss is a cross-entropy over the positions
    whose ``mlm_labels`` is not ``-100``, averaged over them.

    Args:
        vocab_size (int): Vocabulary size (injected by the detector).
        embed_dims (int): Hidden size (injected by the detector).
        loss_mlm (:obj:`ConfigDict` or dict): Loss config; its
            ``loss_weight`` is the weight of ``L_mlm`` in Eq. 3.
        init_cfg (:obj:`ConfigDict` or dict, optional): Init config.
    """

    def __init__(self,
                 vocab_size: int,
                 embed_dims: int,
                 loss_mlm: ConfigType = dict(
                     type='CrossEntropyLoss', loss_weight=1.0),
                 init_cfg: ConfigType = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.dense = nn.Linear(embed_dims, embed_dims)
        self.norm = nn.LayerNorm(embed_dims, eps=1e-12)
        self.bias = nn.Parameter(torch.zeros(vocab_size))
        self.loss_mlm = MODELS.build(loss_mlm)

    def forward(self, text_feats: Tensor, word_embeddings: Tensor) -> Tensor:
        """Vocabulary logits.

        Args:
            text_feats (Tensor): Encoder outputs of text tokens, (..., d).
            word_embeddings (Tensor): Tied output matrix, (vocab_size, d).

        Returns:
            Tensor: Logits of shape (..., vocab_size).
        """
        x = self.norm(F.gelu(self.dense(text_feats)))
        return F.linear(x, word_embeddings, self.bias)

    def loss(self, text_feats: Tensor, word_embeddings: Tensor,
             batch_data_samples: SampleList) -> Dict[str, Tensor]:
        """MLM loss over masked positions only (in fp32 under autocast).

        Args:
            text_feats (Tensor): Encoder text outputs, (B, L, d), ``L`` the
                padded length of ``text_ids``.
            word_embeddings (Tensor): Tied output matrix, (vocab_size, d).
            batch_data_samples (list[:obj:`DetDataSample`]): With
                ``mlm_labels`` (L_i,), ``-100`` where nothing is predicted.

        Returns:
            dict[str, Tensor]: ``loss_mlm`` and the logged accuracy
            ``acc_mlm`` (percent, no gradient).
        """
        labels, _ = stack_text(batch_data_samples, 'mlm_labels', -100)
        labels = labels.to(text_feats.device)
        masked = labels != -100
        # [CLS] (never masked) joins with weight 0: every parameter stays
        # in the graph (DDP) when nothing is masked, without a branch on
        # the device's values
        chosen = masked.clone()
        chosen[0, 0] = True
        weight = masked[chosen].float()
        logits = self(text_feats[chosen], word_embeddings)
        targets = labels[chosen].clamp(min=0)
        loss = fp32(self.loss_mlm)(
            logits, targets, weight, avg_factor=weight.sum().clamp(min=1))
        with torch.no_grad():
            correct = (logits.argmax(-1) == targets).float() * weight
            acc = 100 * correct.sum() / weight.sum().clamp(min=1)
        return dict(loss_mlm=loss, acc_mlm=acc)

    def predict(self, text_feats: Tensor, word_embeddings: Tensor,
                batch_data_samples: SampleList) -> List[dict]:
        """Predicted tokens at the labelled positions.

        Args:
            text_feats (Tensor): Encoder text outputs, (B, L, d).
            word_embeddings (Tensor): Tied output matrix, (vocab_size, d).
            batch_data_samples (list[:obj:`DetDataSample`]): Samples; those
                with ``mlm_labels`` get predictions.

        Returns:
            list[dict]: Per sample ``pred_mlm_ids`` (L_i,), the argmax id
            where ``mlm_labels != -100`` and ``-100`` elsewhere (aligned
            with ``mlm_labels``), and ``pred_mlm_acc`` (float, accuracy over
            those positions, ``nan`` when there are none).
        """
        preds = self(text_feats, word_embeddings).argmax(-1)
        outs = []
        for pred, ds in zip(preds, batch_data_samples):
            if 'mlm_labels' not in ds:
                outs.append({})
                continue
            labels = ds.mlm_labels.to(pred.device)
            masked = labels != -100
            pred = pred[:len(labels)].masked_fill(~masked, -100)
            acc = ((pred == labels)[masked].float().mean().item()
                   if masked.any() else float('nan'))
            outs.append(dict(pred_mlm_ids=pred, pred_mlm_acc=acc))
        return outs
