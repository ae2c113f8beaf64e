# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""E2EVLPRetriever and its ranking loop on the tiny config (CPU)."""
import os.path as osp
from types import SimpleNamespace

import pytest
import torch
from mmdet.structures import DetDataSample
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.evaluator import Evaluator

import e2evlp_mm  # noqa: F401  (registers the models)
from e2evlp_mm.engine.e2evlp_retrieval_loop import rank_split
from e2evlp_mm.testing import (
    assert_every_param_has_grad,
    build_model_from,
    make_e2evlp_batch,
)

DATA = osp.join(osp.dirname(__file__), '..', '..', 'data')
TINY = osp.join(DATA, 'configs', 'e2evlp_tiny.py')
TINY_TRUNK = osp.join(DATA, 'configs', 'e2evlp_tiny_trunk.py')


def build(model_type='E2EVLPRetriever', **overrides):
    if model_type != 'E2EVLPRetriever':
        return build_model_from(TINY, type=model_type, **overrides)
    return build_model_from(
        TINY_TRUNK,
        type=model_type,
        retrieval_head=dict(
            type='E2EVLPRetrievalHead', num_negatives=2, itc_dims=16),
        **overrides)


def test_loss_and_every_parameter_gets_gradient():
    model = build()
    assert model.decoder is None and model.bbox_head is None
    losses = model.loss(*make_e2evlp_batch(4, image_sizes=((64, 64),
                                                           (48, 40))))
    assert set(losses) == {'loss_retrieval', 'acc_retrieval', 'loss_itc',
                           'acc_itc'}
    total = losses['loss_retrieval'] + losses['loss_itc']
    assert torch.isfinite(total) and total > 0
    total.backward()
    assert_every_param_has_grad(model)


def test_one_image_batch_has_no_negatives():
    model = build()
    inputs, samples = make_e2evlp_batch(2)
    for ds in samples:
        ds.set_metainfo(dict(img_id=7))
    losses = model.loss(inputs, samples)
    assert losses['loss_retrieval'] == 0
    losses['loss_retrieval'].backward()


@pytest.mark.parametrize('key', ['decoder', 'bbox_head', 'itm_head'])
def test_pre_training_parts_are_rejected(key):
    pre = Config.fromfile(TINY).model
    with pytest.raises(TypeError, match=key):
        build(**{key: pre[key]})


def gallery(model, num_images=3, num_texts=5):
    """Encoded images and random texts of different lengths."""
    inputs, samples = make_e2evlp_batch(
        num_images, image_sizes=((64, 64), (48, 40)), training=False)
    gen = torch.Generator().manual_seed(1)
    texts = [
        torch.cat([
            torch.tensor([1]),
            torch.randint(5, 50, (3 + j, ), generator=gen),
            torch.tensor([2])
        ]) for j in range(num_texts)
    ]
    with torch.no_grad():
        images = model.encode_images(inputs, samples)
    return inputs, samples, images, texts


def test_score_matrix_matches_pairwise_joint_pass():
    model = build().eval()
    inputs, samples, images, texts = gallery(model)
    with torch.no_grad():
        full, num_pairs = model.score_all(images, texts)
        assert num_pairs == 15
        for i, j in ((0, 0), (1, 4), (2, 2)):
            ds = samples[i].clone()
            ds.text_ids = texts[j]
            logit = model(inputs[i:i + 1, :, :ds.img_shape[0], :ds.img_shape[
                1]], [ds], mode='tensor')
            torch.testing.assert_close(full[i, j], logit[0], atol=1e-4,
                                       rtol=1e-4)


def test_prefilter():
    model = build().eval()
    _, _, images, texts = gallery(model)
    with torch.no_grad():
        full, _ = model.score_all(images, texts)
        same, n_same = model.score_all(images, texts, topk=5)
        cheap, n_cheap = model.score_all(images, texts, topk=1)
    assert n_same == 15
    torch.testing.assert_close(same, full)
    assert 5 <= n_cheap < 15  # each text's best image, each image's best
    scored = cheap > -1e3
    assert scored.sum() == n_cheap
    torch.testing.assert_close(cheap[scored], full[scored])
    # unscored pairs rank below every scored one of their row
    assert (cheap[~scored] < -1e3).all()


def test_prefilter_on_a_share_of_the_gallery():
    # one rank's rows, pre-filtered against the whole gathered gallery
    model = build().eval()
    _, _, images, texts = gallery(model)
    embeds = torch.stack([im['embed'] for im in images])
    with torch.no_grad():
        whole, n_whole = model.score_all(images, texts, topk=1)
        parts = [
            model.score_all([images[i] for i in rows], texts, 1,
                            (embeds, torch.tensor(rows)))
            for rows in ([2, 0], [1])
        ]
    torch.testing.assert_close(parts[0][0], whole[[2, 0]])
    torch.testing.assert_close(parts[1][0], whole[[1]])
    assert parts[0][1] + parts[1][1] == n_whole


def test_rank_split_feeds_recall():
    model = build().eval()
    inputs, samples, _, texts = gallery(model, 2, 4)
    words = {f'sentence {j}': t for j, t in enumerate(texts)}
    batches = []
    for i, ds in enumerate(samples):
        ds = DetDataSample(metainfo=ds.metainfo)
        ds.set_metainfo(dict(text=[f'sentence {2 * i}',
                                   f'sentence {2 * i + 1}'],
                             gt_text_id=[2 * i, 2 * i + 1]))
        img = (torch.rand(3, 32, 32) * 255).byte()
        batches.append(dict(inputs=[img], data_samples=[ds]))
    evaluator = Evaluator(dict(type='E2EVLPRetrievalRecall', topk=(1, 2)))
    evaluator.dataset_meta = {}
    runner = SimpleNamespace(model=model, call_hook=lambda *a, **k: None)
    loop = SimpleNamespace(runner=runner, dataloader=batches,
                           evaluator=evaluator)
    pipeline = Compose([lambda r: dict(r, text_ids=words[r['text']])])
    metrics = rank_split(loop, 'test', pipeline, prefilter_topk=None)
    assert {'retrieval/tr_r1', 'retrieval/ir_r2',
            'retrieval/r_mean'} <= set(metrics)
    assert metrics['retrieval/ir_r2'] == 100  # 2 images: always in top 2
    with torch.no_grad():
        metrics_k = rank_split(loop, 'test', pipeline, prefilter_topk=4)
    assert metrics_k == metrics


def test_loads_pre_training_checkpoint():
    pretrain = build('E2EVLP',
                     itc_head=dict(type='E2EVLPITCHead', itc_dims=16))
    model = build()
    result = model.load_state_dict(pretrain.state_dict(), strict=False)
    # the retrieval head starts from the ITM and ITC heads
    assert result.missing_keys == []
    assert {k.split('.')[0] for k in result.unexpected_keys} == {
        'decoder', 'bbox_head', 'query_embedding', 'mlm_head', 'itm_head',
        'caption_head', 'itc_head'
    }
    torch.testing.assert_close(model.encoder.state_dict(),
                               pretrain.encoder.state_dict())
    torch.testing.assert_close(model.retrieval_head.itc.state_dict(),
                               pretrain.itc_head.state_dict())
    # sigmoid of the retrieval logit is ITM's probability of a match
    cls = torch.randn(5, model.embed_dims)
    matched = pretrain.itm_head(cls).softmax(-1)[:, 1]
    torch.testing.assert_close(model.retrieval_head(cls).sigmoid(), matched)


def test_retrieval_checkpoint_keeps_its_head():
    pretrain = build('E2EVLP',
                     itc_head=dict(type='E2EVLPITCHead', itc_dims=16))
    trained = build()
    state = dict(pretrain.state_dict(), **trained.state_dict())
    model = build()
    model.load_state_dict(state, strict=False)
    torch.testing.assert_close(model.retrieval_head.state_dict(),
                               trained.retrieval_head.state_dict())


def test_pre_filter_of_another_size_is_left_as_built():
    pretrain = build('E2EVLP',
                     itc_head=dict(type='E2EVLPITCHead', itc_dims=8))
    model = build()
    before = {k: v.clone()
              for k, v in model.retrieval_head.itc.state_dict().items()}
    result = model.load_state_dict(pretrain.state_dict(), strict=False)
    assert set(result.missing_keys) == {
        f'retrieval_head.itc.{k}' for k in before}
    torch.testing.assert_close(model.retrieval_head.itc.state_dict(), before)
