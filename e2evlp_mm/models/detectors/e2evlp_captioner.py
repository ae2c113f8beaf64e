# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Image captioning fine-tuning of E2E-VLP (paper Sec. 5.1, Table 1)."""
from typing import Dict

from mmdet.registry import MODELS
from mmdet.structures import SampleList
from mmdet.utils import ConfigType
from torch import Tensor

from ..predictions import add_caption_text, write_predictions
from ..utils import stack_text
from .e2evlp_base import CAPTION_HEAD_ARGS, E2EVLPBase


@MODELS.register_module()
class E2EVLPCaptioner(E2EVLPBase):
    """Image-to-text generation with the encoder-decoder of E2E-VLP.

    .. code:: text

        image -> backbone -> encoder (image-only pass) -> memory
        [CLS] w1 .. wt -> decoder (shared layers, causal) -> caption_head
                                                          -> w2 .. [SEP]

    Training is teacher-forced token cross-entropy of ``caption_ids`` (the
    paper uses label smoothing: give ``caption_head.loss_cap`` an
    ``mmpretrain.LabelSmoothLoss``); prediction is the caption head's
    search (beam 4 with GNMT length penalty alpha = 0.9 in the paper's
    configs). Everything is the trunk's :meth:`caption_decode_fn` and
    :class:`E2EVLPCaptionHead`; this class only fixes the task: no
    detection queries, no box head, no encoder heads, so every parameter
    receives a gradient.

    Args:
        decoder (:obj:`ConfigDict` or dict): The shared decoder (as
            pre-trained), ``DetrTransformerDecoder`` kwargs.
        caption_head (:obj:`ConfigDict` or dict): ``E2EVLPCaptionHead``
            (``loss_cap``, ``max_length``, ``beam_size``,
            ``length_penalty``).
        **kwargs: The other trunk arguments of :class:`E2EVLPBase`
            (``backbone``, ``neck``, ``encoder``, ``positional_encoding``,
            ``text_cfg``, ``num_queries``, ``train_cfg``, ``test_cfg`` (not
            read: the search settings live in ``caption_head``),
            ``data_preprocessor``, ``init_cfg``); no ``bbox_head``.
    """

    def __init__(self, decoder: ConfigType, caption_head: ConfigType,
                 **kwargs) -> None:
        super().__init__(decoder=decoder, bbox_head=None, **kwargs)
        self.caption_head = self.build_head(caption_head, *CAPTION_HEAD_ARGS)

    def loss(self, batch_inputs: Tensor,
             batch_data_samples: SampleList) -> Dict[str, Tensor]:
        """Teacher-forced captioning loss.

        Args:
            batch_inputs (Tensor): Images, (B, 3, H, W).
            batch_data_samples (list[:obj:`DetDataSample`]): With
                ``caption_ids`` (Lc_i,) = ``[CLS] caption [SEP]``.

        Returns:
            dict[str, Tensor]: ``loss_cap``.
        """
        decode = self.caption_decode_fn(
            self.extract_feat(batch_inputs), batch_data_samples)
        return self.caption_head.loss(decode, batch_data_samples)

    def predict(self,
                batch_inputs: Tensor,
                batch_data_samples: SampleList,
                rescale: bool = True) -> SampleList:
        """Generate one caption per image.

        Args:
            batch_inputs (Tensor): Images, (B, 3, H, W).
            batch_data_samples (list[:obj:`DetDataSample`]): Samples (their
                text fields, if any, are ignored).
            rescale (bool): Unused (no boxes).

        Returns:
            list[:obj:`DetDataSample`]: With ``pred_caption_ids`` (n,)
            without ``[CLS]`` / ``[SEP]``, ``pred_caption_score`` (float)
            and, given a tokenizer, ``pred_caption`` (str).
        """
        decode = self.caption_decode_fn(
            self.extract_feat(batch_inputs), batch_data_samples)
        preds = self.caption_head.predict(decode, batch_data_samples)
        add_caption_text(preds, self.tokenizer)
        return write_predictions(batch_data_samples, preds)

    def _forward(self,
                 batch_inputs: Tensor,
                 batch_data_samples: SampleList = None) -> Tensor:
        """Tensor mode: teacher-forced vocabulary logits.

        Returns:
            Tensor: (B, Lc - 1, vocab_size) for inputs ``caption_ids[:-1]``.
        """
        ids, _ = stack_text(batch_data_samples, 'caption_ids',
                            self.text_embedding.pad_id)
        decode = self.caption_decode_fn(
            self.extract_feat(batch_inputs), batch_data_samples)
        return self.caption_head(decode(ids[:, :-1].to(batch_inputs.device)))
