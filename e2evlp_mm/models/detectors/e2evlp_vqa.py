# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""E2E-VLP fine-tuned for VQA (paper Sec. 5.1)."""
from mmdet.registry import MODELS
from mmdet.structures import SampleList
from mmdet.utils import ConfigType
from torch import Tensor

from .e2evlp_encoder_task import E2EVLPEncoderTask


@MODELS.register_module()
class E2EVLPVQA(E2EVLPEncoderTask):
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
    ``vqa_head`` as missing. Training gives ``loss_vqa`` and the logged
    ``acc_vqa``; prediction ``pred_answer``, ``pred_answer_index`` and
    ``pred_answer_score`` (see :class:`E2EVLPEncoderTask`).

    Args:
        vqa_head (:obj:`ConfigDict` or dict): ``E2EVLPVQAHead`` (with the
            ``answer_list_path`` that names the answers).
        **kwargs: The trunk arguments of :class:`E2EVLPBase` (``backbone``,
            ``neck``, ``encoder``, ``positional_encoding``, ``text_cfg``,
            ``train_cfg``, ``test_cfg``, ``data_preprocessor``,
            ``init_cfg``), no ``decoder`` or ``bbox_head``.
    """
    head_name = 'vqa_head'

    def __init__(self, vqa_head: ConfigType, **kwargs) -> None:
        super().__init__(**kwargs)
        self.vqa_head = self.build_head(vqa_head, 'embed_dims')

    def head_input(self, batch_inputs: Tensor,
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
