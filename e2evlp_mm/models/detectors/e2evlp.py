# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""The E2E-VLP pre-training model (paper Sec. 3)."""
from typing import Dict, Optional, Tuple

import torch
from mmdet.registry import MODELS
from mmdet.structures import SampleList
from mmdet.utils import ConfigType, OptConfigType, OptMultiConfig
from torch import Tensor

from ..heads.e2evlp_itc_head import image_keys
from ..layers import sample_hard_texts
from ..predictions import add_caption_text, write_predictions
from ..utils import stack_labels, stack_text
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
        itc_head (:obj:`ConfigDict` or dict, optional): ``E2EVLPITCHead``:
            an image-text contrastive loss (``loss_itc``) between the
            image-only pass (the one captioning computes) and a text-only
            pass over each image's own caption (``caption_ids``). Not in
            the paper; defaults to None.
        itm_hard_negatives (bool): With ``itc_head``, add one in-batch hard
            negative per image to ITM (ALBEF's): the image paired with the
            encoder text of another matched sample, drawn by ITC
            similarity (:func:`~e2evlp_mm.models.layers.sample_hard_texts`),
            one more joint pass over B pairs. Not in the paper; defaults to
            False.
        grounding_head (:obj:`ConfigDict` or dict, optional):
            ``E2EVLPGroundingHead``: the box of a region description
            regressed from the caption decoder's and / or the joint
            encoder's text states (``loss_ground_*``). Not in the paper;
            defaults to None.
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
                 itc_head: OptConfigType = None,
                 itm_hard_negatives: bool = False,
                 grounding_head: OptConfigType = None,
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
        self.itc_head = self.build_head(itc_head, 'embed_dims')
        if itm_hard_negatives and (self.itc_head is None
                                   or self.itm_head is None):
            raise ValueError('itm_hard_negatives draws by ITC similarity '
                             'for ITM: it needs itc_head and itm_head.')
        self.itm_hard_negatives = itm_hard_negatives
        self.grounding_head = self.build_head(grounding_head, 'embed_dims')
        self._check_grounding()
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
            with ``loss_attr`` (and ``d{i}.`` copies), ``loss_cap`` and,
            with ``itc_head``, ``loss_itc``; with ``grounding_head``,
            ``loss_ground_{caption,encoder}_{bbox,iou}``.
        """
        img_feats = self.extract_feat(batch_inputs)
        losses = dict()
        with_text = self.mlm_head is not None or self.itm_head is not None
        if with_text and not all('text_ids' in ds
                                 for ds in batch_data_samples):
            raise ValueError('MLM and ITM need `text_ids` in every sample.')
        # the image-only encoding, computed once for every branch that
        # reads it: captioning, ITC and the detection rows drawn to read it
        rows = self._image_only_rows(batch_data_samples)
        image_memory = None
        if rows is not None or self.caption_head is not None \
                or self.itc_head is not None:
            image_memory = self.encode_image(img_feats, batch_data_samples)
        if self.with_bbox or with_text:
            head_in = self.forward_transformer(
                img_feats, batch_data_samples,
                image_only=None if rows is None else (image_memory, rows))
            if self.with_bbox:
                losses.update(
                    self.detection_loss(head_in['hidden_states'],
                                        batch_data_samples))
            if self.mlm_head is not None:
                losses.update(
                    self.mlm_head.loss(head_in['text_feats'],
                                       self.word_embeddings,
                                       batch_data_samples))
        itc = None
        if self.itc_head is not None:
            itc = self._itc_inputs(image_memory, batch_data_samples)
            losses.update(self.itc_head.loss(*itc))
        if self.itm_head is not None:
            negatives = None
            if self.itm_hard_negatives:
                negatives = self._hard_negative_cls(head_in['enc_in'],
                                                    batch_data_samples, *itc)
            losses.update(
                self.itm_head.loss(head_in['text_feats'][:, 0],
                                   batch_data_samples, negatives))
        if self.caption_head is not None:
            ids, pad_mask, states = self.caption_head.teacher_forced(
                self.caption_decode_fn(img_feats, batch_data_samples,
                                       image_memory), batch_data_samples)
            losses.update(
                self.caption_head.loss_by_feat(ids, pad_mask, states))
            if self._grounds('caption'):
                counted = ~pad_mask[:, :-1]
                counted[:, 0] = False  # [CLS] alone names nothing
                losses.update(
                    self.grounding_head.loss(states, counted,
                                             batch_data_samples, 'caption'))
        if self._grounds('encoder'):
            counted = ~head_in['enc_in']['text_mask']
            counted[:, 0] = False  # [CLS] is ITM's
            losses.update(
                self.grounding_head.loss(
                    head_in['text_feats'], counted,
                    batch_data_samples, 'encoder',
                    rows=stack_labels(batch_data_samples, 'itm_label',
                                      img_feats[0].device).bool()))
        return losses

    def _grounds(self, source: str) -> bool:
        return self.grounding_head is not None and \
            source in self.grounding_head.sources

    def _check_grounding(self) -> None:
        """Each grounded source needs the branch that computes it."""
        if self._grounds('caption') and self.caption_head is None:
            raise ValueError('grounding the caption states needs '
                             'caption_head.')
        if self._grounds('encoder') and self.itm_head is None:
            raise ValueError('grounding the encoder text states needs '
                             'itm_head (its matched pairs are grounded).')

    def _image_only_rows(self,
                         batch_data_samples: SampleList) -> Optional[Tensor]:
        """The rows (bool (B,), on the CPU) whose detection reads the
        image-only encoding (``det_image_only_prob``), or None when no row
        is drawn."""
        if not (self.training and self.with_bbox
                and self.det_image_only_prob > 0 and all(
                    'text_ids' in ds for ds in batch_data_samples)):
            return None
        # drawn on the CPU: testing them needs no device sync
        rows = torch.rand(len(batch_data_samples)) < self.det_image_only_prob
        return rows if bool(rows.any()) else None

    def _itc_inputs(self, image_memory: Dict,
                    batch_data_samples: SampleList
                    ) -> Tuple[Tensor, Tensor, Tensor]:
        """What ITC compares: each image-only encoding and its own caption.

        Args:
            image_memory (dict): :meth:`encode_image` of the batch.
            batch_data_samples (list[:obj:`DetDataSample`]): With
                ``caption_ids`` (the image's own text, unmasked, whatever
                text ITM showed the encoder) and metainfo ``img_path`` or
                ``img_id`` (samples of one image are all positives).

        Returns:
            tuple[Tensor, Tensor, Tensor]: Pooled image-only outputs
            (B, d), text-only ``[CLS]`` of the captions (B, d) and the
            image of each sample (B,).
        """
        if not all('caption_ids' in ds for ds in batch_data_samples):
            raise ValueError('ITC needs `caption_ids` (E2EVLPTokenize of '
                             "each image's own caption) in every sample.")
        ids, mask = stack_text(batch_data_samples, 'caption_ids',
                               self.text_embedding.pad_id)
        device = image_memory['memory'].device
        text_cls = self.text_only_cls(ids.to(device), mask.to(device))
        keys = image_keys([
            ds.metainfo.get('img_path', ds.metainfo.get('img_id'))
            for ds in batch_data_samples
        ])
        return self.pool_memory(image_memory), text_cls, keys

    def _hard_negative_cls(self, enc_in: Dict,
                           batch_data_samples: SampleList,
                           image_pooled: Tensor, text_cls: Tensor,
                           keys: Tensor) -> Tensor:
        """``h_CLS`` of each image paired with a similar text of another
        image (the ITM hard negatives).

        Only the encoder texts of matched samples are drawn (their text is
        their image's caption, so similarity is known), and they are used
        as the encoder saw them, MLM masks included: a negative is then
        masked exactly as a positive is and ``[MASK]`` tells nothing.

        Args:
            enc_in (dict): The batch's encoder inputs
                (:meth:`pre_transformer`, as ``forward_transformer``
                returns them): ``feat`` / ``feat_mask`` / ``feat_pos``
                (B, HW, ...) and ``text_ids`` / ``text_mask`` (B, L).
            batch_data_samples (list[:obj:`DetDataSample`]): With
                ``text_ids`` and ``itm_label``.
            image_pooled, text_cls, keys (Tensor): :meth:`_itc_inputs`.

        Returns:
            Tensor: (N, d), N <= B (images with no text to draw are left
            out).
        """
        with torch.no_grad():
            sim = self.itc_head.embed_images(image_pooled) @ \
                self.itc_head.embed_texts(text_cls).t()
            matched = stack_labels(batch_data_samples, 'itm_label',
                                   sim.device).bool()
            pick = sample_hard_texts(sim, keys, matched,
                                     self.itc_head.loss_itc.temperature)
            rows = (pick >= 0).nonzero()[:, 0]
        return self.forward_encoder(
            enc_in['feat'][rows], enc_in['feat_mask'][rows],
            enc_in['feat_pos'][rows], enc_in['text_ids'][pick[rows]],
            enc_in['text_mask'][pick[rows]])['memory'][:, 0]

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

