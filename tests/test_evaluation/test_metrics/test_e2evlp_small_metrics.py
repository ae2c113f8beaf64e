# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""NLVR2, pre-training (MLM / ITM) and retrieval metrics."""
import pytest
import torch
from mmdet.structures import DetDataSample
from mmengine.evaluator import Evaluator

from e2evlp_mm.evaluation import (
    E2EVLPNLVR2Acc,
    E2EVLPPretrainMetric,
    E2EVLPRetrievalRecall,
)


def test_nlvr2_acc():
    preds, labels = [1, 0, 1, 1], [1, 1, 1, 0]
    evaluator = Evaluator(E2EVLPNLVR2Acc())
    evaluator.process([
        DetDataSample(pred_nlvr_label=p, nlvr_label=torch.tensor(g))
        for p, g in zip(preds, labels)
    ])
    assert evaluator.evaluate(4) == {'NLVR2/acc': pytest.approx(50.0)}


def test_pretrain_metric():
    samples = [
        # Aligned predictions: masked at 1 (right) and 3 (wrong).
        DetDataSample(
            mlm_labels=torch.tensor([-100, 5, -100, 7]),
            pred_mlm_ids=torch.tensor([1, 5, 2, 8]),
            itm_label=torch.tensor(1),
            pred_itm_score=torch.tensor(0.9)),
        # Predictions for the masked positions only: both right.
        DetDataSample(
            mlm_labels=torch.tensor([-100, 3, 4]),
            pred_mlm_ids=torch.tensor([3, 4]),
            itm_label=torch.tensor(1),
            pred_itm_score=0.2),
        # ITM negative: nothing masked; (mismatched, matched) scores.
        DetDataSample(
            mlm_labels=torch.tensor([-100, -100]),
            pred_mlm_ids=torch.tensor([9, 9]),
            itm_label=torch.tensor(0),
            pred_itm_score=torch.tensor([0.7, 0.3])),
    ]
    evaluator = Evaluator(E2EVLPPretrainMetric())
    evaluator.process(samples)
    metrics = evaluator.evaluate(3)
    assert metrics['pretrain/mlm_acc'] == pytest.approx(75.0)  # 3 / 4
    assert metrics['pretrain/itm_acc'] == pytest.approx(200 / 3)  # 2 / 3

    evaluator = Evaluator(E2EVLPPretrainMetric(itm_thr=0.1))
    evaluator.process([
        DetDataSample(itm_label=torch.tensor(1), pred_itm_score=0.2)
    ])
    assert evaluator.evaluate(1) == {'pretrain/itm_acc': 100.0}


def _retrieval_samples():
    # Image 0 owns texts 0 and 1, image 1 owns texts 2 and 3.
    sim = torch.tensor([[0.9, 0.1, 0.8, 0.55], [0.7, 0.3, 0.6, 0.5]])
    return [
        DetDataSample(pred_i2t_score=sim[0], gt_text_id=[0, 1]),
        DetDataSample(pred_i2t_score=sim[1], gt_text_id=torch.tensor([2,
                                                                      3])),
    ]


def test_retrieval_recall_by_hand():
    # Image queries (rows): image 0 ranks t0 first (hit@1); image 1 ranks
    # t0, t2, ... so it misses @1 and hits @2 -> tr_r1 50, tr_r2 100.
    # Text queries (columns): t0 -> img0 hit, t1 -> img1 miss,
    # t2 -> img0 miss, t3 -> img0 miss -> ir_r1 25; with 2 images every
    # text hits @2 -> ir_r2 100.
    evaluator = Evaluator(E2EVLPRetrievalRecall(topk=(1, 2)))
    evaluator.process(_retrieval_samples())
    metrics = evaluator.evaluate(2)
    assert metrics == pytest.approx({
        'retrieval/tr_r1': 50.0,
        'retrieval/tr_r2': 100.0,
        'retrieval/ir_r1': 25.0,
        'retrieval/ir_r2': 100.0,
        'retrieval/r_mean': 68.75,
    })


def test_retrieval_recall_default_topk():
    # K larger than the candidate count is clipped: every @5 / @10 hits.
    evaluator = Evaluator(E2EVLPRetrievalRecall())
    evaluator.process(_retrieval_samples())
    metrics = evaluator.evaluate(2)
    assert metrics['retrieval/tr_r10'] == 100.0
    assert metrics['retrieval/ir_r5'] == 100.0
    assert metrics['retrieval/r_mean'] == pytest.approx(475 / 6)
