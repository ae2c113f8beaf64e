# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""NLVR2-style statements about a pair of shapes-world scenes.

The label is drawn first (a fair coin) and statements are sampled until one
has that truth value, so about half are true whatever the wording.
"""
import random
from dataclasses import dataclass, field

from .language import NUMBER_WORDS, noun_phrase, plural
from .scene import COLOURS, SHAPES, Scene, sample_scene


def _pick(rng: random.Random, left: Scene, right: Scene) -> tuple:
    """A (shape, colour) to talk about; usually one that is present."""
    objs = left.objects + right.objects
    if objs and rng.random() < 0.7:
        o = rng.choice(objs)
        shape, colour = o.shape, o.colour
    else:
        shape, colour = rng.choice(SHAPES), rng.choice(tuple(COLOURS))
    if rng.random() < 0.5:
        colour = None
    return shape, colour


def _group(rng: random.Random, shape: str, colour: str | None) -> str:
    """Plural words for a group, e.g. ``'red circles'``."""
    return noun_phrase(rng, shape, colour, n=2).split(' ', 1)[1]


def sample_statement(rng: random.Random, left: Scene,
                     right: Scene) -> tuple[str, bool]:
    """One random statement and its truth value for (left, right).

    Returns:
        tuple[str, bool]: The sentence and whether it holds.
    """
    shape, colour = _pick(rng, left, right)
    cl, cr = left.count(shape, colour), right.count(shape, colour)
    kind = rng.randrange(7)
    if kind == 0:
        side, c = rng.choice((('left', cl), ('right', cr)))
        n = max(0, c + rng.choice((0, 0, -1, 1)))
        if n == 1:
            what = 'one ' + noun_phrase(rng, shape, colour, det='')
        else:
            what = f'{NUMBER_WORDS[n]} {_group(rng, shape, colour)}'
        verb = rng.choice(('contains', 'shows', 'has'))
        return f'The {side} image {verb} exactly {what}.', c == n
    if kind == 1:
        first, second = rng.choice((('right', 'left'), ('left', 'right')))
        more = cr > cl if first == 'right' else cl > cr
        return (f'There are more {_group(rng, shape, colour)} in the '
                f'{first} image than in the {second} image.', more)
    if kind == 2:
        return (f'Both images contain {noun_phrase(rng, shape, colour)}.',
                cl > 0 and cr > 0)
    if kind == 3:
        return (f'Exactly one image contains '
                f'{noun_phrase(rng, shape, colour)}.', (cl > 0) != (cr > 0))
    if kind == 4:
        return (f'Neither image contains {noun_phrase(rng, shape, colour)}.',
                cl == 0 and cr == 0)
    if kind == 5:
        n = max(0, cl + cr + rng.choice((0, 0, -1, 1)))
        words = shape if colour is None else f'{colour} {shape}'
        words = words if n == 1 else plural(words)
        verb = 'is' if n == 1 else 'are'
        return (f'There {verb} {NUMBER_WORDS[n]} {words} in total.',
                cl + cr == n)
    nl, nr = len(left.objects), len(right.objects)
    return ('Both images contain the same number of shapes.', nl == nr)


def make_statement(rng: random.Random, left: Scene,
                   right: Scene) -> tuple[str, bool]:
    """A statement whose label is a fair coin flip (when achievable)."""
    want = rng.random() < 0.5
    for _ in range(100):
        sentence, label = sample_statement(rng, left, right)
        if label == want:
            break
    return sentence, label


@dataclass
class NLVR2Pair:
    """Two scenes and the statements about them.

    Attributes:
        stem (str): Identifier without the sentence index, e.g.
            ``'train-3-1'``; images are ``<stem>-img0.png`` (left) and
            ``<stem>-img1.png`` (right).
        left (Scene): Left image.
        right (Scene): Right image.
        examples (list[tuple[str, str, bool]]): ``(identifier, sentence,
            label)`` per statement, identifier ``<stem>-<k>``.
    """

    stem: str
    left: Scene
    right: Scene
    examples: list = field(default_factory=list)


def make_nlvr2_pairs(seed: int, split: str, num_examples: int,
                     image_size: int,
                     sentences_per_pair: int = 2) -> list[NLVR2Pair]:
    """NLVR2 pairs of one split, numbered like the real release.

    Pair ``p`` is pair ``p % 2`` of set ``p // 2``; its identifiers are
    ``<split>-<set>-<pair>-<sentence>``.

    Args:
        seed (int): Generation seed.
        split (str): ``'train'``, ``'dev'`` or ``'test1'``.
        num_examples (int): Number of statements (about).
        image_size (int): Image side in pixels.
        sentences_per_pair (int): Statements per pair. Defaults to 2.
    """
    pairs = []
    num_pairs = -(-num_examples // sentences_per_pair)
    for p in range(num_pairs):
        rng = random.Random(f'{seed}/nlvr2/{split}/{p}')
        left = sample_scene(rng, image_size)
        right = sample_scene(rng, image_size)
        pair = NLVR2Pair(f'{split}-{p // 2}-{p % 2}', left, right)
        for k in range(sentences_per_pair):
            sentence, label = make_statement(rng, left, right)
            pair.examples.append((f'{pair.stem}-{k}', sentence, label))
        pairs.append(pair)
    return pairs
