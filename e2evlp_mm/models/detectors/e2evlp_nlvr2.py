# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""E2E-VLP fine-tuned for NLVR2 (paper Sec. 5.1)."""
from mmdet.registry import MODELS
from mmdet.structures import DetDataSample, SampleList
from mmdet.utils import ConfigType
from torch import Tensor

from .e2evlp_encoder_task import E2EVLPEncoderTask


@MODELS.register_module()
class E2EVLPNLVR2(E2EVLPEncoderTask):
    """NLVR2: one joint pass per image, the two ``[CLS]`` classified.

    .. code:: text

        (left_i, right_i) -> E2EVLPNLVR2DataPreprocessor -> 2B images
            left0, right0, left1, right1, ...
        [CLS] statement_i [SEP] with each image -> trunk encoder
            -> h_CLS (2B, d) -> view (B, 2d) = [left, right]
            -> nlvr2_head -> logits (B, 2)

    Needs ``E2EVLPNLVR2DataPreprocessor`` (the B samples keep list-valued
    ``img_shape``; :meth:`image_samples` makes the 2B per-image views the
    trunk's masks are computed from). Encoder only, like
    :class:`E2EVLPVQA`; parameter names are those of :class:`E2EVLP`, so
    ``load_from`` a pre-training checkpoint restores the trunk. The images
    are (2B, 3, H, W), interleaved; training gives ``loss_nlvr`` and the
    logged ``acc_nlvr``, prediction ``pred_nlvr_label`` and
    ``pred_nlvr_score`` (see :class:`E2EVLPEncoderTask`).

    Args:
        nlvr2_head (:obj:`ConfigDict` or dict): ``E2EVLPNLVR2Head``.
        **kwargs: The trunk arguments of :class:`E2EVLPBase` (``backbone``,
            ``neck``, ``encoder``, ``positional_encoding``, ``text_cfg``,
            ``train_cfg``, ``test_cfg``, ``data_preprocessor``,
            ``init_cfg``), no ``decoder`` or ``bbox_head``.
    """
    head_name = 'nlvr2_head'

    def __init__(self, nlvr2_head: ConfigType, **kwargs) -> None:
        super().__init__(**kwargs)
        self.nlvr2_head = self.build_head(nlvr2_head, 'embed_dims')

    @staticmethod
    def image_samples(batch_data_samples: SampleList) -> SampleList:
        """One view per image: its ``img_shape`` and the statement.

        Args:
            batch_data_samples (list[:obj:`DetDataSample`]): B samples with
                ``img_shape`` a list of two ``(h, w)``,
                ``batch_input_shape`` and ``text_ids``.

        Returns:
            list[:obj:`DetDataSample`]: 2B views, interleaved like the
            preprocessed images (``left0, right0, left1, ...``).
        """
        views = []
        for i, ds in enumerate(batch_data_samples):
            if 'text_ids' not in ds:
                raise ValueError(f'sample {i}: NLVR2 needs `text_ids` (the '
                                 'statement): add E2EVLPTokenize.')
            if 'batch_input_shape' not in ds or len(ds.img_shape) != 2:
                raise ValueError(
                    f'sample {i}: expected an image pair batched by '
                    'E2EVLPNLVR2DataPreprocessor (two img_shapes and a '
                    'batch_input_shape).')
            for img_shape in ds.img_shape:
                view = DetDataSample(metainfo=dict(
                    img_shape=tuple(img_shape),
                    batch_input_shape=ds.batch_input_shape))
                view.text_ids = ds.text_ids
                views.append(view)
        return views

    def head_input(self, batch_inputs: Tensor,
                   batch_data_samples: SampleList) -> Tensor:
        """The two ``h_CLS`` of each example, concatenated.

        Args:
            batch_inputs (Tensor): Images (2B, 3, H, W), interleaved.
            batch_data_samples (list[:obj:`DetDataSample`]): B samples.

        Returns:
            Tensor: ``[h_CLS(left), h_CLS(right)]``, shape (B, 2d).
        """
        num = len(batch_data_samples)
        if batch_inputs.size(0) != 2 * num:
            raise ValueError(f'{num} samples need {2 * num} images (a pair '
                             f'each), got {batch_inputs.size(0)}.')
        head_in = self.forward_transformer(
            self.extract_feat(batch_inputs),
            self.image_samples(batch_data_samples))
        return head_in['text_feats'][:, 0].reshape(num, -1)
