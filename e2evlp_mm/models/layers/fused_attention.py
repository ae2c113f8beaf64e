# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""mmdet's DETR encoder and decoder with fused attention.

mmcv's ``MultiheadAttention`` calls ``nn.MultiheadAttention`` with its
default ``need_weights=True``: PyTorch then runs the explicit path, which
materialises the (heads x queries x keys) softmax of every layer and keeps
it for backward. Nothing here reads the weights, so the classes below ask
for none; ``nn.MultiheadAttention`` then runs
``F.scaled_dot_product_attention`` (flash / memory-efficient kernels on a
GPU). Parameters, checkpoint keys, construction order (and so the seeded
initialisation) and the outputs (up to floating-point rounding) are
mmdet's.
"""
from mmcv.cnn import build_norm_layer
from mmcv.cnn.bricks.transformer import FFN, MultiheadAttention
from mmdet.models.layers import (
    DetrTransformerDecoder,
    DetrTransformerDecoderLayer,
    DetrTransformerEncoder,
    DetrTransformerEncoderLayer,
)
from torch import Tensor
from torch.nn import ModuleList


class FusedMultiheadAttention(MultiheadAttention):
    """mmcv's ``MultiheadAttention`` (same arguments, same parameters)
    that never asks ``nn.MultiheadAttention`` for the attention weights.
    """

    def forward(self,
                query: Tensor,
                key: Tensor = None,
                value: Tensor = None,
                identity: Tensor = None,
                query_pos: Tensor = None,
                key_pos: Tensor = None,
                attn_mask: Tensor = None,
                key_padding_mask: Tensor = None,
                **kwargs) -> Tensor:
        """Attention with identity connection, as mmcv's.

        Args:
            query (Tensor): (B, Nq, d) with ``batch_first``, else
                (Nq, B, d).
            key, value (Tensor, optional): (B, Nk, d); default ``query``
                and ``key``.
            identity (Tensor, optional): Residual; default ``query``.
            query_pos, key_pos (Tensor, optional): Positions added to the
                query and the key (``key_pos`` defaults to ``query_pos``
                when their shapes agree).
            attn_mask (Tensor, optional): (Nq, Nk), True (or -inf) where a
                query may not attend.
            key_padding_mask (Tensor, optional): (B, Nk), True at padding.

        Returns:
            Tensor: Same shape as ``query``.
        """
        key = query if key is None else key
        value = key if value is None else value
        identity = query if identity is None else identity
        if key_pos is None and query_pos is not None and \
                query_pos.shape == key.shape:
            key_pos = query_pos
        if query_pos is not None:
            query = query + query_pos
        if key_pos is not None:
            key = key + key_pos
        if self.batch_first:  # nn.MultiheadAttention here is sequence-first
            query, key, value = (x.transpose(0, 1)
                                 for x in (query, key, value))
        out = self.attn(
            query,
            key,
            value,
            attn_mask=attn_mask,
            key_padding_mask=key_padding_mask,
            need_weights=False)[0]
        if self.batch_first:
            out = out.transpose(0, 1)
        return identity + self.dropout_layer(self.proj_drop(out))


class FusedEncoderLayer(DetrTransformerEncoderLayer):
    """mmdet's DETR encoder layer with :class:`FusedMultiheadAttention`."""

    def _init_layers(self) -> None:
        """Self-attention, FFN and norms, built in mmdet's order."""
        self.self_attn = FusedMultiheadAttention(**self.self_attn_cfg)
        self.embed_dims = self.self_attn.embed_dims
        self.ffn = FFN(**self.ffn_cfg)
        self.norms = ModuleList([
            build_norm_layer(self.norm_cfg, self.embed_dims)[1]
            for _ in range(2)
        ])


class FusedDecoderLayer(DetrTransformerDecoderLayer):
    """mmdet's DETR decoder layer with :class:`FusedMultiheadAttention`
    for self- and cross-attention."""

    def _init_layers(self) -> None:
        """Attentions, FFN and norms, built in mmdet's order."""
        self.self_attn = FusedMultiheadAttention(**self.self_attn_cfg)
        self.cross_attn = FusedMultiheadAttention(**self.cross_attn_cfg)
        self.embed_dims = self.self_attn.embed_dims
        self.ffn = FFN(**self.ffn_cfg)
        self.norms = ModuleList([
            build_norm_layer(self.norm_cfg, self.embed_dims)[1]
            for _ in range(3)
        ])


class FusedTransformerEncoder(DetrTransformerEncoder):
    """``DetrTransformerEncoder`` (same arguments; no ``num_cp``
    checkpointing) of :class:`FusedEncoderLayer`."""

    def _init_layers(self) -> None:
        """The encoder layers."""
        if self.num_cp > 0:
            raise ValueError('encoder.num_cp (fairscale checkpointing) is '
                             'not supported by the E2E-VLP encoder')
        self.layers = ModuleList([
            FusedEncoderLayer(**self.layer_cfg)
            for _ in range(self.num_layers)
        ])
        self.embed_dims = self.layers[0].embed_dims


class FusedTransformerDecoder(DetrTransformerDecoder):
    """``DetrTransformerDecoder`` (same arguments) of
    :class:`FusedDecoderLayer`."""

    def _init_layers(self) -> None:
        """The decoder layers and the post-norm."""
        self.layers = ModuleList([
            FusedDecoderLayer(**self.layer_cfg)
            for _ in range(self.num_layers)
        ])
        self.embed_dims = self.layers[0].embed_dims
        self.post_norm = build_norm_layer(self.post_norm_cfg,
                                          self.embed_dims)[1]
