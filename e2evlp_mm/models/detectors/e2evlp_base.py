# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""The shared trunk of every E2E-VLP model (paper Sec. 3.1)."""
from typing import Dict, Optional, Tuple

import torch
from mmdet.models.detectors import DETR
from mmdet.models.detectors.base import BaseDetector
from mmdet.models.layers import SinePositionalEncoding
from mmdet.registry import MODELS
from mmdet.structures import OptSampleList
from mmdet.utils import ConfigType, OptConfigType, OptMultiConfig
from mmengine.model import BaseModule
from torch import Tensor, nn

from ..layers import (
    CaptionDecoder,
    E2EVLPTextEmbedding,
    FusedTransformerDecoder,
    FusedTransformerEncoder,
    with_image_only_rows,
)
from ..utils import stack_text
from .query_groups_mixin import QueryGroupsMixin

# what the caption head takes from the trunk (see E2EVLPBase.build_head)
CAPTION_HEAD_ARGS = ('embed_dims', 'vocab_size', 'pad_id', 'bos_id',
                     'eos_id')


class E2EVLPBase(QueryGroupsMixin, DETR):
    r"""Backbone, 1x1 projection, text embedding, cross-modal encoder and
    the shared decoder; task models add heads, ``loss`` and ``predict``.

    .. code:: text

        image -> backbone -> 1x1 ChannelMapper -> image tokens (+ 2-D sine
        |                                         pos at every layer)
        |    [CLS] text [SEP] -> text embedding (tok+seg+pos, LN)
        |           \                  /
        |            concat -> encoder (joint pass) ----+--> text_feats
        |                                 |              (MLM, ITM, VQA..)
        |             N queries --> decoder (shared) --> hidden_states
        |                                                (bbox_head)
        +-> image tokens -> encoder (image-only pass)
                                  |
           [CLS] caption -> decoder (same layers, causal) -> caption states

    Text tokens get a zero positional term in the encoder (they carry BERT
    position embeddings); image tokens get the fixed sine encoding, added
    at every attention layer as in DETR. Text and image padding are both
    key-padding masks, so texts of different lengths and images of
    different sizes share a batch. The joint pass is mmdet's
    :meth:`DetectionTransformer.forward_transformer` (``pre_transformer ->
    forward_encoder -> pre_decoder -> forward_decoder``, each overridden
    here); :meth:`caption_decode_fn` is the image-only pass plus the causal
    decoder.

    Args:
        backbone (:obj:`ConfigDict` or dict): Backbone, e.g. mmdet
            ``ResNet`` with frozen BN or ``mmpretrain.ResNet``; load local
            weights with ``init_cfg=dict(type='Pretrained', checkpoint=...)``.
        neck (:obj:`ConfigDict` or dict): ``ChannelMapper`` with
            ``kernel_size=1`` to ``embed_dims`` (the paper's 1x1 conv).
        encoder (:obj:`ConfigDict` or dict): ``DetrTransformerEncoder``
            kwargs (6 or 12 layers). ``embed_dims`` of its attention sets
            the model width ``d``. The paper's 12 heads do not divide
            d = 256, so configs use 8.
        positional_encoding (:obj:`ConfigDict` or dict):
            ``SinePositionalEncoding`` kwargs, ``num_feats = d / 2``.
        text_cfg (:obj:`ConfigDict` or dict): ``vocab_size``, ``pad_id``,
            ``bos_id`` (``[CLS]``), ``eos_id`` (``[SEP]``), optional
            ``tokenizer_path`` (a local BERT tokenizer folder: ids are read
            from it and generated text is decoded with it), and the other
            :class:`E2EVLPTextEmbedding` kwargs (``max_position_embeddings``,
            ``type_vocab_size``, ``dropout``, ``init_from``).
        decoder (:obj:`ConfigDict` or dict, optional):
            ``DetrTransformerDecoder`` kwargs; None builds no decoder.
            Encoder and decoder are mmdet's with fused attention
            (:class:`FusedTransformerEncoder`, same parameters).
        bbox_head (:obj:`ConfigDict` or dict, optional): Detection head
            (``E2EVLPHead``); None turns detection (and the queries) off.
        num_queries (int): Detection queries N. Defaults to 100.
        num_query_groups (int): Query groups K in training (Group DETR,
            :mod:`~e2evlp_mm.models.layers.query_groups`): K * N queries,
            self-attention and matching inside each group; inference runs
            the first group only. Defaults to 1 (the paper's DETR).
        image_pos_in_tokens (bool): Also add the sine positions to the
            image tokens once, before the encoder, so that what attention
            reads from an image token (its value) says where it is, as
            region models (UNITER, LXMERT) add box coordinates to region
            features. The paper adds them to queries and keys only (kept
            either way). Defaults to False (the paper's).
        train_cfg (:obj:`ConfigDict` or dict, optional): ``assigner`` of
            the detection head.
        test_cfg (:obj:`ConfigDict` or dict, optional): Test options, also
            given to the detection head (``max_per_img``).
        data_preprocessor (:obj:`ConfigDict` or dict, optional): As DETR.
        init_cfg (:obj:`ConfigDict` or dict, optional): Init config.
    """

    def __init__(self,
                 backbone: ConfigType,
                 neck: ConfigType,
                 encoder: ConfigType,
                 positional_encoding: ConfigType,
                 text_cfg: ConfigType,
                 decoder: OptConfigType = None,
                 bbox_head: OptConfigType = None,
                 num_queries: int = 100,
                 num_query_groups: int = 1,
                 image_pos_in_tokens: bool = False,
                 train_cfg: OptConfigType = None,
                 test_cfg: OptConfigType = None,
                 data_preprocessor: OptConfigType = None,
                 init_cfg: OptMultiConfig = None) -> None:
        # DetectionTransformer.__init__ requires a bbox_head: skip it
        BaseDetector.__init__(
            self, data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        text_cfg = dict(text_cfg)
        self.tokenizer = None
        tokenizer_path = text_cfg.pop('tokenizer_path', None)
        if tokenizer_path is not None:
            # lazy: the model package must not need the datasets package
            from e2evlp_mm.datasets import build_tokenizer
            self.tokenizer = build_tokenizer(tokenizer_path)
            text_cfg.update(
                vocab_size=len(self.tokenizer),
                pad_id=self.tokenizer.pad_token_id,
                bos_id=self.tokenizer.cls_token_id,
                eos_id=self.tokenizer.sep_token_id)
        # what heads may need from the trunk, injected by build_head()
        self.head_args = dict(
            embed_dims=encoder['layer_cfg']['self_attn_cfg']['embed_dims'],
            vocab_size=text_cfg['vocab_size'],
            pad_id=text_cfg['pad_id'],
            bos_id=text_cfg.pop('bos_id'),
            eos_id=text_cfg.pop('eos_id'))
        self.text_cfg = text_cfg
        self.train_cfg = train_cfg
        self.test_cfg = test_cfg if test_cfg is not None else dict()
        self.encoder = encoder
        self.decoder = decoder
        self.positional_encoding = positional_encoding
        self.num_queries = num_queries
        self.num_query_groups = num_query_groups
        self.image_pos_in_tokens = image_pos_in_tokens

        self.backbone = MODELS.build(backbone)
        self.neck = MODELS.build(neck)
        self.bbox_head = None
        if bbox_head is not None:
            self.bbox_head = self.build_head(
                dict(bbox_head, train_cfg=train_cfg, test_cfg=self.test_cfg),
                'embed_dims')
        self._init_layers()

    def build_head(self, cfg: OptConfigType,
                   *trunk_args: str) -> Optional[BaseModule]:
        """Build a head with arguments that must agree with the trunk.

        Args:
            cfg (:obj:`ConfigDict` or dict, optional): Head config; None
                returns None (task off).
            *trunk_args (str): Keys of ``head_args`` to inject
                (``embed_dims``, ``vocab_size``, ``pad_id``, ``bos_id``,
                ``eos_id``).

        Returns:
            BaseModule, optional: The head.
        """
        if cfg is None:
            return None
        return MODELS.build(
            dict(cfg, **{k: self.head_args[k] for k in trunk_args}))

    def _init_layers(self) -> None:
        """Build the shared trunk: positions, text embedding, encoder,
        decoder (if a decoder task is on) and the detection queries."""
        self.positional_encoding = SinePositionalEncoding(
            **self.positional_encoding)
        self.encoder = FusedTransformerEncoder(**self.encoder)
        self.embed_dims = self.encoder.embed_dims
        assert self.positional_encoding.num_feats * 2 == self.embed_dims
        self.text_embedding = E2EVLPTextEmbedding(
            embed_dims=self.embed_dims, **self.text_cfg)
        decoder_cfg, self.decoder = self.decoder, None
        if decoder_cfg is not None:
            self.decoder = FusedTransformerDecoder(**decoder_cfg)
        if self.with_bbox:
            self.query_embedding = nn.Embedding(
                self.num_queries * self.num_query_groups, self.embed_dims)

    def init_weights(self) -> None:
        """Children's own init (text embedding, heads), then Xavier for the
        Transformer as in DETR."""
        BaseDetector.init_weights(self)
        for coder in (self.encoder, self.decoder):
            if coder is None:
                continue
            for p in coder.parameters():
                if p.dim() > 1:
                    nn.init.xavier_uniform_(p)

    def pre_transformer(self,
                        img_feats: Tuple[Tensor],
                        batch_data_samples: OptSampleList = None
                        ) -> Tuple[Dict, Dict]:
        """DETR's image tokens, masks and positions, plus the padded text.

        Returns:
            tuple[dict, dict]: Encoder inputs ``feat`` (B, HW, d),
            ``feat_mask`` (B, HW) True at padded pixels, ``feat_pos``
            (B, HW, d) and, when every sample has ``text_ids``, ``text_ids``
            (B, L) and ``text_mask`` (B, L); decoder inputs as DETR.
            With ``image_pos_in_tokens`` ``feat`` already holds
            ``feat_pos``.
        """
        enc_in, dec_in = super().pre_transformer(img_feats,
                                                 batch_data_samples)
        if self.image_pos_in_tokens:
            enc_in['feat'] = enc_in['feat'] + enc_in['feat_pos']
        if enc_in['feat_mask'] is None:  # DETR skips it for equal sizes
            enc_in['feat_mask'] = enc_in['feat'].new_zeros(
                enc_in['feat'].shape[:2], dtype=torch.bool)
        if all('text_ids' in ds for ds in batch_data_samples):
            text_ids, text_mask = stack_text(batch_data_samples, 'text_ids',
                                             self.text_embedding.pad_id)
            device = enc_in['feat'].device
            enc_in.update(
                text_ids=text_ids.to(device), text_mask=text_mask.to(device))
        return enc_in, dec_in

    def forward_encoder(self,
                        feat: Tensor,
                        feat_mask: Tensor,
                        feat_pos: Tensor,
                        text_ids: Optional[Tensor] = None,
                        text_mask: Optional[Tensor] = None) -> Dict:
        """Encode ``[CLS] text [SEP] image-tokens`` (or the image alone).

        Args:
            feat (Tensor): Image tokens, (B, HW, d).
            feat_mask (Tensor): Image padding mask, (B, HW).
            feat_pos (Tensor): Sine positions, (B, HW, d).
            text_ids (Tensor, optional): Token ids, (B, L).
            text_mask (Tensor, optional): Text padding mask, (B, L).

        Returns:
            dict: ``memory`` (B, L + HW, d), ``memory_mask`` (B, L + HW),
            ``memory_pos`` (B, L + HW, d) and ``num_text`` L (0 without
            text).
        """
        num_text = 0
        if text_ids is not None:
            text = self.text_embedding(text_ids)
            num_text = text.size(1)
            feat = torch.cat([text, feat], 1)
            feat_pos = torch.cat([torch.zeros_like(text), feat_pos], 1)
            feat_mask = torch.cat([text_mask, feat_mask], 1)
        memory = self.encoder(
            query=feat, query_pos=feat_pos, key_padding_mask=feat_mask)
        return dict(
            memory=memory,
            memory_mask=feat_mask,
            memory_pos=feat_pos,
            num_text=num_text)

    def pre_decoder(self, memory: Tensor, memory_mask: Tensor,
                    memory_pos: Tensor, num_text: int) -> Tuple[Dict, Dict]:
        """Detection queries over the joint memory; text outputs for the
        encoder heads.

        Returns:
            tuple[dict, dict]: Decoder inputs (empty without detection) and
            head inputs ``text_feats`` (B, L, d).
        """
        head_in = dict(text_feats=memory[:, :num_text])
        if not self.with_bbox:
            return dict(), head_in
        dec_in = dict(
            self.query_inputs(memory),
            memory=memory,
            memory_mask=memory_mask,
            memory_pos=memory_pos)
        return dec_in, head_in

    def forward_decoder(self,
                        query: Optional[Tensor] = None,
                        query_pos: Optional[Tensor] = None,
                        memory: Optional[Tensor] = None,
                        memory_mask: Optional[Tensor] = None,
                        memory_pos: Optional[Tensor] = None,
                        self_attn_mask: Optional[Tensor] = None) -> Dict:
        """DETR's decoder pass; nothing when detection is off (no
        ``query``).

        Returns:
            dict: ``hidden_states`` (num_layers, B, Q, d), ``Q`` = K * N
            queries with groups in training, else N.
        """
        if query is None:
            return dict()
        hidden_states = self.decoder(
            query=query,
            key=memory,
            value=memory,
            query_pos=query_pos,
            key_pos=memory_pos,
            key_padding_mask=memory_mask,
            self_attn_mask=self_attn_mask)
        return dict(hidden_states=hidden_states)

    def forward_transformer(self,
                            img_feats: Tuple[Tensor],
                            batch_data_samples: OptSampleList = None,
                            image_only: Optional[Tuple[Dict, Tensor]] = None
                            ) -> Dict:
        """mmdet's encoder-decoder pass, optionally decoding some images
        without their text.

        Args:
            img_feats (tuple[Tensor]): Neck outputs.
            batch_data_samples (list[:obj:`DetDataSample`], optional):
                Samples (sizes, ``text_ids``).
            image_only (tuple[dict, Tensor], optional): :meth:`encode_image`
                of the batch and a bool (B,) of the rows whose detection
                queries read it instead of the joint encoding
                (:func:`with_image_only_rows`); the text heads always read
                the joint one.

        Returns:
            dict: Head inputs: ``text_feats`` (B, L, d), ``enc_in`` (the
            encoder inputs of :meth:`pre_transformer`, for passes over
            other pairings of the same tokens) and, with detection,
            ``hidden_states`` (num_layers, B, Q, d).
        """
        enc_in, dec_in = self.pre_transformer(img_feats, batch_data_samples)
        enc_out = self.forward_encoder(**enc_in)
        det_memory = enc_out if image_only is None else \
            with_image_only_rows(enc_out, *image_only)
        tmp_dec_in, head_in = self.pre_decoder(**det_memory)
        head_in['text_feats'] = enc_out['memory'][:, :enc_out['num_text']]
        head_in['enc_in'] = enc_in
        dec_in.update(tmp_dec_in)
        head_in.update(self.forward_decoder(**dec_in))
        return head_in

    def encode_image(self, img_feats: Tuple[Tensor],
                     batch_data_samples: OptSampleList = None) -> Dict:
        """The encoder over the image tokens alone (text ignored).

        Returns:
            dict: ``memory`` (B, HW, d), ``memory_mask`` (B, HW),
            ``memory_pos`` (B, HW, d), ``num_text`` 0.
        """
        enc_in, _ = self.pre_transformer(img_feats, batch_data_samples)
        return self.forward_encoder(enc_in['feat'], enc_in['feat_mask'],
                                    enc_in['feat_pos'])

    @staticmethod
    def pool_memory(memory: Dict) -> Tensor:
        """Masked mean of an encoder pass over its unpadded tokens.

        Args:
            memory (dict): :meth:`forward_encoder` output: ``memory``
                (B, T, d) and ``memory_mask`` (B, T), True at padding.

        Returns:
            Tensor: (B, d).
        """
        keep = (~memory['memory_mask']).unsqueeze(-1).to(
            memory['memory'].dtype)
        return (memory['memory'] * keep).sum(1) / keep.sum(1).clamp(min=1)

    def image_only_pooled(self, enc_in: Dict) -> Tensor:
        """Masked mean of an image-only encoder pass.

        Args:
            enc_in (dict): ``feat``, ``feat_mask``, ``feat_pos`` as from
                :meth:`pre_transformer`.

        Returns:
            Tensor: (B, d).
        """
        return self.pool_memory(
            self.forward_encoder(enc_in['feat'], enc_in['feat_mask'],
                                 enc_in['feat_pos']))

    def text_only_cls(self, text_ids: Tensor, text_mask: Tensor) -> Tensor:
        """``h_CLS`` of a text-only encoder pass.

        Args:
            text_ids, text_mask (Tensor): (N, L) each.

        Returns:
            Tensor: (N, d).
        """
        text = self.text_embedding(text_ids)
        return self.encoder(
            query=text,
            query_pos=torch.zeros_like(text),
            key_padding_mask=text_mask)[:, 0]

    def caption_decode_fn(self, img_feats: Tuple[Tensor],
                          batch_data_samples: OptSampleList = None,
                          image_memory: Optional[Dict] = None
                          ) -> CaptionDecoder:
        """Encode the image alone and return the causal decoder over it.

        Args:
            img_feats (tuple[Tensor]): Neck outputs, as
                :meth:`forward_transformer` takes them.
            batch_data_samples (list[:obj:`DetDataSample`], optional): For
                the image sizes (text ignored).
            image_memory (dict, optional): :meth:`encode_image` of this
                batch when already computed.

        Returns:
            CaptionDecoder: Callable ``tokens (N, t) -> states (N, t, d)``
            of the last decoder layer, ``N`` a multiple of B (rows grouped
            by image); its ``incremental(k)`` gives a cached decoder.
        """
        mem = image_memory if image_memory is not None else \
            self.encode_image(img_feats, batch_data_samples)
        return CaptionDecoder(self.decoder, self.text_embedding,
                              mem['memory'], mem['memory_mask'],
                              mem['memory_pos'])

    def _forward(self,
                 batch_inputs: Tensor,
                 batch_data_samples: OptSampleList = None) -> Tuple[Tensor]:
        """Tensor mode: the detection head's raw outputs (class logits,
        boxes, attribute logits, each (num_decoder_layers, B, N, ...))."""
        head_in = self.forward_transformer(
            self.extract_feat(batch_inputs), batch_data_samples)
        return self.bbox_head.forward(head_in['hidden_states'])

    @property
    def word_embeddings(self) -> Tensor:
        """The word embedding table (vocab_size, d), tied to the MLM
        output layer."""
        return self.text_embedding.word_embeddings.weight
