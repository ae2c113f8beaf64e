# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""ITM hard negatives drawn by contrastive similarity."""
import torch

from e2evlp_mm.models.layers import sample_hard_texts


def test_never_draws_own_image_or_non_candidates():
    torch.manual_seed(0)
    keys = torch.tensor([0, 0, 1, 2, 3])
    candidates = torch.tensor([True, True, True, False, True])
    sim = torch.randn(5, 5)
    for _ in range(50):
        pick = sample_hard_texts(sim, keys, candidates, 1.0)
        assert (keys[pick] != keys).all()
        assert candidates[pick].all()


def test_low_temperature_takes_the_most_similar_allowed_text():
    keys = torch.arange(4)
    sim = torch.tensor([[9., 5., 1., 0.],   # own text (9) is never drawn
                        [0., 9., 1., 7.],
                        [3., 2., 9., 8.],   # 8 is not a candidate
                        [0., 0., 0., 9.]])
    candidates = torch.tensor([True, True, True, False])
    pick = sample_hard_texts(sim, keys, candidates, 1e-3)
    assert pick.tolist() == [1, 2, 0, 0]


def test_minus_one_where_no_text_may_be_drawn():
    keys = torch.tensor([0, 0, 1])
    candidates = torch.tensor([True, True, False])
    pick = sample_hard_texts(torch.zeros(3, 3), keys, candidates, 0.07)
    assert pick[:2].tolist() == [-1, -1] and pick[2].item() in (0, 1)
