# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""ITM negatives drawn again while they are true of their scene."""
import json

import numpy as np

from e2evlp_mm.datasets.text_pool import E2EVLPTextPool
from e2evlp_mm.datasets.transforms import E2EVLPSampleITMNegative

# image 0 holds a red heart; image 1's text is true of it, image 2's not
TEXTS = [(0, 'a red heart.'), (1, 'a red heart on the left.'),
         (2, 'a blue star.')]


def _scenes(tmp_path) -> str:
    path = tmp_path / 'vg_det_val.json'
    path.write_text(json.dumps(dict(
        images=[dict(id=0, width=64, height=64)],
        categories=[dict(id=1, name='heart'), dict(id=2, name='star')],
        attribute_categories=[dict(id=1, name='red'),
                              dict(id=2, name='blue')],
        annotations=[dict(image_id=0, bbox=[4, 20, 12, 12], category_id=1,
                          attribute_ids=[1])])))
    return str(path)


def _negatives(itm: E2EVLPSampleITMNegative, img_id: int, n: int) -> list:
    pool = E2EVLPTextPool(len(TEXTS), TEXTS.__getitem__)
    np.random.seed(0)
    out = [itm(dict(img_id=img_id, text=dict(TEXTS)[img_id], text_pool=pool))
           for _ in range(n)]
    return [r['text'] for r in out if r['itm_label'] == 0]


def test_negatives_true_of_the_scene_are_drawn_again(tmp_path):
    random = _negatives(E2EVLPSampleITMNegative(prob=1.0), 0, 200)
    assert 60 < random.count('a red heart on the left.') < 140
    false_only = _negatives(
        E2EVLPSampleITMNegative(prob=1.0, false_of=[_scenes(tmp_path)]), 0,
        200)
    assert false_only == ['a blue star.'] * 200


def test_images_without_a_record_keep_any_negative(tmp_path):
    itm = E2EVLPSampleITMNegative(prob=1.0, false_of=_scenes(tmp_path))
    assert set(_negatives(itm, 2, 100)) == {'a red heart.',
                                            'a red heart on the left.'}


def test_a_negative_always_true_is_kept_after_the_redraws(tmp_path):
    itm = E2EVLPSampleITMNegative(prob=1.0, false_of=_scenes(tmp_path),
                                  max_redraws=3)
    pool = E2EVLPTextPool(2, TEXTS[:2].__getitem__)  # only true texts
    out = itm(dict(img_id=0, text='a red heart.', text_pool=pool))
    assert out == dict(img_id=0, text='a red heart on the left.',
                       itm_label=0)
