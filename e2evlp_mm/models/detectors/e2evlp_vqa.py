# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""E2E-VLP fine-tuned for VQA (paper Sec. 5.1)."""
from typing import Dict

from mmdet.registry import MODELS
from mmdet.structures import OptSampleList, SampleList
from mmdet.utils import ConfigType
from torch import Tensor

from ..predictions import write_predictions
from .e2evlp_base import E2EVLPBase


@MODELS.register_module()
class E2EVLPVQA(E2EVLPBase):
    """VQA as answer classification on the joint encoder's ``[CLS]``.

    .. code:: text

        image + [CLS] question [SEP] -> trunk encoder (joint pass)
            -> h_CLS (B, d) -> vqa_head -> answer logits (B, A)

    Only the encoder is used (the paper fine-tunes understanding tasks with
    the encoder module, Sec. 1), so the trunk is built without the decoder
    and the detection queries. Its parameter names are those of
    :class:`E2EVLP`: ``load_from`` a pre-training checkpoint restores the
    backbone, projection, text embedding and encoder; the pre-training
    heads and decoder in the checkpoint are reported as unexpected keys and
    ``vqa_head`` as missing.

    Args:
        vqa_head (:obj:`ConfigDict` or dict): ``E2EVLPVQAHead`` (with the
            ``answer_list_path`` that names the answers).
        **kwargs: The trunk arguments of :class:`E2EVLPBase` (``backbone``,
            ``neck``, ``encoder``, ``positional_encoding``, ``text_cfg``,
            ``train_cfg``, ``test_cfg``, ``data_preprocessor``,
            ``init_cfg``).
            Pre-training parts a config passes must be None
            (:meth:`E2EVLPBase.drop_unused`).
    """

    def __init__(self, vqa_head: ConfigType, **kwargs) -> None:
        super().__init__(**self.drop_unused(kwargs))
        self.vqa_head = self.build_head(vqa_head, 'embed_dims')

    def extract_cls(self, batch_inputs: Tensor,
                    batch_data_samples: SampleList) -> Tensor:
        """``h_CLS`` of the joint pass over question and image.

        Args:
            batch_inputs (Tensor): Images, (B, 3, H, W).
            batch_data_samples (list[:obj:`DetDataSample`]): With
                ``text_ids`` (the tokenized question).

        Returns:
            Tensor: Last encoder layer at ``[CLS]``, (B, d).
        """
        if not all('text_ids' in ds for ds in batch_data_samples):
            raise ValueError('VQA needs `text_ids` (the question) in every '
                             'sample: add E2EVLPTokenize to the pipeline.')
        head_in = self.forward_transformer(
            self.extract_feat(batch_inputs), batch_data_samples)
        return head_in['text_feats'][:, 0]

    def loss(self, batch_inputs: Tensor,
             batch_data_samples: SampleList) -> Dict[str, Tensor]:
        """The VQA loss.

        Args:
            batch_inputs (Tensor): Images, (B, 3, H, W).
            batch_data_samples (list[:obj:`DetDataSample`]): With
                ``text_ids`` and ``answer_scores`` (see
                ``docs/data_contract.md``).

        Returns:
            dict[str, Tensor]: ``loss_vqa`` and the logged ``acc_vqa``.
        """
        return self.vqa_head.loss(
            self.extract_cls(batch_inputs, batch_data_samples),
            batch_data_samples)

    def predict(self,
                batch_inputs: Tensor,
                batch_data_samples: SampleList,
                rescale: bool = True) -> SampleList:
        """Answer each question.

        Args:
            batch_inputs (Tensor): Images, (B, 3, H, W).
            batch_data_samples (list[:obj:`DetDataSample`]): With
                ``text_ids``.
            rescale (bool): Unused (no boxes).

        Returns:
            list[:obj:`DetDataSample`]: The samples with ``pred_answer``,
            ``pred_answer_index`` and ``pred_answer_score``.
        """
        return write_predictions(
            batch_data_samples,
            self.vqa_head.predict(
                self.extract_cls(batch_inputs, batch_data_samples),
                batch_data_samples))

    def _forward(self,
                 batch_inputs: Tensor,
                 batch_data_samples: OptSampleList = None) -> Tensor:
        """Tensor mode: answer logits (B, A)."""
        return self.vqa_head(
            self.extract_cls(batch_inputs, batch_data_samples))
