# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""E2EVLPCircleLoss and E2EVLPITCLoss against hand-written formulas."""
import math

import pytest
import torch
import torch.nn.functional as F
from mmdet.registry import MODELS

import e2evlp_mm  # noqa: F401  (registers the losses)
from e2evlp_mm.models.losses import E2EVLPCircleLoss, E2EVLPITCLoss


def reference_circle_loss(pos, neg, neg_valid, margin, gamma):
    """The hard-coded function the head used before the losses package."""
    alpha_p = (1 + margin - pos).detach().clamp(min=0)
    alpha_n = (neg + margin).detach().clamp(min=0)
    logit_p = -gamma * alpha_p * (pos - (1 - margin))
    logit_n = gamma * alpha_n * (neg - margin)
    logit_n = logit_n.masked_fill(~neg_valid, float('-inf'))
    has_neg = neg_valid.any(1)
    loss = F.softplus(logit_n[has_neg].logsumexp(1) + logit_p[has_neg])
    return loss.mean()


def test_circle_loss_by_hand():
    pos = torch.tensor([0.8])
    neg = torch.tensor([[0.3, 0.1]])
    # alpha_p = 1.25 - 0.8, alpha_n = s_n + 0.25; Delta_p = .75, Delta_n = .25
    logit_p = -2 * 0.45 * (0.8 - 0.75)
    logit_n = [2 * 0.55 * (0.3 - 0.25), 2 * 0.35 * (0.1 - 0.25)]
    expected = math.log(1 + sum(math.exp(n) for n in logit_n) *
                        math.exp(logit_p))
    loss = E2EVLPCircleLoss(margin=0.25, gamma=2.0)(pos, neg)
    assert abs(loss.item() - expected) < 1e-6

    # a masked negative is ignored; a query without negatives gives nothing
    circle = E2EVLPCircleLoss(margin=0.25, gamma=2.0)
    masked = circle(
        torch.tensor([0.8, 0.2]), torch.tensor([[0.3, 0.9], [0.9, 0.9]]),
        torch.tensor([[True, False], [False, False]]))
    torch.testing.assert_close(masked, circle(pos, neg[:, :1]))


@pytest.mark.parametrize('seed', range(5))
def test_circle_loss_equals_the_old_formula_on_random_inputs(seed):
    gen = torch.Generator().manual_seed(seed)
    pos = torch.rand(7, generator=gen)
    neg = torch.rand(7, 6, generator=gen)
    valid = torch.rand(7, 6, generator=gen) > 0.3
    valid[0] = True
    expected = reference_circle_loss(pos, neg, valid, 0.25, 64.0)
    loss = MODELS.build(
        dict(type='E2EVLPCircleLoss', margin=0.25, gamma=64.0,
             loss_weight=1.0))(pos, neg, valid)
    assert torch.equal(loss, expected)
    weighted = E2EVLPCircleLoss(margin=0.3, gamma=16.0, loss_weight=0.5)
    assert torch.equal(
        weighted(pos, neg, valid),
        0.5 * reference_circle_loss(pos, neg, valid, 0.3, 16.0))


def test_circle_loss_no_negatives_is_zero_with_finite_grad():
    pos = torch.tensor([0.5], requires_grad=True)
    neg = torch.tensor([[0.5]], requires_grad=True)
    loss = E2EVLPCircleLoss()(pos, neg, torch.tensor([[False]]))
    loss.backward()
    assert loss.item() == 0 and torch.isfinite(pos.grad).all()


def test_circle_loss_orders_pairs():
    circle = E2EVLPCircleLoss()
    good = circle(torch.tensor([0.9]), torch.tensor([[0.1]]))
    bad = circle(torch.tensor([0.1]), torch.tensor([[0.9]]))
    assert good < 1e-2 < 1 < bad


def test_itc_loss_is_cross_entropy_for_distinct_images():
    gen = torch.Generator().manual_seed(0)
    img = F.normalize(torch.randn(3, 4, generator=gen), dim=-1)
    txt = F.normalize(torch.randn(3, 4, generator=gen), dim=-1)
    sim = img @ txt.t() / 0.07
    target = torch.arange(3)
    expected = (F.cross_entropy(sim, target) +
                F.cross_entropy(sim.t(), target)) / 2
    loss = E2EVLPITCLoss(temperature=0.07)(img, txt, torch.tensor([4, 5, 6]))
    torch.testing.assert_close(loss, expected)
    weighted = E2EVLPITCLoss(temperature=0.07, loss_weight=0.25)
    torch.testing.assert_close(
        weighted(img, txt, torch.tensor([4, 5, 6])), 0.25 * expected)


def test_itc_loss_spreads_the_target_over_texts_of_one_image():
    img = F.normalize(torch.randn(3, 4), dim=-1)
    txt = F.normalize(torch.randn(3, 4), dim=-1)
    sim = img @ txt.t() / 0.1
    target = torch.tensor([[.5, .5, 0], [.5, .5, 0], [0, 0, 1]])
    expected = -((sim.log_softmax(1) * target).sum(1).mean() +
                 (sim.t().log_softmax(1) * target).sum(1).mean()) / 2
    loss = E2EVLPITCLoss(temperature=0.1)(img, txt, torch.tensor([1, 1, 2]))
    torch.testing.assert_close(loss, expected)
