# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""E2EVLPRetrievalHead: negatives, training pairs and losses."""
import torch
from mmdet.structures import DetDataSample

import e2evlp_mm  # noqa: F401  (registers the losses)
from e2evlp_mm.models.heads import E2EVLPRetrievalHead
from e2evlp_mm.models.losses import E2EVLPCircleLoss


def samples(*img_ids):
    return [DetDataSample(metainfo=dict(img_id=i)) for i in img_ids]


def test_sample_negatives_never_the_same_image():
    torch.manual_seed(0)
    head = E2EVLPRetrievalHead(embed_dims=8, num_negatives=5)
    ids = torch.tensor([0, 0, 1, 2])
    idx, valid = head.sample_negatives(ids)
    assert idx.shape == valid.shape == (4, 5) and valid.all()
    assert (ids[idx] != ids[:, None]).all()
    _, valid = head.sample_negatives(torch.tensor([3, 3]))
    assert not valid.any()


def test_pair_indices_positives_then_swapped_texts_then_images():
    torch.manual_seed(0)
    head = E2EVLPRetrievalHead(embed_dims=8, num_negatives=2)
    ids = torch.tensor([0, 1, 2])
    img_idx, txt_idx, valid = head.pair_indices(ids)
    assert img_idx.shape == txt_idx.shape == (3 * (1 + 2 * 2), )
    assert valid.shape == (3, 4) and valid.all()
    assert (img_idx[:3] == txt_idx[:3]).all()
    # k texts of other images with each image, then k images with each text
    assert (img_idx[3:9] == torch.tensor([0, 0, 1, 1, 2, 2])).all()
    assert (txt_idx[9:] == torch.tensor([0, 0, 1, 1, 2, 2])).all()
    assert (ids[img_idx[3:]] != ids[txt_idx[3:]]).all()


def test_loss_keys_and_accuracy():
    head = E2EVLPRetrievalHead(embed_dims=4, num_negatives=1)
    with torch.no_grad():
        head.fc.weight.copy_(torch.tensor([[1., 0., 0., 0.]]))
        head.fc.bias.zero_()
    # pair score = first feature: pair (1, 1) scores +5, pair (0, 0) -5,
    # every mismatched pair 0
    calls = []

    def encode_pairs(img_idx, txt_idx):
        calls.append((img_idx, txt_idx))
        same = img_idx == txt_idx
        score = torch.where(same, 10. * img_idx - 5, 0.)
        return torch.stack([score] + [torch.zeros_like(score)] * 3, 1)

    losses = head.loss(encode_pairs, samples(0, 1))
    assert len(calls) == 1 and len(calls[0][0]) == 2 * (1 + 2)
    assert set(losses) == {'loss_retrieval', 'acc_retrieval'}
    # image 1's negatives are below its positive, image 0's are not
    assert losses['acc_retrieval'] == 50
    expected = E2EVLPCircleLoss()(
        torch.tensor([-5., 5.]).sigmoid(),
        torch.zeros(2, 2).sigmoid())
    torch.testing.assert_close(losses['loss_retrieval'], expected)


def test_loss_weight_and_itc_branch():
    torch.manual_seed(0)
    head = E2EVLPRetrievalHead(
        embed_dims=8, num_negatives=1, itc_dims=4,
        loss_retrieval=dict(type='E2EVLPCircleLoss', loss_weight=0.),
        loss_itc=dict(type='E2EVLPITCLoss', temperature=0.07,
                      loss_weight=2.))
    feats = torch.randn(3, 8)

    def encode_pairs(img_idx, txt_idx):
        return feats[img_idx] + feats[txt_idx]

    img, txt = torch.randn(3, 8), torch.randn(3, 8)
    losses = head.loss(encode_pairs, samples(4, 5, 6), lambda: (img, txt))
    assert losses['loss_retrieval'] == 0
    sim = head.embed_images(img) @ head.embed_texts(txt).t() / 0.07
    target = torch.arange(3)
    expected = torch.nn.functional.cross_entropy(sim, target) + \
        torch.nn.functional.cross_entropy(sim.t(), target)
    torch.testing.assert_close(losses['loss_itc'], expected)


def test_reads_checkpoints_with_projections_on_the_head():
    """Older checkpoints kept ``image_proj`` / ``text_proj`` on the head;
    they load into its ITC head."""
    head = E2EVLPRetrievalHead(embed_dims=8, itc_dims=4)
    old = {k.replace('itc.', ''): torch.randn_like(v)
           for k, v in head.state_dict().items() if 'proj' in k}
    old['fc.weight'] = head.fc.weight.detach().clone()
    old['fc.bias'] = head.fc.bias.detach().clone()
    assert set(old) == {'fc.weight', 'fc.bias', 'image_proj.weight',
                        'image_proj.bias', 'text_proj.weight',
                        'text_proj.bias'}
    head.load_state_dict(old)
    torch.testing.assert_close(head.itc.image_proj.weight,
                               old['image_proj.weight'])
    torch.testing.assert_close(head.itc.text_proj.bias,
                               old['text_proj.bias'])
