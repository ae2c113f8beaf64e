# Copyright (c) e2evlp-mm contributors. All rights reserved.
import json

import pytest
from mmdet.structures import DetDataSample
from mmengine.evaluator import Evaluator

from e2evlp_mm.evaluation import E2EVLPVQAAcc


def _sample(pred, gts, answer_type=None, question_id=None):
    sample = DetDataSample(pred_answer=pred, gt_answer=gts)
    if answer_type is not None:
        sample.set_metainfo(dict(answer_type=answer_type))
    if question_id is not None:
        sample.set_metainfo(dict(question_id=question_id))
    return sample


@pytest.mark.parametrize('raw, normalised', [
    ('two', '2'),
    ('Ten', '10'),
    ('a dog', 'dog'),
    ('the red car', 'red car'),
    ('yes.', 'yes'),
    ('dont', "don't"),
    ('  no\n', 'no'),
])
def test_normalisation(raw, normalised):
    assert E2EVLPVQAAcc()._process_answer(raw) == normalised


@pytest.mark.parametrize('num_match, expected', [
    (0, 0.0),
    # 1 match: 9 subsets keep it (1/3), 1 drops it (0) -> 9/3/10.
    (1, 0.3),
    # 2 matches: 2 subsets keep 1 (1/3), 8 keep 2 (2/3) -> 18/3/10.
    (2, 0.6),
    # 3 matches: 3 subsets keep 2 (2/3), 7 keep 3 (1) -> 0.2 + 0.7.
    (3, 0.9),
    (4, 1.0),
    (10, 1.0),
])
def test_leave_one_out(num_match, expected):
    gts = ['cat'] * num_match + ['bird'] * (10 - num_match)
    acc = E2EVLPVQAAcc().question_accuracy('cat', gts)
    assert acc == pytest.approx(expected)


def test_normalised_match_and_single_reference():
    metric = E2EVLPVQAAcc()
    # 'Two' -> '2' matches 3 of 10 answers -> 0.9.
    assert metric.question_accuracy('Two', ['2'] * 3 + ['3'] * 7) == \
        pytest.approx(0.9)
    assert metric.question_accuracy('yes.', ['Yes'] * 10) == 1.0
    assert metric.question_accuracy('a dog', ['dog']) == 1.0
    assert metric.question_accuracy('cat', ['dog']) == 0.0


def test_strict_official():
    metric = E2EVLPVQAAcc(strict_official=True)
    # Unanimous humans: their answers are not normalised at all.
    assert metric.question_accuracy('t-shirt', ['t-shirt'] * 10) == 0.0
    assert E2EVLPVQAAcc().question_accuracy('t-shirt',
                                            ['t-shirt'] * 10) == 1.0
    # Disagreeing humans: punctuation only, so 'a dog' stays unmatched.
    gts = ['a dog'] * 4 + ['cat'] * 6
    assert metric.question_accuracy('dog', gts) == 0.0
    assert E2EVLPVQAAcc().question_accuracy('dog', gts) == 1.0
    gts = ['dog.'] * 2 + ['cat'] * 8
    assert metric.question_accuracy('dog', gts) == pytest.approx(0.6)
    # The official punctuation step turns 'dog!' into 'dog ' (kept space).
    gts = ['dog!'] * 2 + ['cat'] * 8
    assert metric.question_accuracy('dog', gts) == 0.0
    assert E2EVLPVQAAcc().question_accuracy('dog', gts) == \
        pytest.approx(0.6)


def test_evaluator_per_answer_type():
    evaluator = Evaluator(E2EVLPVQAAcc())
    evaluator.process([
        _sample('yes', ['yes'] * 10, 'yes/no'),
        _sample('2', ['2'] * 2 + ['3'] * 8, 'number'),
        _sample('red', ['blue'] * 10, 'other'),
        _sample('blue', ['blue'] * 10, 'other'),
    ])
    metrics = evaluator.evaluate(4)
    # (1 + 0.6 + 0 + 1) / 4
    assert metrics['VQA/acc'] == pytest.approx(65.0)
    assert metrics['VQA/acc_yes_no'] == pytest.approx(100.0)
    assert metrics['VQA/acc_number'] == pytest.approx(60.0)
    assert metrics['VQA/acc_other'] == pytest.approx(50.0)


def test_results_dump(tmp_path):
    out = str(tmp_path / 'vqa_results.json')
    evaluator = Evaluator(E2EVLPVQAAcc(result_file=out, format_only=True))
    evaluator.process([
        _sample('yes', None, question_id=7),
        _sample('two', None, question_id=9)
    ])
    assert evaluator.evaluate(2) == {}
    with open(out) as f:
        assert json.load(f) == [{
            'question_id': 7,
            'answer': 'yes'
        }, {
            'question_id': 9,
            'answer': 'two'
        }]
    with pytest.raises(ValueError):
        E2EVLPVQAAcc(format_only=True)
