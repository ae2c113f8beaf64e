# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""VQA answer classifier (paper Sec. 5.1)."""
from typing import Dict, List

import mmengine
import torch
from mmdet.registry import MODELS
from mmdet.structures import SampleList
from mmdet.utils import ConfigType, OptMultiConfig
from mmengine.model import BaseModule
from torch import Tensor, nn

from ...datasets.validation import E2EVLPDataError
from ..precision import fp32


@MODELS.register_module()
class E2EVLPVQAHead(BaseModule):
    """Multi-label answer classifier on ``h_CLS`` of the joint encoder.

    VQA is classification over a fixed answer vocabulary (3129 answers for
    VQA v2, following Anderson et al. 2018), trained with binary
    cross-entropy against the soft VQA scores (paper Sec. 5.1). The
    classifier is UNITER's / LXMERT's two-layer MLP:

    .. code:: text

        h_CLS (d) -> Linear(d, 2d) -> GELU -> LayerNorm -> Linear(2d, A)

    The loss is the element-wise BCE summed over the ``A`` answers and
    averaged over the questions, i.e. the mean BCE times ``A``, as UNITER,
    LXMERT and VinVL compute it (a plain mean over ``B x A`` makes the
    gradient ~3000x smaller). Answers are read from ``answer_list_path``,
    the same file :class:`E2EVLPVQATarget` scores against, so the vocabulary
    has one source.

    Args:
        embed_dims (int): Hidden size ``d`` (injected by the detector).
        answer_list_path (str): JSON list of the answer vocabulary
            (``answer_list.json``); its length is the number of classes.
        loss_vqa (:obj:`ConfigDict` or dict): A sigmoid loss taking soft
            float targets of the logits' shape; its ``loss_weight`` scales
            ``loss_vqa``. Defaults to mmdet's sigmoid ``CrossEntropyLoss``.
        topk (int): How many ranked answers :meth:`predict` also returns
            (``pred_answer_topk``). Defaults to 5.
        init_cfg (:obj:`ConfigDict` or dict, optional): Init config.
    """
    # parameters with one row per answer (remapped by name when fine-tuning
    # onto a new answer list, see engine/vocabularies.py)
    vocabulary_params = dict(
        answers=('classifier.3.weight', 'classifier.3.bias'))

    def __init__(self,
                 embed_dims: int,
                 answer_list_path: str,
                 loss_vqa: ConfigType = dict(
                     type='CrossEntropyLoss',
                     use_sigmoid=True,
                     loss_weight=1.0),
                 topk: int = 5,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.answer_list_path = answer_list_path
        self.topk = topk
        self.answer_list = [str(a) for a in mmengine.load(answer_list_path)]
        self.num_answers = len(self.answer_list)
        self.classifier = nn.Sequential(
            nn.Linear(embed_dims, 2 * embed_dims), nn.GELU(),
            nn.LayerNorm(2 * embed_dims, eps=1e-12),
            nn.Linear(2 * embed_dims, self.num_answers))
        self.loss_vqa = MODELS.build(loss_vqa)

    def _load_from_state_dict(self, state_dict: dict, prefix: str,
                              *args, **kwargs) -> None:
        """Refuse a checkpoint whose answer classifier has another size.

        mmengine loads checkpoints non-strictly and only warns on a shape
        mismatch, which would leave the classifier random and every
        answer wrong; a checkpoint trained on another answer list is a
        data error, named with both numbers.
        """
        key = f'{prefix}classifier.3.weight'
        if key in state_dict and state_dict[key].shape[0] != \
                self.num_answers:
            raise E2EVLPDataError(
                f"The checkpoint's VQA head scores "
                f'{state_dict[key].shape[0]} answers ({key}), but '
                f'answer_list_path {self.answer_list_path!r} lists '
                f'{self.num_answers}: use the answer_list.json the '
                'checkpoint was trained with (its meta["vocabularies"] '
                'holds it), or fine-tune onto this list on purpose with '
                'new_vocabularies=["answers"]')
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    def forward(self, cls_feats: Tensor) -> Tensor:
        """Answer logits.

        Args:
            cls_feats (Tensor): ``[CLS]`` outputs, shape (B, d).

        Returns:
            Tensor: Logits (B, A), one independent sigmoid per answer.
        """
        return self.classifier(cls_feats)

    def loss(self, cls_feats: Tensor,
             batch_data_samples: SampleList) -> Dict[str, Tensor]:
        """BCE against the soft scores, times the number of answers (fp32
        under autocast).

        Args:
            cls_feats (Tensor): ``[CLS]`` outputs, shape (B, d).
            batch_data_samples (list[:obj:`DetDataSample`]): With
                ``answer_scores`` (FloatTensor (A,), written by
                :class:`E2EVLPVQATarget`).

        Returns:
            dict[str, Tensor]: ``loss_vqa`` and the logged ``acc_vqa``: the
            mean soft score of the top answer, in percent (the training
            accuracy of UNITER / LXMERT).
        """
        scores = torch.stack([
            torch.as_tensor(ds.answer_scores, dtype=torch.float32)
            for ds in batch_data_samples
        ]).to(cls_feats.device)
        if scores.size(1) != self.num_answers:
            raise ValueError(
                f'answer_scores has {scores.size(1)} answers, the head '
                f'{self.num_answers}: are both reading the same '
                'answer_list_path?')
        logits = self(cls_feats)
        loss = fp32(self.loss_vqa)(logits, scores) * self.num_answers
        top = logits.argmax(-1, keepdim=True)
        acc = 100 * scores.gather(1, top).mean().detach()
        return dict(loss_vqa=loss, acc_vqa=acc)

    def predict(self, cls_feats: Tensor,
                batch_data_samples: SampleList) -> List[dict]:
        """The most probable answer of each question.

        Args:
            cls_feats (Tensor): ``[CLS]`` outputs, shape (B, d).
            batch_data_samples (list[:obj:`DetDataSample`]): Samples.

        Returns:
            list[dict]: Per sample ``pred_answer`` (str),
            ``pred_answer_index`` (int, into the answer list),
            ``pred_answer_score`` (float, its sigmoid probability) and
            ``pred_answer_topk``: the ``topk`` most probable answers as
            ``(answer, probability)`` pairs, best first.
        """
        probs = self(cls_feats).sigmoid()
        top_scores, top_index = probs.topk(min(self.topk, self.num_answers),
                                           -1)
        preds = []
        for scores, index in zip(top_scores.tolist(), top_index.tolist()):
            ranked = [(self.answer_list[i], s) for i, s in zip(index, scores)]
            preds.append(
                dict(pred_answer=ranked[0][0],
                     pred_answer_index=index[0],
                     pred_answer_score=scores[0],
                     pred_answer_topk=ranked))
        return preds
