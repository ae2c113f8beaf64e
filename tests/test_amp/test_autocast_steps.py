# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""One training step and one predict step of every paper model type under
CPU autocast, in bf16 and in fp16 (what ``--amp`` runs on a GPU).

Each model is built once from its paper config, shrunk in size only
(``e2evlp_mm.testing.paper_models``); its fp32 step on the same batch,
weights and dropout masks is the reference.
"""
import logging

import pytest
import torch
from mmengine.logging import MMLogger

import e2evlp_mm  # noqa: F401  (registers the models)
from e2evlp_mm.testing.paper_models import (
    PAPER_MODELS,
    build_paper_model,
    paper_batch,
)

DTYPES = (torch.bfloat16, torch.float16)
# Half-precision activations move the summed loss by < 1% here (largest
# seen: 0.5%, a Table 3 ablation in fp16); 2% + 0.02 leaves room for a
# Hungarian match that flips, and fails on a loss computed in half
# precision or a NaN.
RTOL, ATOL = 0.02, 0.02


@pytest.fixture(scope='module')
def paper_models():
    """name -> (model, batch, fp32 loss), built on first use."""
    MMLogger.get_current_instance().setLevel(logging.WARNING)
    cache = {}

    def get(name):
        if name not in cache:
            model = build_paper_model(name)
            batch = paper_batch(model)
            torch.manual_seed(0)
            loss, _ = model.parse_losses(model.loss(*batch))
            cache[name] = model, batch, loss.item()
        return cache[name]

    return get


@pytest.mark.parametrize('dtype', DTYPES, ids=str)
@pytest.mark.parametrize('name', PAPER_MODELS)
def test_train_step_losses_fp32_and_close(paper_models, name, dtype):
    model, batch, reference = paper_models(name)
    torch.manual_seed(0)  # the same dropout masks as the fp32 step
    with torch.autocast('cpu', dtype=dtype):
        losses = model.loss(*batch)
        total, _ = model.parse_losses(losses)
    for key, value in losses.items():
        if 'loss' in key:
            assert value.dtype == torch.float32, key
            assert torch.isfinite(value), key
    assert abs(total.item() - reference) <= RTOL * abs(reference) + ATOL
    model.zero_grad()
    total.backward()
    grads = [p.grad for p in model.parameters() if p.grad is not None]
    assert grads and all(torch.isfinite(g).all() for g in grads)


@pytest.mark.parametrize('dtype', DTYPES, ids=str)
@pytest.mark.parametrize('name', PAPER_MODELS)
def test_predict_step_keeps_dtypes(paper_models, name, dtype):
    model = paper_models(name)[0]
    inputs, samples = paper_batch(model, training=False)
    model.eval()
    try:
        with torch.no_grad(), torch.autocast('cpu', dtype=dtype):
            results = model.predict(inputs, samples)
    finally:
        model.train()
    assert len(results) == len(samples)
    for ds in results:
        if 'pred_instances' in ds:  # boxes for the COCO / VG metrics
            pred = ds.pred_instances
            for key in ('bboxes', 'scores', 'attr_scores'):
                if key in pred:
                    assert pred[key].dtype == torch.float32, key
                    assert torch.isfinite(pred[key]).all(), key
        for key in ('pred_itm_score', 'pred_answer_score',
                    'pred_nlvr_score', 'pred_caption_score',
                    'pred_match_score'):
            if key in ds:
                assert isinstance(ds.get(key), float), key
