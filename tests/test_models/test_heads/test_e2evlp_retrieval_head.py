# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""E2EVLPRetrievalHead: circle loss and ITC checked by hand."""
import math

import torch
import torch.nn.functional as F

from e2evlp_mm.models.heads import E2EVLPRetrievalHead
from e2evlp_mm.models.heads.e2evlp_retrieval_head import circle_loss


def test_circle_loss_by_hand():
    pos = torch.tensor([0.8])
    neg = torch.tensor([[0.3, 0.1]])
    # alpha_p = 1.25 - 0.8, alpha_n = s_n + 0.25; Delta_p = .75, Delta_n = .25
    logit_p = -2 * 0.45 * (0.8 - 0.75)
    logit_n = [2 * 0.55 * (0.3 - 0.25), 2 * 0.35 * (0.1 - 0.25)]
    expected = math.log(1 + sum(math.exp(n) for n in logit_n) *
                        math.exp(logit_p))
    loss = circle_loss(pos, neg, margin=0.25, gamma=2.0)
    assert abs(loss.item() - expected) < 1e-6

    # a masked negative is ignored; a query without negatives gives nothing
    masked = circle_loss(
        torch.tensor([0.8, 0.2]),
        torch.tensor([[0.3, 0.9], [0.9, 0.9]]),
        torch.tensor([[True, False], [False, False]]),
        margin=0.25,
        gamma=2.0)
    single = circle_loss(pos, neg[:, :1], margin=0.25, gamma=2.0)
    torch.testing.assert_close(masked, single)


def test_circle_loss_no_negatives_is_zero_with_finite_grad():
    pos = torch.tensor([0.5], requires_grad=True)
    neg = torch.tensor([[0.5]], requires_grad=True)
    loss = circle_loss(pos, neg, torch.tensor([[False]]))
    loss.backward()
    assert loss.item() == 0 and torch.isfinite(pos.grad).all()


def test_circle_loss_orders_pairs():
    good = circle_loss(torch.tensor([0.9]), torch.tensor([[0.1]]))
    bad = circle_loss(torch.tensor([0.1]), torch.tensor([[0.9]]))
    assert good < 1e-2 < 1 < bad


def test_sample_negatives_never_the_same_image():
    torch.manual_seed(0)
    head = E2EVLPRetrievalHead(embed_dims=8, num_negatives=5)
    ids = torch.tensor([0, 0, 1, 2])
    idx, valid = head.sample_negatives(ids)
    assert idx.shape == valid.shape == (4, 5) and valid.all()
    assert (ids[idx] != ids[:, None]).all()
    _, valid = head.sample_negatives(torch.tensor([3, 3]))
    assert not valid.any()


def test_loss_keys_and_accuracy():
    head = E2EVLPRetrievalHead(embed_dims=4, num_negatives=1)
    with torch.no_grad():
        head.fc.weight.copy_(torch.tensor([[1., 0., 0., 0.]]))
        head.fc.bias.zero_()
    pos = torch.tensor([[5., 0, 0, 0], [-5., 0, 0, 0]])
    neg = torch.tensor([[[-5., 0, 0, 0]], [[5., 0, 0, 0]]])
    losses = head.loss(pos, neg, torch.ones(2, 1, dtype=torch.bool))
    assert losses['acc_retrieval'] == 50
    expected = circle_loss(
        torch.tensor([5., -5.]).sigmoid(),
        torch.tensor([[-5.], [5.]]).sigmoid())
    torch.testing.assert_close(losses['loss_retrieval'], expected)


def test_itc_loss_is_cross_entropy_for_distinct_images():
    torch.manual_seed(0)
    head = E2EVLPRetrievalHead(embed_dims=8, itc_dims=4, itc_weight=1.0)
    img, txt = torch.randn(3, 8), torch.randn(3, 8)
    sim = head.embed_images(img) @ head.embed_texts(txt).t() / 0.07
    target = torch.arange(3)
    expected = (F.cross_entropy(sim, target) +
                F.cross_entropy(sim.t(), target)) / 2
    loss = head.loss_itc(img, txt, torch.tensor([4, 5, 6]))['loss_itc']
    torch.testing.assert_close(loss, expected)
