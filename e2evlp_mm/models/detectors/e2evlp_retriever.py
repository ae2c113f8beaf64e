# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Image-text retrieval fine-tuning of E2E-VLP (paper Sec. 5.1, Table 2)."""
from functools import partial
from typing import Dict, List, Optional, Tuple

import torch
from mmdet.registry import MODELS
from mmdet.structures import SampleList
from mmdet.utils import ConfigType
from torch import Tensor
from torch.nn.utils.rnn import pad_sequence

from ..predictions import write_predictions
from .e2evlp_base import E2EVLPBase


@MODELS.register_module()
class E2EVLPRetriever(E2EVLPBase):
    """Cross-encoder image-text retrieval with the E2E-VLP encoder.

    .. code:: text

        image -> backbone -> image tokens --+--> encoder (joint pass with
        [CLS] text [SEP] -> text embedding -+    [CLS] text [SEP]) -> h_CLS
                                                 -> retrieval_head.fc -> s
        pre-filter (optional, ``retrieval_head.itc_dims``):
        image tokens -> encoder (image-only) -> masked mean -> image_proj
        text embedding -> encoder (text-only) -> h_CLS -> text_proj

    Training (one positive image-text pair per sample) is one
    ``retrieval_head.loss`` call: the head pairs every image with ``k``
    texts of other images in the batch and every text with ``k`` other
    images and has this model encode all ``B (1 + 2k)`` pairs
    (:meth:`pair_cls`; the backbone runs once per image) for the circle
    loss (``loss_retrieval``); with the pre-filter branch it adds an
    in-batch contrastive loss on the single-modality passes
    (:meth:`single_modality`, ``loss_itc``).
    Ranking a whole split is :meth:`score_all`, driven by
    ``E2EVLPRetrievalTestLoop``. No decoder, no queries, no other heads.

    Args:
        retrieval_head (:obj:`ConfigDict` or dict): ``E2EVLPRetrievalHead``.
        **kwargs: The trunk arguments of :class:`E2EVLPBase` (``backbone``,
            ``neck``, ``encoder``, ``positional_encoding``, ``text_cfg``,
            ``train_cfg``, ``test_cfg`` (``text_batch_size``: pairs per
            joint pass in :meth:`score_all`, default 256;
            ``prefilter_topk``: joint passes per query of
            ``E2EVLPInferencer.search``),
            ``data_preprocessor``, ``init_cfg``); no ``decoder`` or
            ``bbox_head``: the encoder alone ranks.
    """

    def __init__(self, retrieval_head: ConfigType, **kwargs) -> None:
        super().__init__(decoder=None, bbox_head=None, **kwargs)
        self.retrieval_head = self.build_head(retrieval_head, 'embed_dims')

    def _load_from_state_dict(self, state_dict: dict, prefix: str,
                              *args, **kwargs) -> None:
        """Start the retrieval head from a pre-training checkpoint's ITM
        and ITC heads when the checkpoint has no retrieval head.

        The matching logit is ITM's "matched" minus "mismatched" logit, so
        ``sigmoid(fc(h_CLS))`` is ITM's probability of a match before any
        fine-tuning; ``itc_head.*`` fills the pre-filter (``itc.*``) when
        the sizes agree. A retrieval checkpoint loads as it is.
        """
        head = f'{prefix}retrieval_head.'
        if not any(k.startswith(head) for k in state_dict):
            state_dict.update(self._retrieval_head_from(state_dict, prefix))
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    def _retrieval_head_from(self, state_dict: dict,
                             prefix: str) -> Dict[str, Tensor]:
        """``retrieval_head.*`` entries made of the pre-training heads of
        ``state_dict`` (none where it has none, or of other sizes)."""
        out = {}
        itm = f'{prefix}itm_head.fc.'
        if f'{itm}weight' in state_dict:
            weight, bias = state_dict[f'{itm}weight'], state_dict[f'{itm}bias']
            out['fc.weight'] = (weight[1] - weight[0])[None]
            out['fc.bias'] = (bias[1] - bias[0])[None]
        if self.retrieval_head.with_itc:
            own = self.retrieval_head.itc.state_dict()
            itc = {name: state_dict.get(f'{prefix}itc_head.{name}')
                   for name in own}
            if all(v is not None and v.shape == own[name].shape
                   for name, v in itc.items()):
                out.update({f'itc.{name}': v for name, v in itc.items()})
        return {f'{prefix}retrieval_head.{k}': v for k, v in out.items()}

    def joint_cls(self, feat: Tensor, feat_mask: Tensor, feat_pos: Tensor,
                  text_ids: Tensor, text_mask: Tensor) -> Tensor:
        """``h_CLS`` of the joint pass over image-text pairs.

        Args:
            feat, feat_mask, feat_pos (Tensor): Image tokens (N, HW, d),
                padding mask (N, HW), positions (N, HW, d).
            text_ids, text_mask (Tensor): Texts (N, L) and their padding
                mask (N, L).

        Returns:
            Tensor: (N, d).
        """
        return self.forward_encoder(feat, feat_mask, feat_pos, text_ids,
                                    text_mask)['memory'][:, 0]

    def loss(self, batch_inputs: Tensor,
             batch_data_samples: SampleList) -> Dict[str, Tensor]:
        """The retrieval head's losses on this batch.

        The head draws the training pairs; the trunk encodes them (one
        backbone pass per image, one joint pass per pair).

        Args:
            batch_inputs (Tensor): Images, (B, 3, H, W).
            batch_data_samples (list[:obj:`DetDataSample`]): Matched pairs
                with ``text_ids`` and metainfo ``img_id`` (texts of the
                same image are never negatives).

        Returns:
            dict[str, Tensor]: ``loss_retrieval``, ``acc_retrieval`` and,
            with the pre-filter, ``loss_itc``.
        """
        enc_in, _ = self.pre_transformer(
            self.extract_feat(batch_inputs), batch_data_samples)
        return self.retrieval_head.loss(
            partial(self.pair_cls, enc_in), batch_data_samples,
            partial(self.single_modality, enc_in))

    def pair_cls(self, enc_in: Dict, img_idx: Tensor,
                 txt_idx: Tensor) -> Tensor:
        """``h_CLS`` of the joint pass over chosen image-text pairs.

        Args:
            enc_in (dict): ``feat``, ``feat_mask``, ``feat_pos``,
                ``text_ids``, ``text_mask`` of the batch, as from
                :meth:`pre_transformer`.
            img_idx, txt_idx (Tensor): Batch rows of the image and of the
                text of each pair, (N,) each.

        Returns:
            Tensor: (N, d).
        """
        return self.joint_cls(enc_in['feat'][img_idx],
                              enc_in['feat_mask'][img_idx],
                              enc_in['feat_pos'][img_idx],
                              enc_in['text_ids'][txt_idx],
                              enc_in['text_mask'][txt_idx])

    def single_modality(self, enc_in: Dict) -> Tuple[Tensor, Tensor]:
        """The image-only and text-only passes of the pre-filter.

        Args:
            enc_in (dict): As for :meth:`pair_cls`.

        Returns:
            tuple[Tensor, Tensor]: Pooled image outputs and text ``h_CLS``,
            (B, d) each.
        """
        return (self.image_only_pooled(enc_in),
                self.text_only_cls(enc_in['text_ids'], enc_in['text_mask']))

    def predict(self,
                batch_inputs: Tensor,
                batch_data_samples: SampleList,
                rescale: bool = True) -> SampleList:
        """Matching score of each sample's own image-text pair.

        Returns:
            list[:obj:`DetDataSample`]: With ``pred_match_score`` (float
            logit).
        """
        logits = self._forward(batch_inputs, batch_data_samples)
        return write_predictions(
            batch_data_samples,
            [dict(pred_match_score=logit.item()) for logit in logits])

    def _forward(self,
                 batch_inputs: Tensor,
                 batch_data_samples: SampleList = None) -> Tensor:
        """Tensor mode: matching logits (B,) of the samples' pairs."""
        enc_in, _ = self.pre_transformer(
            self.extract_feat(batch_inputs), batch_data_samples)
        return self.retrieval_head(self.joint_cls(**enc_in))

    def encode_images(self, batch_inputs: Tensor,
                      batch_data_samples: SampleList) -> List[Dict]:
        """Cache what ranking needs per gallery image.

        Args:
            batch_inputs (Tensor): Images, (B, 3, H, W).
            batch_data_samples (list[:obj:`DetDataSample`]): Samples.

        Returns:
            list[dict]: Per image ``feat`` (1, HW, d), ``feat_mask``
            (1, HW), ``feat_pos`` (1, HW, d) and, with the pre-filter,
            ``embed`` (itc_dims,).
        """
        enc_in, _ = self.pre_transformer(
            self.extract_feat(batch_inputs), batch_data_samples)
        keys = ('feat', 'feat_mask', 'feat_pos')
        images = [{key: enc_in[key][i:i + 1]
                   for key in keys} for i in range(batch_inputs.size(0))]
        if self.retrieval_head.with_itc:
            embeds = self.retrieval_head.embed_images(
                self.image_only_pooled(enc_in))
            for image, embed in zip(images, embeds):
                image['embed'] = embed
        return images

    def score_all(
            self,
            images: List[Dict],
            text_ids: List[Tensor],
            topk: Optional[int] = None,
            gallery: Optional[Tuple[Tensor, Tensor]] = None
    ) -> Tuple[Tensor, int]:
        """Cross-encoder scores of the given images with every text.

        With ``topk``, the dual-encoder cosine similarity picks each
        image's ``topk`` texts and each text's ``topk`` images of the
        gallery; only that union of pairs is scored with the joint pass.
        Other pairs get ``-1e4 + cosine`` so they rank below every scored
        pair, in pre-filter order. ``topk >= max(N_img, N_txt)`` equals no
        filter.

        Args:
            images (list[dict]): From :meth:`encode_images`, N items (the
                rows to score).
            text_ids (list[Tensor]): ``[CLS] text [SEP]`` ids (L_j,), N_txt
                items, in text-id order.
            topk (int, optional): Pre-filter size; None scores all pairs.
            gallery (tuple[Tensor, Tensor], optional): For the pre-filter
                when ``images`` are a part of the gallery (one rank's
                share): the ``embed`` of every gallery image (N_img,
                itc_dims) and the gallery row (N,) of each of ``images``.
                None: ``images`` are the whole gallery, in order.

        Returns:
            tuple[Tensor, int]: Scores (N, N_txt) and the number of pairs
            the joint pass scored.
        """
        device = images[0]['feat'].device
        pad_id = self.text_embedding.pad_id
        ids = pad_sequence(text_ids, batch_first=True,
                           padding_value=pad_id).to(device)
        mask = ids == pad_id
        num_img, num_txt = len(images), len(text_ids)
        batch = self.test_cfg.get('text_batch_size', 256)
        scores = ids.new_full((num_img, num_txt), -1e4, dtype=torch.float)
        candidates = torch.ones_like(scores, dtype=torch.bool)
        if topk is not None:
            if not self.retrieval_head.with_itc:
                raise ValueError('The top-k pre-filter needs '
                                 'retrieval_head.itc_dims.')
            if gallery is None:
                gallery = (torch.stack([im['embed'] for im in images]),
                           torch.arange(num_img, device=device))
            img_embed, rows = gallery
            txt_embed = torch.cat([
                self.retrieval_head.embed_texts(
                    self.text_only_cls(ids[j:j + batch], mask[j:j + batch]))
                for j in range(0, num_txt, batch)
            ])
            sim = img_embed @ txt_embed.t()
            chosen = torch.zeros_like(sim, dtype=torch.bool)
            chosen.scatter_(1, sim.topk(min(topk, num_txt), 1)[1], True)
            chosen.scatter_(0, sim.topk(min(topk, sim.size(0)), 0)[1], True)
            scores += sim[rows]
            candidates = chosen[rows]
        for i, image in enumerate(images):
            for cols in candidates[i].nonzero()[:, 0].split(batch):
                n = len(cols)
                cls = self.joint_cls(image['feat'].expand(n, -1, -1),
                                     image['feat_mask'].expand(n, -1),
                                     image['feat_pos'].expand(n, -1, -1),
                                     ids[cols], mask[cols])
                scores[i, cols] = self.retrieval_head(cls).float()
        return scores, int(candidates.sum())
