# Copyright (c) e2evlp-mm contributors. All rights reserved.
import json

import pytest
from mmdet.structures import DetDataSample
from mmengine.evaluator import Evaluator

from e2evlp_mm.evaluation import E2EVLPCaptionTruthMetric

# Two 128 px scenes: image 1 a red circle left of a blue star, image 2 a
# single green square.
SCENES = dict(
    images=[dict(id=1, width=128, height=128),
            dict(id=2, width=128, height=128)],
    categories=[dict(id=1, name='circle'), dict(id=2, name='star'),
                dict(id=3, name='square')],
    attribute_categories=[dict(id=1, name='red'), dict(id=2, name='blue'),
                          dict(id=3, name='green')],
    annotations=[
        dict(image_id=1, bbox=[10, 50, 30, 30], category_id=1,
             attribute_ids=[1]),
        dict(image_id=1, bbox=[80, 50, 30, 30], category_id=2,
             attribute_ids=[2]),
        dict(image_id=2, bbox=[50, 50, 30, 30], category_id=3,
             attribute_ids=[3]),
    ])


@pytest.fixture
def ann_file(tmp_path):
    path = tmp_path / 'vg_det_val.json'
    path.write_text(json.dumps(SCENES))
    return str(path)


def _evaluate(ann_file, captions):
    evaluator = Evaluator(E2EVLPCaptionTruthMetric(ann_file=ann_file))
    evaluator.process([
        DetDataSample(metainfo=dict(img_id=i), pred_caption=c)
        for i, c in captions
    ])
    return evaluator.evaluate(len(captions))


def test_first_caption_per_image_by_hand(ann_file):
    # image 1: true and names a shape; image 2: true, names none; the
    # second caption of image 1 (false) is not scored
    metrics = _evaluate(ann_file, [
        (1, 'The red circle is to the left of the blue star.'),
        (2, 'An image with green objects.'),
        (1, 'A blue circle.'),
    ])
    assert metrics == {'caption_truth/true': 100.0,
                       'caption_truth/true_shape': 50.0}
    metrics = _evaluate(ann_file, [
        (1, 'A red circle right of a blue star.'),  # wrong relation
        (2, 'A single green block on a grey canvas.'),
    ])
    assert metrics == {'caption_truth/true': 50.0,
                       'caption_truth/true_shape': 50.0}


def test_unknown_image_and_no_caption(ann_file):
    with pytest.raises(KeyError, match='images'):
        _evaluate(ann_file, [(3, 'A red circle.')])
    metric = E2EVLPCaptionTruthMetric(ann_file=ann_file)
    assert metric.compute_metrics([]) == dict(true=0.0, true_shape=0.0)
