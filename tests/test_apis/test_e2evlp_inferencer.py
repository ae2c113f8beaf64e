"""E2EVLPInferencer on tiny random-init shapes-world checkpoints."""
import json

import mmcv
import numpy as np
import pytest

from e2evlp_mm.apis import E2EVLPInferencer
from e2evlp_mm.testing import make_tiny_shapes_world, tiny_shapes_checkpoint


@pytest.fixture(scope='module')
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp('infer')
    make_tiny_shapes_world(str(root / 'shapes_world'))
    return root


@pytest.fixture(scope='module')
def scenes(world):
    val = world / 'shapes_world' / 'coco' / 'val2017'
    return sorted(str(p) for p in val.iterdir())[:2]


def _inferencer(world, task):
    work = world / task
    if not (work / 'last_checkpoint').exists():
        tiny_shapes_checkpoint(task, str(world / 'shapes_world'), str(work))
    return E2EVLPInferencer(str(work), device='cpu')  # a work dir


@pytest.fixture(scope='module')
def pretrain(world):
    return _inferencer(world, 'pretrain')


def test_pretrain_detect_caption_itm(pretrain, scenes, tmp_path):
    assert pretrain.tasks == ('detect', 'caption', 'itm')
    # a path and a BGR array in one batch
    inputs = [scenes[0], mmcv.imread(scenes[1])]
    out = pretrain(inputs, texts='a red circle', batch_size=2,
                   out_dir=str(tmp_path), no_save_pred=False)
    preds = out['predictions']
    assert [p['img_path'] for p in preds] == [scenes[0], None]
    meta = pretrain.model.dataset_meta
    for pred in preds:
        n = len(pred['bboxes'])
        # at most max_per_img (10); the demo config's NMS may drop some
        assert 1 <= n <= 10 and all(len(b) == 4 for b in pred['bboxes'])
        assert pred['scores'] == sorted(pred['scores'], reverse=True)
        assert pred['label_names'] == [
            meta['classes'][i] for i in pred['labels']]
        assert pred['attr_names'] == [
            meta['attributes'][i] for i in pred['attr_labels']]
        assert len(pred['attr_scores']) == n
        assert isinstance(pred['caption'], str)
        assert '[SEP]' not in pred['caption']
        assert pred['text'] == 'a red circle'
        assert 0 <= pred['itm_score'] <= 1
    json.dumps(preds)  # plain types only
    assert (tmp_path / 'vis' / '00000000.png').exists()  # the array
    saved = json.loads((tmp_path / 'preds' /
                        f'{scenes[0].split("/")[-1][:-4]}.json').read_text())
    assert saved == preds[0]


def test_pretrain_without_text_skips_itm(pretrain, scenes):
    pred = pretrain(scenes[0], task='detect')['predictions'][0]
    assert 'bboxes' in pred and 'caption' not in pred
    assert 'itm_score' not in pred
    with pytest.raises(ValueError, match='needs `texts`'):
        pretrain(scenes[0], task='itm')
    with pytest.raises(ValueError, match='not one of'):
        pretrain(scenes[0], task='vqa', texts='what?')


def test_caption_matches_tokenizer_decode(world, scenes):
    inferencer = _inferencer(world, 'caption')
    assert inferencer.tasks == ('caption', )
    data = next(inferencer.preprocess([dict(img_path=scenes[0])]))
    sample = inferencer.forward(data)[0]
    pred = inferencer(scenes[0])['predictions'][0]
    tokenizer = inferencer.tokenize.tokenizer
    assert pred['caption'] == tokenizer.decode(
        sample.pred_caption_ids.tolist(), skip_special_tokens=True)
    assert isinstance(pred['caption_score'], float)


def test_vqa_answers_from_the_answer_list(world, scenes):
    inferencer = _inferencer(world, 'vqa')
    answers = inferencer.model.vqa_head.answer_list
    preds = inferencer(scenes, texts=['what color is the circle?',
                                      'how many shapes are there?'],
                       batch_size=2)['predictions']
    assert [p['question'] for p in preds] == [
        'what color is the circle?', 'how many shapes are there?']
    for pred in preds:
        assert pred['answer'] in answers
        assert len(pred['topk']) == 5
        assert pred['topk'][0] == dict(answer=pred['answer'],
                                       score=pred['answer_score'])
        scores = [t['score'] for t in pred['topk']]
        assert scores == sorted(scores, reverse=True)
        assert {t['answer'] for t in pred['topk']} <= set(answers)


def test_nlvr2_verdict(world, scenes, tmp_path):
    inferencer = _inferencer(world, 'nlvr2')
    pair = (scenes[0], scenes[1])
    out = inferencer(pair, texts='There is a red circle.',
                     out_dir=str(tmp_path), return_vis=True)
    pred = out['predictions'][0]
    assert pred['img_path'] == list(pair)
    assert isinstance(pred['verdict'], bool)
    assert pred['verdict'] == (pred['true_probability'] > 0.5)
    assert pred['probability'] >= 0.5
    # the pair is drawn side by side, the statement under it
    vis = out['visualization'][0]
    assert vis.shape[1] == 2 * inferencer.visualizer.min_size + 8
    assert list((tmp_path / 'vis').iterdir())


def test_retrieve_both_directions(world, scenes):
    inferencer = _inferencer(world, 'retrieval')
    gallery = ['a red circle', 'two blue squares', 'a green star']
    preds = inferencer(scenes, gallery=gallery, topk=2)['predictions']
    for pred in preds:
        assert [t['name'] for t in pred['topk']] == [
            gallery[t['index']] for t in pred['topk']]
        assert pred['topk'][0]['score'] >= pred['topk'][1]['score']
    by_text = inferencer(scenes, texts=gallery[:1])['predictions'][0]
    assert by_text['query'] == gallery[0]
    assert len(by_text['topk']) == 2  # capped at the gallery size
    # the same pair scores the same in both directions
    score = {t['index']: t['score'] for t in by_text['topk']}
    for i, pred in enumerate(preds):
        first = [t for t in pred['topk'] if t['index'] == 0]
        if first:
            assert first[0]['score'] == pytest.approx(score[i], abs=1e-3)


def test_detection_only_model(world):
    inferencer = _inferencer(world, 'det')
    assert inferencer.tasks == ('detect', )
    image = np.full((96, 128, 3), 120, dtype=np.uint8)
    pred = inferencer(image)['predictions'][0]
    assert 'attr_names' not in pred and 'caption' not in pred
    assert set(pred['label_names']) <= set(
        inferencer.model.dataset_meta['classes'])
    for x1, y1, x2, y2 in pred['bboxes']:  # in input pixels
        assert 0 <= x1 <= x2 <= 128 and 0 <= y1 <= y2 <= 96
