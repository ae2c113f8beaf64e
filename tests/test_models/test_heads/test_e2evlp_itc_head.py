# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""The image-text contrastive head: its loss, accuracy and image keys."""
import os
import subprocess
import sys

import torch
import torch.nn.functional as F

import e2evlp_mm  # noqa: F401  (registers the losses)
from e2evlp_mm.models.heads import E2EVLPITCHead
from e2evlp_mm.models.heads.e2evlp_itc_head import image_keys


def test_image_keys_equal_for_one_image_and_stable():
    keys = image_keys(['b.jpg', 'a.jpg', 'b.jpg', 'c.jpg', 3])
    assert keys[0] == keys[2] and len(set(keys.tolist())) == 4
    # what another process (rank, another str hash seed) computes for it
    code = ('from e2evlp_mm.models.heads.e2evlp_itc_head import image_keys;'
            "print(image_keys(['b.jpg']).item())")
    out = subprocess.run([sys.executable, '-c', code], check=True,
                         capture_output=True, text=True,
                         env=dict(os.environ, PYTHONHASHSEED='123'))
    assert int(out.stdout.split()[-1]) == keys[0].item()


def test_loss_is_symmetric_infonce_with_shared_positives():
    torch.manual_seed(0)
    head = E2EVLPITCHead(
        embed_dims=8, itc_dims=4,
        loss_itc=dict(type='E2EVLPITCLoss', temperature=0.1,
                      loss_weight=2.))
    img, txt = torch.randn(3, 8), torch.randn(3, 8)
    ids = torch.tensor([0, 0, 1])  # rows 0 and 1 show one image
    losses = head.loss(img, txt, ids)
    i, t = head.embed_images(img), head.embed_texts(txt)
    torch.testing.assert_close(i.norm(dim=-1), torch.ones(3))
    sim = i @ t.t() / 0.1
    target = torch.tensor([[.5, .5, 0], [.5, .5, 0], [0, 0, 1]])
    expected = -(F.log_softmax(sim, 1) * target).sum(1).mean() - (
        F.log_softmax(sim.t(), 1) * target).sum(1).mean()
    torch.testing.assert_close(losses['loss_itc'], expected)  # 2 x mean
    best = (t @ i.t()).argmax(1)
    acc = 100 * (ids[best] == ids).float().mean()
    torch.testing.assert_close(losses['acc_itc'], acc)


def test_acc_is_100_when_each_text_is_nearest_its_image():
    head = E2EVLPITCHead(embed_dims=3, itc_dims=3)
    with torch.no_grad():
        for proj in (head.image_proj, head.text_proj):
            proj.weight.copy_(torch.eye(3))
            proj.bias.zero_()
    feats = torch.eye(3)
    losses = head.loss(feats, feats, torch.arange(3))
    assert losses['acc_itc'].item() == 100
    shuffled = head.loss(feats, feats.roll(1, 0), torch.arange(3))
    assert shuffled['acc_itc'].item() == 0
    assert shuffled['loss_itc'] > losses['loss_itc']
