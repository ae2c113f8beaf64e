# Copyright (c) e2evlp-mm contributors. All rights reserved.
import json
import random

import pytest

from e2evlp_mm.datasets.shapes_world.language import (
    make_captions,
    make_regions,
)
from e2evlp_mm.datasets.shapes_world.scene import (
    Scene,
    ShapeObject,
    sample_scene,
)
from e2evlp_mm.evaluation.caption_facts import Mention, parse_caption
from e2evlp_mm.evaluation.caption_truth import (
    ERROR_KINDS,
    error_shares,
    judge_caption,
    load_scenes,
    summarize,
)

# A 128 px scene, positions by hand (thirds at 42.7 and 85.3 px):
#   red circle A  centre (25, 25)   top left corner
#   blue star     centre (95, 30)   top right corner
#   red circle B  centre (65, 100)  at the bottom
#   green square  centre (25, 95)   bottom left corner
# Relations (margin 12.8 px, the larger axis wins): A left of the star,
# the square below A, B right of the square, the star right of the square.
SCENE = Scene(128, 128, (128, 128, 128), [
    ShapeObject('circle', 'red', (10, 10, 30, 30)),
    ShapeObject('star', 'blue', (80, 15, 30, 30)),
    ShapeObject('circle', 'red', (50, 85, 30, 30)),
    ShapeObject('square', 'green', (10, 80, 30, 30)),
])

TRUE = [
    'A picture of two red circles, a blue star and a green block.',
    'Four shapes on a grey canvas.',
    'An image with blue, green and red objects.',
    'The red circle is to the left of the blue star.',
    'A green square below a red disc.',
    'A red circle on the right of the green square.',
    'A blue star in the top right corner.',
    'A red circle at the bottom.',
    'Some shapes including two circles, a square and a star.',
    'the circle is red',
    'a large green block',
]
FALSE = {  # caption -> the reason by hand
    'wrong colour': ('An image with purple and red objects.',
                     ['purple: no purple object']),
    'wrong shape': ('A red heart in the top left corner.',
                    ['a red heart: the scene has 0',
                     'a red heart in the top left corner: not so']),
    'wrong count': ('Three red circles and a blue star.',
                    ['three red circles: the scene has 2']),
    'wrong total': ('There are three shapes in the image.',
                    ['three shapes: the scene has 4']),
    'not single': ('A single red circle on a grey canvas.',
                   ['a single red circle: the scene has 2']),
    'named twice': ('A blue star and a blue star.',
                    ['a blue star (named 2 times): the scene has 1']),
    'pair apart': ('A blue circle.', ['a blue circle: the scene has 0']),
    'colour of': ('The star is red.', ['a red star: the scene has 0']),
    'relation': ('The blue star is to the left of the green square.',
                 ['a blue star left of a green square: not so']),
    'relation 2': ('A red circle above a blue star.',
                   ['a red circle above a blue star: not so']),
    'position': ('A blue star in the bottom left corner.',
                 ['a blue star in the bottom left corner: not so']),
}

KINDS = {  # FALSE's kinds of error, by hand
    'wrong colour': ['colour'],
    'wrong shape': ['absent', 'position'],
    'wrong count': ['count'],
    'wrong total': ['count'],
    'not single': ['count'],
    'named twice': ['repeated'],
    'pair apart': ['absent'],
    'colour of': ['absent'],
    'relation': ['relation'],
    'relation 2': ['relation'],
    'position': ['position'],
}


def test_parse_every_phrase_kind():
    facts = parse_caption('The yellow hexagon is on the left of two '
                          'black plus signs, a disc on the left.')
    hexagon = Mention('hexagon', 'yellow')
    crosses = Mention('cross', 'black', 2)
    assert facts.mentions == [hexagon, crosses, Mention('circle')]
    assert facts.relations == [(hexagon, 'left', crosses)]
    assert facts.positions == [(Mention('circle'), 'on the left')]
    assert facts.names_shape and not facts.colours
    facts = parse_caption('Three colorful objects over red, white stars.')
    assert facts.mentions == [Mention(None, None, 3),
                              Mention('star', 'white')]
    assert facts.colours == ['red'] and facts.relations == [
        (Mention(None, None, 3), 'above', Mention('star', 'white'))]
    assert not parse_caption('three shapes').names_shape
    nothing = parse_caption('A nice picture, left of.')
    assert not (nothing.mentions or nothing.colours or nothing.relations)


@pytest.mark.parametrize('caption', TRUE)
def test_true_captions(caption):
    assert judge_caption(caption, SCENE).errors == []


@pytest.mark.parametrize('kind', sorted(FALSE))
def test_each_kind_of_false_statement_is_caught(kind):
    caption, reasons = FALSE[kind]
    verdict = judge_caption(caption, SCENE)
    assert not verdict.true
    assert verdict.errors == reasons
    assert verdict.kinds == KINDS[kind]


def test_error_shares_by_hand():
    captions = [
        'A red disc.',  # true
        'A blue star in the bottom left corner.',  # position
        'A blue star and a blue star.',  # one star named as two
        'A red heart in the top left corner.',  # absent, and so position
    ]
    shares = error_shares(judge_caption(c, SCENE) for c in captions)
    assert shares == dict(absent=25.0, count=0.0, repeated=25.0,
                          colour=0.0, relation=0.0, position=50.0)
    assert set(shares) == set(ERROR_KINDS)
    with pytest.raises(ValueError):
        error_shares([])


def test_share_naming_a_shape_by_hand():
    captions = [
        'A red disc.',  # true, names a shape
        'Four shapes on a grey canvas.',  # true, no shape named
        'A purple star.',  # false
        'A nice picture.',  # nothing checkable: true, no shape
        'Two red circles.',  # true, names a shape
    ]
    verdicts = [judge_caption(c, SCENE) for c in captions]
    assert [v.true for v in verdicts] == [True, True, False, True, True]
    assert summarize(verdicts) == dict(true=80.0, true_shape=40.0)
    with pytest.raises(ValueError):
        summarize([])


def test_generator_texts_are_true_and_other_scenes_are_not():
    scenes, texts = [], []
    for seed in range(100):
        rng = random.Random(seed)
        scenes.append(sample_scene(rng, 128))
        texts.append(make_captions(rng, scenes[-1]) +
                     [p for p, _ in make_regions(rng, scenes[-1])])
    own = [judge_caption(t, s) for s, ts in zip(scenes, texts) for t in ts]
    assert summarize(own)['true'] == 100.0
    assert 50 < summarize(own)['true_shape'] < 100
    # each scene judged by the next scene's captions
    other = [judge_caption(c, scenes[i - 1]) for i, ts in enumerate(texts)
             for c in ts[:5]]
    assert summarize(other)['true'] < 20
    assert summarize(other)['true_shape'] < 10


def test_load_scenes(tmp_path):
    ann = dict(
        images=[dict(id=7, width=128, height=128),
                dict(id=8, width=64, height=64)],
        categories=[dict(id=1, name='star'), dict(id=2, name='circle')],
        attribute_categories=[dict(id=1, name='large'),
                              dict(id=2, name='blue')],
        annotations=[
            dict(image_id=7, bbox=[80, 15, 30, 30], category_id=1,
                 attribute_ids=[1, 2]),
            dict(image_id=7, bbox=[10, 10, 30, 30], category_id=2,
                 attribute_ids=[])
        ])
    path = tmp_path / 'det.json'
    path.write_text(json.dumps(ann))
    scenes = load_scenes(str(path))
    assert scenes[8].objects == [] and scenes[8].width == 64
    assert scenes[7].objects == [
        ShapeObject('star', 'blue', (80, 15, 30, 30)),
        ShapeObject('circle', None, (10, 10, 30, 30))
    ]
    assert judge_caption('a blue star right of a circle', scenes[7]).true
    del ann['attribute_categories']
    path.write_text(json.dumps(ann))
    with pytest.raises(ValueError, match='attribute_categories'):
        load_scenes(str(path))
