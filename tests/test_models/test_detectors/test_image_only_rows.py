# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Detection rows trained on the image alone (``det_image_only_prob``)."""
import os.path as osp

import pytest
import torch

import e2evlp_mm  # noqa: F401  (registers the models)
from e2evlp_mm.models.layers import with_image_only_rows
from e2evlp_mm.testing import build_model_from, make_e2evlp_batch

TINY = osp.join(osp.dirname(__file__), '..', '..', 'data', 'configs',
                'e2evlp_tiny.py')
DET_KEYS = ('loss_cls', 'loss_bbox', 'loss_iou', 'loss_attr')


def without_text(samples):
    """Copies of the samples with their text fields removed."""
    out = []
    for ds in samples:
        ds = ds.clone()
        for key in list(ds.keys()):
            if key.startswith('text') or key.startswith('mlm') or \
                    key.startswith('itm'):
                delattr(ds, key)
        out.append(ds)
    return out


def test_rows_take_the_image_only_memory_and_mask_their_text_slots():
    b, num_text, hw, d = 3, 2, 4, 5
    joint = dict(memory=torch.randn(b, num_text + hw, d),
                 memory_mask=torch.zeros(b, num_text + hw, dtype=torch.bool),
                 memory_pos=torch.randn(b, num_text + hw, d),
                 num_text=num_text)
    image = dict(memory=torch.randn(b, hw, d),
                 memory_mask=torch.zeros(b, hw, dtype=torch.bool),
                 memory_pos=joint['memory_pos'][:, num_text:])
    rows = torch.tensor([False, True, False])
    out = with_image_only_rows(joint, image, rows)
    assert torch.equal(out['memory'][0], joint['memory'][0])
    assert torch.equal(out['memory'][1, num_text:], image['memory'][1])
    assert torch.equal(out['memory'][1, :num_text],
                       torch.zeros(num_text, d))
    assert out['memory_mask'][1, :num_text].all()
    assert not out['memory_mask'][1, num_text:].any()
    assert not out['memory_mask'][[0, 2]].any()
    assert out['memory_pos'] is joint['memory_pos']
    none = with_image_only_rows(joint, image, torch.zeros(b, dtype=bool))
    assert none is joint


def test_a_row_decodes_exactly_as_its_image_without_text():
    model = build_model_from(TINY).eval()
    inputs, samples = make_e2evlp_batch(3, training=False)
    rows = torch.tensor([True, False, True])
    with torch.no_grad():
        feats = model.extract_feat(inputs)
        image = model.encode_image(feats, samples)
        mixed = model.forward_transformer(feats, samples,
                                          image_only=(image, rows))
        joint = model.forward_transformer(feats, samples)
        alone = model.forward_transformer(feats, without_text(samples))
    hidden = mixed['hidden_states']
    assert torch.allclose(hidden[:, rows], alone['hidden_states'][:, rows],
                          atol=1e-5)
    assert torch.equal(hidden[:, ~rows], joint['hidden_states'][:, ~rows])
    assert not torch.allclose(joint['hidden_states'][:, rows],
                              alone['hidden_states'][:, rows], atol=1e-3)
    # the text heads keep reading the joint encoding
    assert torch.equal(mixed['text_feats'], joint['text_feats'])


def test_probability_one_trains_detection_on_the_image_alone():
    heads = dict(mlm_head=None, itm_head=None, caption_head=None)
    model = build_model_from(TINY, det_image_only_prob=1.0, **heads).train()
    plain = build_model_from(TINY, **heads).train()
    plain.load_state_dict(model.state_dict())
    inputs, samples = make_e2evlp_batch(2)
    torch.manual_seed(0)
    losses = model.loss(inputs, samples)
    torch.manual_seed(0)
    expected = plain.loss(inputs, without_text(samples))
    for key in DET_KEYS:
        assert torch.allclose(losses[key], expected[key], atol=1e-5), key
    torch.manual_seed(0)
    with_text = plain.loss(inputs, samples)
    assert not torch.allclose(losses['loss_bbox'], with_text['loss_bbox'])


def test_default_and_test_mode_keep_the_joint_encoding():
    model = build_model_from(TINY, det_image_only_prob=1.0)
    _, samples = make_e2evlp_batch(2)
    assert model._image_only_rows(samples).all()
    model.eval()
    assert model._image_only_rows(samples) is None
    assert build_model_from(TINY).train()._image_only_rows(samples) is None
    with pytest.raises(ValueError, match='det_image_only_prob'):
        build_model_from(TINY, det_image_only_prob=1.5)
