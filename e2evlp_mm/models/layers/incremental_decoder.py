# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""The shared decoder run as a causal language model over one image.

:class:`CaptionDecoder` is what the detector hands to the caption head: call
it on whole prefixes (teacher forcing, or the reference full-recompute
search) or ask it for an :class:`IncrementalDecoder` that feeds one token
per step and keeps a key/value cache:

.. code:: text

    image memory (B, S, d) --(once per image)--> cross-attn K, V per layer
    token t (N,) -> embed(pos t) -> [self-attn over cached K, V of 0..t
                                     -> LN -> cross-attn -> LN -> FFN -> LN]
                                     x num_layers -> post-norm -> (N, d)

Both use the weights of mmdet's ``DetrTransformerDecoder`` as they are (no
new parameters, same checkpoint keys); the cached step redoes its layer
arithmetic with ``F.scaled_dot_product_attention``, so the two agree up to
floating-point rounding.
"""
from typing import List, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn


class CaptionDecoder:
    """Causal decoder over an image-only memory (teacher forcing).

    Args:
        decoder (nn.Module): mmdet ``DetrTransformerDecoder`` whose layers
            use ``batch_first`` attention.
        text_embedding (nn.Module): :class:`E2EVLPTextEmbedding`.
        memory (Tensor): Encoded image tokens, shape (B, S, d).
        memory_mask (Tensor): True at padded pixels, shape (B, S).
        memory_pos (Tensor): Sine positions of the memory, shape (B, S, d).
    """

    def __init__(self, decoder: nn.Module, text_embedding: nn.Module,
                 memory: Tensor, memory_mask: Tensor,
                 memory_pos: Tensor) -> None:
        self.decoder = decoder
        self.text_embedding = text_embedding
        self.memory = memory
        self.memory_mask = memory_mask
        self.memory_pos = memory_pos
        self._repeated = {}

    def __call__(self, tokens: Tensor) -> Tensor:
        """Run every layer over the whole prefix.

        Args:
            tokens (Tensor): Prefixes, shape (N, t), N a multiple of B with
                rows grouped by image.

        Returns:
            Tensor: Last decoder layer states, shape (N, t, d).
        """
        k = tokens.size(0) // self.memory.size(0)
        if k not in self._repeated:
            self._repeated[k] = [
                x.repeat_interleave(k, 0)
                for x in (self.memory, self.memory_mask, self.memory_pos)
            ]
        memory, memory_mask, memory_pos = self._repeated[k]
        length = tokens.size(1)
        causal = torch.ones(
            length, length, dtype=torch.bool, device=tokens.device).triu(1)
        return self.decoder(
            query=self.text_embedding(tokens),
            key=memory,
            value=memory,
            query_pos=None,
            key_pos=memory_pos,
            key_padding_mask=memory_mask,
            self_attn_mask=causal)[-1]

    def incremental(self, repeats: int = 1) -> 'IncrementalDecoder':
        """A cached decoder for ``B * repeats`` rows (beams of an image
        are consecutive rows)."""
        return IncrementalDecoder(self.decoder, self.text_embedding,
                                  self.memory, self.memory_mask,
                                  self.memory_pos, repeats)


def _split_heads(x: Tensor, num_heads: int) -> Tensor:
    """(N, t, d) -> (N, h, t, d / h)."""
    n, t, d = x.shape
    return x.view(n, t, num_heads, d // num_heads).transpose(1, 2)


class IncrementalDecoder:
    """One-token-per-step decoding with a key/value cache.

    The cross-attention keys and values of the image memory are projected
    once per image. The beams of an image share them: their queries are
    folded into the query axis of one attention call, which is exact since
    every query attends to the same keys independently. Self-attention keys
    and values of past tokens are cached per layer and reordered with
    :meth:`reorder` when beam search moves hypotheses between rows.

    Args:
        decoder (nn.Module): mmdet ``DetrTransformerDecoder``.
        text_embedding (nn.Module): :class:`E2EVLPTextEmbedding`.
        memory (Tensor): Image tokens, shape (B, S, d).
        memory_mask (Tensor): True at padded pixels, shape (B, S).
        memory_pos (Tensor): Memory positions, shape (B, S, d).
        repeats (int): Rows (beams) per image k; N = B * k.
    """

    def __init__(self, decoder: nn.Module, text_embedding: nn.Module,
                 memory: Tensor, memory_mask: Tensor, memory_pos: Tensor,
                 repeats: int = 1) -> None:
        self.layers = decoder.layers
        self.post_norm = decoder.post_norm
        self.text_embedding = text_embedding
        self.repeats = repeats
        self.num_heads = self.layers[0].cross_attn.num_heads
        # additive (B, 1, 1, S) mask: -inf at padded pixels
        self.cross_mask = memory.new_zeros(memory_mask.shape).masked_fill(
            memory_mask, float('-inf'))[:, None, None]
        self.cross_kv: List[Tuple[Tensor, Tensor]] = []
        for layer in self.layers:
            attn = layer.cross_attn.attn
            # packed in_proj, no bias_k / zero-attn: nn.MultiheadAttention's
            # default, which mmcv's MultiheadAttention always builds
            assert attn._qkv_same_embed_dim and attn.bias_k is None
            assert not attn.add_zero_attn and layer.cross_attn.batch_first
            _, w_k, w_v = attn.in_proj_weight.chunk(3)
            _, b_k, b_v = _in_proj_bias(attn).chunk(3)
            self.cross_kv.append(
                (_split_heads(F.linear(memory + memory_pos, w_k, b_k),
                              self.num_heads),
                 _split_heads(F.linear(memory, w_v, b_v), self.num_heads)))
        self.self_kv: List[Optional[Tuple[Tensor, Tensor]]] = [None] * len(
            self.layers)
        self.length = 0

    def reorder(self, index: Tensor) -> None:
        """Move cached rows: row ``i`` becomes old row ``index[i]``.

        Args:
            index (Tensor): Source rows, shape (N,), staying inside each
                image's block of ``repeats`` rows.
        """
        self.self_kv = [(k.index_select(0, index), v.index_select(0, index))
                        for k, v in self.self_kv]

    def step(self, tokens: Tensor) -> Tensor:
        """Feed the token at position ``self.length`` of every row.

        Args:
            tokens (Tensor): Last tokens, shape (N,).

        Returns:
            Tensor: Post-normed last-layer states, shape (N, d).
        """
        emb = self.text_embedding
        x = (emb.word_embeddings(tokens) +
             emb.position_embeddings.weight[self.length] +
             emb.token_type_embeddings.weight[0])
        x = emb.dropout(emb.norm(x))[:, None]  # (N, 1, d)
        for i, layer in enumerate(self.layers):
            x = layer.norms[0](self._self_attn(i, layer.self_attn, x))
            x = layer.norms[1](self._cross_attn(i, layer.cross_attn, x))
            x = layer.norms[2](layer.ffn(x))
        self.length += 1
        return self.post_norm(x[:, 0])

    def _self_attn(self, i: int, mha: nn.Module, x: Tensor) -> Tensor:
        """mmcv ``MultiheadAttention`` of one new token over the cache."""
        attn = mha.attn
        q, k, v = _qkv(attn, x, self.num_heads)
        if self.self_kv[i] is not None:
            k = torch.cat([self.self_kv[i][0], k], 2)
            v = torch.cat([self.self_kv[i][1], v], 2)
        self.self_kv[i] = (k, v)
        out = F.scaled_dot_product_attention(
            q, k, v, dropout_p=attn.dropout if attn.training else 0.)
        return x + mha.dropout_layer(mha.proj_drop(_merge(attn, out)))

    def _cross_attn(self, i: int, mha: nn.Module, x: Tensor) -> Tensor:
        """Attention of every row's token over its image memory."""
        attn = mha.attn
        w_q = attn.in_proj_weight[:attn.embed_dim]
        b_q = _in_proj_bias(attn)[:attn.embed_dim]
        n, _, d = x.shape
        b = n // self.repeats
        # the k beams of an image become k queries of one attention call
        q = _split_heads(
            F.linear(x, w_q, b_q).view(b, self.repeats, d), self.num_heads)
        k, v = self.cross_kv[i]
        out = F.scaled_dot_product_attention(
            q,
            k,
            v,
            attn_mask=self.cross_mask,
            dropout_p=attn.dropout if attn.training else 0.)
        out = _merge(attn, out).view(n, 1, d)
        return x + mha.dropout_layer(mha.proj_drop(out))


def _in_proj_bias(attn: nn.MultiheadAttention) -> Tensor:
    """The packed q/k/v bias, zeros when the layer has none."""
    if attn.in_proj_bias is not None:
        return attn.in_proj_bias
    return attn.in_proj_weight.new_zeros(3 * attn.embed_dim)


def _qkv(attn: nn.MultiheadAttention, x: Tensor,
         num_heads: int) -> Tuple[Tensor, Tensor, Tensor]:
    """Packed projection of x (N, t, d) into three (N, h, t, d / h)."""
    return tuple(
        _split_heads(y, num_heads) for y in F.linear(
            x, attn.in_proj_weight, _in_proj_bias(attn)).chunk(3, dim=-1))


def _merge(attn: nn.MultiheadAttention, out: Tensor) -> Tensor:
    """(N, h, t, d / h) -> output projection, (N, t, d)."""
    n, h, t, c = out.shape
    return attn.out_proj(out.transpose(1, 2).reshape(n, t, h * c))
