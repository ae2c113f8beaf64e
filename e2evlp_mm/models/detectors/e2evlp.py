# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""The E2E-VLP pre-training model (paper Sec. 3)."""
from typing import Dict, Optional, Tuple

import torch
from mmdet.registry import MODELS
from mmdet.structures import SampleList
from mmdet.utils import ConfigType, OptConfigType, OptMultiConfig
from torch import Tensor

from ..predictions import add_caption_text, write_predictions
from .e2evlp_base import CAPTION_HEAD_ARGS, E2EVLPBase


@MODELS.register_module()
class E2EVLP(E2EVLPBase):
    """E2E-VLP pre-training: ``L = L_mlm + L_itm + L_v + L_dec`` (Eq. 3).

    MLM, ITM and detection (:class:`E2EVLPHead`, with attributes) share one
    encoder pass over ``[CLS] text [SEP]`` and the image; the captioning
    decoder (the same decoder layers as detection) cross-attends to a
    second, image-only pass so the target caption never reaches the
    encoder. Each task is switched off by setting its head to None; each
    term is weighted by the ``loss_weight`` of its head's loss config.

    Args:
        mlm_head (:obj:`ConfigDict` or dict, optional): ``E2EVLPMLMHead``.
        itm_head (:obj:`ConfigDict` or dict, optional): ``E2EVLPITMHead``.
        caption_head (:obj:`ConfigDict` or dict, optional):
            ``E2EVLPCaptionHead``.
        det_image_only_prob (float): In training, the chance that an
            image's detection queries read its image-only encoding (the
            one captioning computes) instead of the joint one, so that the
            detector also works on an image without text
            (:func:`~e2evlp_mm.models.layers.with_image_only_rows`).
            Defaults to 0.0: the paper's joint encoding only.
        test_cfg (:obj:`ConfigDict` or dict, optional): ``max_per_img``
            (detection), ``with_mlm`` / ``with_itm`` (default True) and
            ``with_caption`` (default False: generation is slow).
        **kwargs: The trunk arguments of :class:`E2EVLPBase` (``backbone``,
            ``neck``, ``encoder``, ``decoder``, ``positional_encoding``,
            ``text_cfg``, ``bbox_head``, ``num_queries``, ``train_cfg``,
            ``data_preprocessor``, ``init_cfg``). The decoder is only built
            when detection or captioning is on.
    """

    def __init__(self,
                 decoder: ConfigType,
                 bbox_head: OptConfigType = None,
                 mlm_head: OptConfigType = None,
                 itm_head: OptConfigType = None,
                 caption_head: OptConfigType = None,
                 det_image_only_prob: float = 0.0,
                 test_cfg: OptConfigType = None,
                 init_cfg: OptMultiConfig = None,
                 **kwargs) -> None:
        if not 0.0 <= det_image_only_prob <= 1.0:
            raise ValueError('det_image_only_prob must be in [0, 1], got '
                             f'{det_image_only_prob}')
        if bbox_head is None and caption_head is None:
            decoder = None  # no unused weights (DDP)
        super().__init__(
            decoder=decoder,
            bbox_head=bbox_head,
            test_cfg=test_cfg,
            init_cfg=init_cfg,
            **kwargs)
        self.mlm_head = self.build_head(mlm_head, 'embed_dims', 'vocab_size')
        self.itm_head = self.build_head(itm_head, 'embed_dims')
        self.caption_head = self.build_head(caption_head, *CAPTION_HEAD_ARGS)
        self.det_image_only_prob = det_image_only_prob

    def loss(self, batch_inputs: Tensor,
             batch_data_samples: SampleList) -> Dict[str, Tensor]:
        """Joint loss terms of Eq. 3 (each weighted in its head's config).

        Args:
            batch_inputs (Tensor): Images, (B, 3, H, W).
            batch_data_samples (list[:obj:`DetDataSample`]): See
                ``docs/data_contract.md``.

        Returns:
            dict[str, Tensor]: ``loss_mlm``, ``loss_itm``, DETR's losses
            with ``loss_attr`` (and ``d{i}.`` copies), ``loss_cap``.
        """
        img_feats = self.extract_feat(batch_inputs)
        losses = dict()
        with_text = self.mlm_head is not None or self.itm_head is not None
        if with_text and not all('text_ids' in ds
                                 for ds in batch_data_samples):
            raise ValueError('MLM and ITM need `text_ids` in every sample.')
        # (image-only encoding, rows) when some detection rows read it;
        # captioning then reuses that encoding
        image_only = self._image_only_rows(img_feats, batch_data_samples)
        if self.with_bbox or with_text:
            head_in = self.forward_transformer(img_feats, batch_data_samples,
                                               image_only=image_only)
            if self.with_bbox:
                losses.update(
                    self.detection_loss(head_in['hidden_states'],
                                        batch_data_samples))
            if self.mlm_head is not None:
                losses.update(
                    self.mlm_head.loss(head_in['text_feats'],
                                       self.word_embeddings,
                                       batch_data_samples))
            if self.itm_head is not None:
                losses.update(
                    self.itm_head.loss(head_in['text_feats'][:, 0],
                                       batch_data_samples))
        if self.caption_head is not None:
            losses.update(
                self.caption_head.loss(
                    self.caption_decode_fn(
                        img_feats, batch_data_samples,
                        image_only[0] if image_only is not None else None),
                    batch_data_samples))
        return losses

    def _image_only_rows(self, img_feats: Tuple[Tensor],
                         batch_data_samples: SampleList
                         ) -> Optional[Tuple[Dict, Tensor]]:
        """The image-only encoding and the rows whose detection reads it
        (``det_image_only_prob``), or None when no row is drawn."""
        if not (self.training and self.with_bbox
                and self.det_image_only_prob > 0 and all(
                    'text_ids' in ds for ds in batch_data_samples)):
            return None
        # drawn on the CPU: testing them needs no device sync
        rows = torch.rand(len(batch_data_samples)) < self.det_image_only_prob
        if not bool(rows.any()):
            return None
        return self.encode_image(img_feats, batch_data_samples), rows

    def predict(self,
                batch_inputs: Tensor,
                batch_data_samples: SampleList,
                rescale: bool = True) -> SampleList:
        """Detections, and the encoder / caption predictions that
        ``test_cfg`` asks for.

        Returns:
            list[:obj:`DetDataSample`]: ``pred_instances`` (``bboxes``,
            ``scores``, ``labels``, ``attr_scores``, ``attr_labels``);
            with text: ``pred_mlm_ids``, ``pred_mlm_acc``,
            ``pred_itm_score``; with ``with_caption``: ``pred_caption_ids``,
            ``pred_caption_score`` and, given a tokenizer, ``pred_caption``.
        """
        img_feats = self.extract_feat(batch_inputs)
        cfg = self.test_cfg
        outs = []
        with_text = all('text_ids' in ds for ds in batch_data_samples)
        if self.with_bbox or with_text:
            head_in = self.forward_transformer(img_feats, batch_data_samples)
        if self.with_bbox:
            results = self.bbox_head.predict(
                head_in['hidden_states'], batch_data_samples, rescale=rescale)
            self.add_pred_to_datasample(batch_data_samples, results)
        if with_text:
            text_feats = head_in['text_feats']
            if self.mlm_head is not None and cfg.get('with_mlm', True):
                outs.append(
                    self.mlm_head.predict(text_feats, self.word_embeddings,
                                          batch_data_samples))
            if self.itm_head is not None and cfg.get('with_itm', True):
                outs.append(
                    self.itm_head.predict(text_feats[:, 0],
                                          batch_data_samples))
        if self.caption_head is not None and cfg.get('with_caption', False):
            preds = self.caption_head.predict(
                self.caption_decode_fn(img_feats, batch_data_samples),
                batch_data_samples)
            add_caption_text(preds, self.tokenizer)
            outs.append(preds)
        return write_predictions(batch_data_samples, *outs)

