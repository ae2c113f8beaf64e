"""Build a retrieval gallery once, search it, save / load it, and
``image_demo.py --gallery-dir`` (tiny random-init retriever)."""
import json
import os
import os.path as osp
import runpy
import sys

import numpy as np
import pytest
import torch

from e2evlp_mm.apis import E2EVLPInferencer, RetrievalGallery
from e2evlp_mm.testing import make_tiny_shapes_world, tiny_shapes_checkpoint

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
QUERIES = ['a red circle', 'two blue squares', 'a green star']


@pytest.fixture(scope='module')
def work(tmp_path_factory):
    root = tmp_path_factory.mktemp('gallery')
    world = make_tiny_shapes_world(str(root / 'shapes_world'))
    tiny_shapes_checkpoint('retrieval', world, str(root / 'retrieval'))
    return root


@pytest.fixture(scope='module')
def inferencer(work):
    return E2EVLPInferencer(str(work / 'retrieval'), device='cpu')


@pytest.fixture(scope='module')
def images(work):
    folder = work / 'shapes_world' / 'coco' / 'train2017'
    return sorted(str(p) for p in folder.iterdir())[:12]


def _ids(inferencer, texts):
    return [
        torch.as_tensor(inferencer.tokenize(dict(text=t))['text_ids'])
        for t in texts
    ]


def _score_all(inferencer, images):
    """The evaluation loop's exhaustive scores (N_img, N_txt)."""
    model = inferencer.model
    data = model.data_preprocessor(
        next(inferencer.preprocess([dict(img_path=x) for x in images],
                                   len(images))), False)
    with torch.no_grad():
        encoded = model.encode_images(data['inputs'], data['data_samples'])
        return model.score_all(encoded, _ids(inferencer, QUERIES))[0]


def test_search_top5_equals_exhaustive_scoring(inferencer, images):
    assert inferencer.default_prefilter_topk() == 64  # the model's
    gallery = inferencer.build_gallery(images=images, batch_size=5)
    assert gallery.num_images == 12 and gallery.image_names == images
    reference = _score_all(inferencer, images).t()  # (N_txt, N_img)
    exhaustive = inferencer.search(gallery, texts=QUERIES,
                                   prefilter_topk=None)
    default = inferencer.search(gallery, texts=QUERIES)  # 64 >= 12
    for q, (full, pre) in enumerate(zip(exhaustive, default)):
        top5 = reference[q].topk(5).indices.tolist()
        assert [r['index'] for r in full['topk']] == top5
        assert [r['index'] for r in pre['topk']] == top5
        assert full['query'] == QUERIES[q]
        assert [r['name'] for r in full['topk']] == [images[i] for i in top5]
        for r in full['topk']:
            assert r['score'] == pytest.approx(
                reference[q, r['index']].item(), abs=1e-3)


def test_prefilter_scores_only_the_dual_encoder_candidates(
        inferencer, images):
    gallery = inferencer.build_gallery(images=images)
    text = inferencer.build_gallery(texts=QUERIES)
    reference = _score_all(inferencer, images).t()
    results = inferencer.search(gallery, texts=QUERIES, topk=3,
                                prefilter_topk=3)
    for q, result in enumerate(results):
        cosine = gallery.image_embed @ text.text_embed[q]
        assert {r['index'] for r in result['topk']} == set(
            cosine.topk(3).indices.tolist())
        for r in result['topk']:  # the joint pass's logits
            assert r['score'] == pytest.approx(
                reference[q, r['index']].item(), abs=1e-3)
    # the other direction: texts ranked for each image
    by_image = inferencer.search(text, images=images[:2], topk=3,
                                 prefilter_topk=None)
    for i, result in enumerate(by_image):
        assert result['query'] == images[i]
        assert [r['index'] for r in result['topk']] == reference[:, i].topk(
            3).indices.tolist()


def test_images_of_other_sizes_are_padded(inferencer, images):
    wide = np.random.default_rng(0).integers(0, 255, (64, 160, 3),
                                             dtype=np.uint8)
    gallery = inferencer.build_gallery(images=[images[0], wide],
                                       batch_size=1)
    assert gallery.image_names == [images[0], '00000001']
    assert gallery.image_mask[1].sum() > 0 == gallery.image_mask[0].sum()
    ranked = inferencer.search(gallery, texts=QUERIES[0], topk=2)[0]
    for index, image in enumerate([images[0], wide]):
        alone = inferencer.search(inferencer.build_gallery(images=[image]),
                                  texts=QUERIES[0])[0]['topk'][0]['score']
        score = [r for r in ranked['topk'] if r['index'] == index][0]
        assert score['score'] == pytest.approx(alone, abs=1e-3)


def test_gallery_cache_refused_for_another_checkpoint(
        inferencer, images, work, tmp_path):
    gallery = inferencer.build_gallery(images=images[:4], texts=QUERIES)
    cache = str(tmp_path / 'g.pth')
    gallery.save(cache)
    loaded = inferencer.load_gallery(cache)
    assert loaded.checkpoint == inferencer.checkpoint_id()
    assert loaded.image_names == images[:4] and loaded.texts == QUERIES
    assert inferencer.search(loaded, texts=QUERIES) == inferencer.search(
        gallery, texts=QUERIES)
    # the same weights under another file name keep the identity
    state = torch.load(inferencer.weights_path, weights_only=True)
    moved = str(tmp_path / 'moved.pth')
    torch.save(state, moved)
    same = E2EVLPInferencer(str(work / 'retrieval'), weights=moved,
                            device='cpu')
    assert same.load_gallery(cache).num_images == 4
    # other weights: refused, naming both checkpoints
    state['state_dict']['retrieval_head.fc.bias'] += 1
    other = str(tmp_path / 'other.pth')
    torch.save(state, other)
    another = E2EVLPInferencer(str(work / 'retrieval'), weights=other,
                               device='cpu')
    with pytest.raises(ValueError, match='encoded by checkpoint .*iter_1'):
        another.load_gallery(cache)
    with pytest.raises(ValueError, match='other images'):
        inferencer.cached_gallery(cache, images=images[:3])
    with pytest.raises(ValueError, match='not a gallery cache'):
        RetrievalGallery.load(moved)


def test_image_demo_gallery_dir_and_cache(work, images, tmp_path,
                                          monkeypatch, capsys):
    folder = tmp_path / 'photos'
    folder.mkdir()
    for path in images[:6]:
        os.symlink(path, folder / osp.basename(path))
    cache = tmp_path / 'photos.gallery.pth'
    monkeypatch.setattr(sys, 'argv', [
        'image_demo.py', str(work / 'retrieval'), '--gallery-dir',
        str(folder), '--texts', 'a red circle', '--topk', '3',
        '--gallery-cache', str(cache), '--out-dir', str(tmp_path / 'out'),
        '--device', 'cpu', '--print-result'])
    runpy.run_path(osp.join(ROOT, 'demo', 'image_demo.py'),
                   run_name='__main__')  # in this process: seconds
    out = capsys.readouterr().out
    pred = json.loads(next(x for x in out.splitlines()
                           if x.startswith('{')))
    assert pred['query'] == 'a red circle' and len(pred['topk']) == 3
    listed = sorted(str(folder / p) for p in os.listdir(folder))
    assert {r['name'] for r in pred['topk']} <= set(listed)
    assert RetrievalGallery.load(str(cache)).image_names == listed
    assert (tmp_path / 'out' / 'vis' / 'query_0.png').stat().st_size > 0
