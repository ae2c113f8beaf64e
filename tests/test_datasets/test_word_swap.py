# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Word-swap ITM hard negatives: one word of another class, grammar kept."""
import re

import numpy as np
import pytest

from e2evlp_mm.datasets import E2EVLPTextPool
from e2evlp_mm.datasets.transforms import E2EVLPSampleITMNegative
from e2evlp_mm.datasets.transforms.word_swap import WordSwapper

GROUPS = [
    [['red'], ['orange'], ['blue']],
    [['circle', 'disc'], ['square', 'block']],
]


def test_swap_changes_one_word_to_another_class():
    swap = WordSwapper(GROUPS)
    rng = np.random.RandomState(0)
    text = 'a red disc left of a blue block.'
    seen = set()
    for _ in range(300):
        out = swap(text, rng)
        old, new = text.split(), out.split()
        changed = [(a, b) for a, b in zip(old, new) if a != b]
        # one listed word changed (its article may follow it)
        words = [(a, b) for a, b in changed if a not in ('a', 'an')]
        assert len(words) == 1
        a, b = (w.rstrip('.') for w in words[0])
        assert swap.word_class[a][0] == swap.word_class[b][0]
        assert swap.word_class[a][1] != swap.word_class[b][1]
        seen.add((a, b))
    # every listed word of the text is swapped sometimes, to every class
    assert {a for a, _ in seen} == {'red', 'disc', 'blue', 'block'}
    assert {b for a, b in seen if a == 'disc'} == {'square', 'block'}
    assert {b for a, b in seen if a == 'red'} == {'orange', 'blue'}


def test_swap_fixes_article_and_case():
    swap = WordSwapper([[['red'], ['orange']]])
    rng = np.random.RandomState(0)
    assert swap('A red star.', rng) == 'An orange star.'
    assert swap('an Orange star', rng) == 'a Red star'
    assert swap('nothing listed here', rng) is None
    # whole words only
    assert swap('reddish', rng) is None


@pytest.mark.parametrize('groups, error', [
    ([[['red']]], 'at least two'),
    ([[['red'], ['red']]], 'twice'),
    ([[['plus sign'], ['star']]], 'single words'),
])
def test_bad_swap_words(groups, error):
    with pytest.raises(ValueError, match=error):
        WordSwapper(groups)


def test_itm_swap_negatives():
    texts = [(0, 'a red disc.'), (1, 'two stars.'), (2, 'a blue block.')]
    pool = E2EVLPTextPool(len(texts), texts.__getitem__)
    itm = E2EVLPSampleITMNegative(prob=0.5, swap_prob=0.5, swap_words=GROUPS)
    np.random.seed(0)
    kinds = []
    for i in range(3000):
        img_id, text = texts[i % 3]
        out = itm(dict(img_id=img_id, text=text, text_pool=pool))
        if out['itm_label'] == 1:
            assert out['text'] == text
            kinds.append('positive')
        elif out['text'] in dict(texts).values():
            assert out['text'] != text  # another image's text
            kinds.append('other')
        else:  # the own text, one word swapped
            assert img_id != 1  # nothing to swap in 'two stars.'
            assert len(re.findall(r'\w+', out['text'])) == 3
            kinds.append('swap')
    share = {k: kinds.count(k) / len(kinds) for k in set(kinds)}
    assert abs(share['positive'] - 0.5) < 0.04
    # half of the negatives of the two texts with listed words are swaps
    assert abs(share['swap'] - 0.25 * 2 / 3) < 0.03


def test_swap_needs_words():
    with pytest.raises(ValueError, match='swap_words'):
        E2EVLPSampleITMNegative(swap_prob=0.5)
