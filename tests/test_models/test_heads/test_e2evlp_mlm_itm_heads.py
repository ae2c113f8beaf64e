# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""MLM and ITM heads against hand-computed cross-entropies."""
import torch
import torch.nn.functional as F
from mmdet.structures import DetDataSample
from mmengine.registry import init_default_scope

from e2evlp_mm.models.heads import E2EVLPITMHead, E2EVLPMLMHead


def samples_with(**fields):
    out = []
    for values in zip(*fields.values()):
        ds = DetDataSample()
        for name, value in zip(fields, values):
            setattr(ds, name, value)
        out.append(ds)
    return out


def test_mlm_loss_counts_only_masked_positions():
    init_default_scope('mmdet')
    torch.manual_seed(0)
    head = E2EVLPMLMHead(vocab_size=11, embed_dims=8)
    words = torch.randn(11, 8)
    feats = torch.randn(2, 5, 8)
    labels = [torch.tensor([-100, 4, -100, 7, -100]),
              torch.tensor([-100, -100, 9, -100])]  # shorter: padded
    samples = samples_with(mlm_labels=labels)
    loss = head.loss(feats, words, samples)['loss_mlm']
    logits = head(feats, words)
    expected = F.cross_entropy(
        torch.stack([logits[0, 1], logits[0, 3], logits[1, 2]]),
        torch.tensor([4, 7, 9]))
    torch.testing.assert_close(loss, expected)

    changed = feats.clone()
    changed[0, [0, 2, 4]] = torch.randn(3, 8)
    changed[1, [0, 1, 3, 4]] = torch.randn(4, 8)
    torch.testing.assert_close(
        head.loss(changed, words, samples)['loss_mlm'], expected)


def test_mlm_without_masks_is_zero_but_connected():
    init_default_scope('mmdet')
    head = E2EVLPMLMHead(vocab_size=11, embed_dims=8)
    words = torch.randn(11, 8, requires_grad=True)
    samples = samples_with(mlm_labels=[torch.full((4, ), -100)] * 2)
    loss = head.loss(torch.randn(2, 4, 8), words, samples)['loss_mlm']
    assert loss == 0
    loss.backward()
    assert head.dense.weight.grad is not None and words.grad is not None


def test_mlm_predict_aligned_with_labels():
    init_default_scope('mmdet')
    head = E2EVLPMLMHead(vocab_size=11, embed_dims=8)
    words, feats = torch.randn(11, 8), torch.randn(1, 5, 8)
    labels = torch.tensor([-100, 4, -100, 7, -100])
    out = head.predict(feats, words, samples_with(mlm_labels=[labels]))[0]
    argmax = head(feats, words)[0].argmax(-1)
    assert out['pred_mlm_ids'].tolist() == [
        -100, argmax[1].item(), -100, argmax[3].item(), -100
    ]
    hits = (argmax[[1, 3]] == torch.tensor([4, 7])).float().mean().item()
    assert out['pred_mlm_acc'] == hits


def test_itm_loss_and_predict():
    init_default_scope('mmdet')
    head = E2EVLPITMHead(
        embed_dims=8, loss_itm=dict(type='CrossEntropyLoss', loss_weight=2.))
    feats = torch.randn(3, 8)
    samples = samples_with(itm_label=[torch.tensor(v) for v in (1, 0, 1)])
    losses = head.loss(feats, samples)
    expected = 2 * F.cross_entropy(head(feats), torch.tensor([1, 0, 1]))
    torch.testing.assert_close(losses['loss_itm'], expected)
    scores = [out['pred_itm_score'] for out in head.predict(feats, samples)]
    torch.testing.assert_close(
        torch.tensor(scores), head(feats).softmax(-1)[:, 1])
