# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""The fused-attention encoder / decoder equal mmdet's DETR ones (same
seeded parameters, outputs within 1e-5) and run PyTorch's SDPA path."""
import copy
from unittest import mock

import pytest
import torch
import torch.nn.functional as F
from mmdet.models.layers import DetrTransformerDecoder, DetrTransformerEncoder

from e2evlp_mm.models.layers import (
    FusedMultiheadAttention,
    FusedTransformerDecoder,
    FusedTransformerEncoder,
)
from e2evlp_mm.testing.paper_models import build_paper_model

D, HEADS = 32, 4


def layer_cfg(dropout, cross=False):
    attn = dict(embed_dims=D, num_heads=HEADS, dropout=dropout,
                batch_first=True)
    cfg = dict(self_attn_cfg=attn,
               ffn_cfg=dict(embed_dims=D, feedforward_channels=2 * D,
                            ffn_drop=dropout))
    if cross:
        cfg['cross_attn_cfg'] = copy.deepcopy(attn)
    return cfg


def pair(fused_cls, mmdet_cls, dropout, **kwargs):
    """Both modules built from the same seed and config."""
    modules = []
    for cls in (fused_cls, mmdet_cls):
        torch.manual_seed(0)
        modules.append(cls(num_layers=2, **copy.deepcopy(kwargs),
                           layer_cfg=layer_cfg(dropout, **_cross(cls))))
    fused, ref = modules
    ref_state = ref.state_dict()
    assert fused.state_dict().keys() == ref_state.keys()
    for key, value in fused.state_dict().items():
        assert torch.equal(value, ref_state[key]), key
    return fused, ref


def _cross(cls):
    return dict(cross=cls in (FusedTransformerDecoder,
                              DetrTransformerDecoder))


def inputs(gen):
    """Two sequences with padding (text + image tokens of the model)."""
    query = torch.randn(2, 9, D, generator=gen)
    pos = torch.randn(2, 9, D, generator=gen)
    mask = torch.zeros(2, 9, dtype=torch.bool)
    mask[1, 6:] = True
    return query, pos, mask


# train with dropout 0 is deterministic; eval with the paper's dropout
@pytest.mark.parametrize('train,dropout', [(True, 0.0), (False, 0.1)])
def test_encoder_equals_mmdet(train, dropout):
    fused, ref = pair(FusedTransformerEncoder, DetrTransformerEncoder,
                      dropout)
    gen = torch.Generator().manual_seed(1)
    query, pos, mask = inputs(gen)
    outs = [m.train(train)(query=query, query_pos=pos, key_padding_mask=mask)
            for m in (fused, ref)]
    torch.testing.assert_close(outs[0], outs[1], rtol=1e-5, atol=1e-5)
    if train:  # and so are the gradients
        grads = [torch.autograd.grad(o.square().sum(), m.parameters())
                 for o, m in zip(outs, (fused, ref))]
        for a, b in zip(*grads):
            torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize('train,dropout', [(True, 0.0), (False, 0.1)])
@pytest.mark.parametrize('causal', [False, True])
def test_decoder_equals_mmdet(train, dropout, causal):
    fused, ref = pair(FusedTransformerDecoder, DetrTransformerDecoder,
                      dropout)
    gen = torch.Generator().manual_seed(2)
    memory, memory_pos, memory_mask = inputs(gen)
    query = torch.randn(2, 5, D, generator=gen)
    kwargs = dict(query=query, key=memory, value=memory, key_pos=memory_pos,
                  key_padding_mask=memory_mask)
    if causal:  # the caption decoder: causal self-attention, no query pos
        kwargs.update(query_pos=None, self_attn_mask=torch.ones(
            5, 5, dtype=torch.bool).triu(1))
    else:  # detection queries
        kwargs.update(query_pos=torch.randn(2, 5, D, generator=gen))
    outs = [m.train(train)(**kwargs) for m in (fused, ref)]
    assert outs[0].shape == (2, 2, 5, D)  # every layer's output
    torch.testing.assert_close(outs[0], outs[1], rtol=1e-5, atol=1e-5)


def test_paper_model_attention_runs_sdpa_without_weights():
    model = build_paper_model('e2evlp_r50_6l_pretrain', layers=2).eval()
    attns = [m for m in model.modules()
             if isinstance(m, FusedMultiheadAttention)]
    assert len(attns) == 2 + 2 * 2  # encoder self; decoder self + cross
    sdpa = F.scaled_dot_product_attention
    with mock.patch.object(F, 'scaled_dot_product_attention',
                           side_effect=sdpa) as spy, torch.no_grad():
        out = attns[0](torch.randn(2, 9, 256), key_padding_mask=torch.zeros(
            2, 9, dtype=torch.bool))
    assert spy.call_count == 1 and out.shape == (2, 9, 256)
