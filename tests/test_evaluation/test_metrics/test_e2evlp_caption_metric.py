# Copyright (c) e2evlp-mm contributors. All rights reserved.
import json
import math
import shutil

import pytest
from mmdet.structures import DetDataSample
from mmengine.evaluator import Evaluator
from pycocoevalcap.bleu.bleu import Bleu
from pycocoevalcap.cider.cider import Cider

from e2evlp_mm.evaluation import E2EVLPCaptionMetric
from e2evlp_mm.evaluation.metrics.e2evlp_caption_metric import basic_tokenize

HAS_JAVA = shutil.which('java') is not None

# Raw captions and their PTB tokenization (punctuation dropped), by hand.
PREDS = {
    1: ('A man riding a wave on a surfboard.',
        'a man riding a wave on a surfboard'),
    2: ("Two dogs don't play in the dog's yard!",
        "two dogs do n't play in the dog 's yard"),
    3: ('A cat (sleeping) on a laptop, 3.5 inch...',
        'a cat -lrb- sleeping -rrb- on a laptop 3.5 inch'),
}
REFS = {
    1: [('A surfer rides a big wave.', 'a surfer rides a big wave'),
        ('A man on a surfboard riding a wave',
         'a man on a surfboard riding a wave')],
    2: [('Two black-and-white dogs playing in a yard.',
         'two black-and-white dogs playing in a yard'),
        ("The dogs aren't playing; they're resting.",
         "the dogs are n't playing they 're resting"),
        ('Dogs in the yard', 'dogs in the yard')],
    3: [('A cat sleeps on a laptop.', 'a cat sleeps on a laptop'),
        ('A "cute" cat lying on a computer',
         'a cute cat lying on a computer')],
}


def _samples():
    return [
        DetDataSample(
            metainfo=dict(
                img_id=i, gt_captions=[raw for raw, _ in REFS[i]]),
            pred_caption=PREDS[i][0]) for i in PREDS
    ]


def _direct_scores():
    res = {i: [PREDS[i][1]] for i in PREDS}
    gts = {i: [tok for _, tok in REFS[i]] for i in REFS}
    bleu, _ = Bleu(4).compute_score(gts, res, verbose=0)
    cider, _ = Cider().compute_score(gts, res)
    return bleu, cider


def _evaluate(metric, samples):
    evaluator = Evaluator(metric)
    evaluator.process(samples)
    return evaluator.evaluate(len(samples))


def test_basic_tokenize():
    for raw, tok in list(PREDS.values()) + sum(REFS.values(), []):
        assert basic_tokenize(raw) == tok
    assert basic_tokenize('At the U.S. border -- 10:30, 1,000 cars') == \
        'at the u.s. border 10:30 1,000 cars'


@pytest.mark.parametrize('tokenizer', [
    'basic',
    pytest.param(
        'ptb', marks=pytest.mark.skipif(not HAS_JAVA, reason='no java'))
])
def test_agrees_with_pycocoevalcap(tokenizer):
    metrics = _evaluate(E2EVLPCaptionMetric(tokenizer=tokenizer), _samples())
    bleu, cider = _direct_scores()
    for n in range(4):
        assert metrics[f'caption/Bleu_{n + 1}'] == pytest.approx(bleu[n])
    assert metrics['caption/CIDEr'] == pytest.approx(cider)
    assert 0 < metrics['caption/CIDEr'] and 0 < metrics['caption/Bleu_4']


def test_hand_computed_bleu_and_perfect_match():
    samples = [
        DetDataSample(
            metainfo=dict(img_id=5, gt_captions='a dog runs fast'),
            pred_caption='A dog runs.')
    ]
    metrics = _evaluate(E2EVLPCaptionMetric(tokenizer='basic'), samples)
    # All 1-, 2-, 3-grams match; brevity penalty exp(1 - 4 / 3).
    penalty = math.exp(1 - 4 / 3)
    for n in (1, 2, 3):
        assert metrics[f'caption/Bleu_{n}'] == pytest.approx(penalty)
    samples = [
        DetDataSample(
            metainfo=dict(img_id=i, gt_captions=[cap.upper() + '.']),
            pred_caption=cap)
        for i, cap in enumerate(['a man riding a wave on a surfboard',
                                 'two dogs play in a big green yard'])
    ]
    metrics = _evaluate(E2EVLPCaptionMetric(tokenizer='basic'), samples)
    assert metrics['caption/Bleu_4'] == pytest.approx(1.0)


def test_ann_file_pooling_and_dump(tmp_path):
    ann_file = tmp_path / 'captions_val.json'
    annotations = [
        dict(id=k, image_id=i, caption=raw)
        for k, (i, (raw, _)) in enumerate(
            (i, ref) for i in REFS for ref in REFS[i])
    ]
    ann_file.write_text(json.dumps(dict(annotations=annotations)))
    out = str(tmp_path / 'caption_results.json')
    # Duplicated images (one sample per caption): first prediction counts.
    samples = _samples() + [
        DetDataSample(metainfo=dict(img_id=1), pred_caption='ignored')
    ]
    metric = E2EVLPCaptionMetric(ann_file=str(ann_file), tokenizer='basic')
    metric.result_file = out  # as engine.result_dump does for --out
    metrics = _evaluate(metric, samples)
    bleu, cider = _direct_scores()
    assert metrics['caption/Bleu_4'] == pytest.approx(bleu[3])
    assert metrics['caption/CIDEr'] == pytest.approx(cider)
    with open(out) as f:
        assert json.load(f) == [
            dict(image_id=i, caption=PREDS[i][0]) for i in PREDS
        ]

    # References pooled from metainfo `caption` of duplicated samples.
    pooled = [
        DetDataSample(
            metainfo=dict(img_id=i, caption=raw), pred_caption=PREDS[i][0])
        for i in REFS for raw, _ in REFS[i]
    ]
    metrics = _evaluate(E2EVLPCaptionMetric(tokenizer='basic'), pooled)
    assert metrics['caption/CIDEr'] == pytest.approx(cider)


def test_format_only_and_missing_refs(tmp_path):
    out = str(tmp_path / 'res.json')
    sample = DetDataSample(metainfo=dict(img_id=3), pred_caption='a cat')
    assert _evaluate(
        E2EVLPCaptionMetric(result_file=out, format_only=True),
        [sample]) == {}
    with open(out) as f:
        assert json.load(f) == [{'image_id': 3, 'caption': 'a cat'}]
    with pytest.raises(KeyError):
        _evaluate(E2EVLPCaptionMetric(tokenizer='basic'), [sample])
    with pytest.raises(ValueError):
        E2EVLPCaptionMetric(tokenizer='spacy')
