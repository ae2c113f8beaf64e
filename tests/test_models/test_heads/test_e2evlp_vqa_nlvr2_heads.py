# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""VQA and NLVR2 heads against hand-computed losses."""
import json
import math

import pytest
import torch
import torch.nn.functional as F
from mmdet.structures import DetDataSample
from mmengine.registry import init_default_scope

from e2evlp_mm.models.heads import E2EVLPNLVR2Head, E2EVLPVQAHead


@pytest.fixture
def answer_list(tmp_path):
    path = tmp_path / 'answer_list.json'
    path.write_text(json.dumps(['yes', 'no', '2']))
    return str(path)


def samples_with(**fields):
    out = []
    for values in zip(*fields.values()):
        ds = DetDataSample()
        for name, value in zip(fields, values):
            setattr(ds, name, value)
        out.append(ds)
    return out


def test_vqa_loss_is_soft_bce_summed_over_answers(answer_list):
    init_default_scope('mmdet')
    head = E2EVLPVQAHead(embed_dims=4, answer_list_path=answer_list)
    assert head.num_answers == 3 and head.answer_list == ['yes', 'no', '2']
    feats = torch.randn(2, 4)
    scores = [torch.tensor([1.0, 0.0, 0.3]), torch.tensor([0.0, 0.6, 0.0])]
    losses = head.loss(feats, samples_with(answer_scores=scores))
    logits = head(feats).detach()
    # by hand: -[t log s(x) + (1 - t) log(1 - s(x))], summed over the 3
    # answers, averaged over the 2 questions
    total = 0.0
    for row, target in zip(logits.tolist(), scores):
        for x, t in zip(row, target.tolist()):
            p = 1 / (1 + math.exp(-x))
            total -= t * math.log(p) + (1 - t) * math.log(1 - p)
    assert losses['loss_vqa'].item() == pytest.approx(total / 2, rel=1e-5)
    torch.testing.assert_close(
        losses['loss_vqa'],
        F.binary_cross_entropy_with_logits(
            head(feats), torch.stack(scores), reduction='sum') / 2)
    top = logits.argmax(-1)
    expected_acc = 100 * (scores[0][top[0]] + scores[1][top[1]]) / 2
    assert losses['acc_vqa'].item() == pytest.approx(expected_acc.item())


def test_vqa_loss_checks_vocabulary_size(answer_list):
    init_default_scope('mmdet')
    head = E2EVLPVQAHead(embed_dims=4, answer_list_path=answer_list)
    with pytest.raises(ValueError, match='answer_list_path'):
        head.loss(torch.randn(1, 4), samples_with(
            answer_scores=[torch.zeros(5)]))


def test_vqa_predict_fields(answer_list):
    init_default_scope('mmdet')
    head = E2EVLPVQAHead(embed_dims=4, answer_list_path=answer_list)
    with torch.no_grad():
        head.classifier[-1].bias.copy_(torch.tensor([0., 0., 50.]))
        head.classifier[-1].weight.zero_()
    out = head.predict(torch.randn(2, 4), samples_with(text=['a', 'b']))
    for pred in out:
        assert pred['pred_answer'] == '2'
        assert pred['pred_answer_index'] == 2
        assert pred['pred_answer_score'] == pytest.approx(1.0)


def test_nlvr2_loss_and_predict():
    init_default_scope('mmdet')
    head = E2EVLPNLVR2Head(
        embed_dims=4, loss_nlvr=dict(type='CrossEntropyLoss',
                                     loss_weight=2.0))
    feats = torch.randn(3, 8)  # [left, right] (B, 2d)
    samples = samples_with(nlvr_label=[torch.tensor(v) for v in (1, 0, 1)])
    losses = head.loss(feats, samples)
    logits = head(feats)
    torch.testing.assert_close(
        losses['loss_nlvr'],
        2 * F.cross_entropy(logits, torch.tensor([1, 0, 1])))
    hits = (logits.argmax(-1) == torch.tensor([1, 0, 1])).float().mean()
    assert losses['acc_nlvr'].item() == pytest.approx(100 * hits.item())
    preds = head.predict(feats, samples)
    probs = logits.softmax(-1)[:, 1].tolist()
    for pred, prob in zip(preds, probs):
        assert pred['pred_nlvr_score'] == pytest.approx(prob)
        assert pred['pred_nlvr_label'] == int(prob > 0.5)
