# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Cached (incremental) caption decoding equals full recomputation."""
import os.path as osp

import pytest
import torch
from mmdet.registry import MODELS
from mmengine.config import Config
from mmengine.registry import init_default_scope

import e2evlp_mm  # noqa: F401  (registers the models)
from e2evlp_mm.models.layers import CaptionDecoder
from e2evlp_mm.testing import make_e2evlp_batch

TINY = osp.join(
    osp.dirname(__file__), '..', '..', 'data', 'configs', 'e2evlp_tiny.py')
BOS, EOS = 1, 2
# images of different sizes: the memory has padded pixels to mask
SIZES = ((96, 96), (40, 48), (64, 96))


def build(seed=0):
    init_default_scope('mmdet')
    torch.manual_seed(seed)
    model = MODELS.build(Config.fromfile(TINY).model)
    model.init_weights()
    return model.eval()


def decoder_and_samples(model, batch_size=3):
    inputs, samples = make_e2evlp_batch(
        batch_size, image_sizes=SIZES, training=False)
    feats = model.extract_feat(inputs)
    return model.caption_decode_fn(feats, samples), samples


@torch.no_grad()
def test_each_step_equals_the_full_pass_and_reorder_moves_rows():
    model = build()
    decode, _ = decoder_and_samples(model)
    assert isinstance(decode, CaptionDecoder)
    assert bool(decode.memory_mask.any())  # padding is exercised
    beams = 2
    gen = torch.Generator().manual_seed(1)
    tokens = torch.randint(3, 50, (3 * beams, 7), generator=gen)
    tokens[:, 0] = BOS
    full = decode(tokens)  # (N, t, d)
    cached = decode.incremental(beams)
    for t in range(4):
        torch.testing.assert_close(
            cached.step(tokens[:, t]), full[:, t], atol=1e-5, rtol=1e-4)
    # swap the two beams of every image: the cache must follow
    perm = torch.arange(3 * beams).view(3, beams).flip(1).flatten()
    cached.reorder(perm)
    moved = torch.cat([tokens[perm, :4], tokens[:, 4:]], 1)
    full = decode(moved)
    for t in range(4, 7):
        torch.testing.assert_close(
            cached.step(moved[:, t]), full[:, t], atol=1e-5, rtol=1e-4)


def generate(model, samples, decode, use_cache):
    model.caption_head.use_cache = use_cache
    return model.caption_head.predict(decode, samples)


@pytest.mark.parametrize('beam_size', [1, 4])
@pytest.mark.parametrize('max_length', [1, 5, 20])
@pytest.mark.parametrize('eos_bias', [0.0, 3.0])
@torch.no_grad()
def test_cached_generation_gives_the_same_ids(beam_size, max_length,
                                              eos_bias):
    model = build()
    # a bias on [SEP] makes captions end at different steps
    model.caption_head.lm_head.bias.data[EOS] += eos_bias
    model.caption_head.beam_size = beam_size
    model.caption_head.max_length = max_length
    model.caption_head.length_penalty = 0.6 if beam_size > 1 else 0.
    decode, samples = decoder_and_samples(model)
    cached = generate(model, samples, decode, True)
    full = generate(model, samples, decode, False)
    lengths = set()
    for a, b in zip(cached, full):
        assert a['pred_caption_ids'].tolist() == b['pred_caption_ids'].tolist()
        assert a['pred_caption_score'] == pytest.approx(
            b['pred_caption_score'], abs=1e-4)
        lengths.add(len(a['pred_caption_ids']))
    assert max(lengths) <= max_length
    if eos_bias == 0. and max_length == 20:
        assert max(lengths) > 5  # long captions really were generated


@torch.no_grad()
def test_model_predict_uses_the_cache_by_default():
    model = build()
    assert model.caption_head.use_cache
    inputs, samples = make_e2evlp_batch(2, training=False)
    calls = []
    original = CaptionDecoder.incremental

    def spy(self, repeats=1):
        calls.append(repeats)
        return original(self, repeats)

    CaptionDecoder.incremental = spy
    try:
        results = model.predict(inputs, samples)
    finally:
        CaptionDecoder.incremental = original
    assert calls == [model.caption_head.beam_size]
    assert all('pred_caption_ids' in r for r in results)
