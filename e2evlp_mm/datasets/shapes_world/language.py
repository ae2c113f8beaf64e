# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Words, captions and region descriptions of shapes-world scenes.

Every text is derived from the scene (objects, colours, counts, spatial
relations) and worded through several templates and synonyms.
"""
import random
from collections import Counter

from .scene import Scene, ShapeObject

NUMBER_WORDS = ('zero', 'one', 'two', 'three', 'four', 'five', 'six',
                'seven', 'eight', 'nine', 'ten')
SHAPE_SYNONYMS = {
    'circle': ('circle', 'circle', 'disc'),
    'square': ('square', 'square', 'block'),
    'triangle': ('triangle', ),
    'star': ('star', ),
    'diamond': ('diamond', 'diamond', 'rhombus'),
    'hexagon': ('hexagon', ),
    'cross': ('cross', 'cross', 'plus sign'),
    'heart': ('heart', ),
}
RELATIONS = {
    'left': ('to the left of', 'left of', 'on the left of'),
    'right': ('to the right of', 'right of', 'on the right of'),
    'above': ('above', 'over', 'on top of'),
    'below': ('below', 'under', 'beneath'),
}
OPPOSITE = {'left': 'right', 'right': 'left', 'above': 'below',
            'below': 'above'}
# Centres closer than this share of the image side along both axes are in
# no clear relation (texts name no relation of such a pair).
RELATION_MARGIN = 0.1


def plural(word: str) -> str:
    """English plural of a (last) noun: ``cross`` -> ``crosses``."""
    return word + ('es' if word.endswith(('s', 'x', 'sh', 'ch')) else 's')


def article(word: str) -> str:
    """``'a'`` or ``'an'`` for the word that follows."""
    return 'an' if word[0] in 'aeiou' else 'a'


def noun_phrase(rng: random.Random, shape: str | None = None,
                colour: str | None = None, n: int = 1,
                det: str = 'a') -> str:
    """Words for ``n`` objects, e.g. ``'a red circle'``, ``'two stars'``.

    Args:
        rng (random.Random): Picks synonyms.
        shape (str, optional): Shape name; ``None`` says ``shape``.
        colour (str, optional): Colour word in front of the noun.
        n (int): Number of objects; ``> 1`` uses a number word and plural.
        det (str): Determiner for ``n == 1``: ``'a'``, ``'the'`` or ``''``.
    """
    noun = rng.choice(SHAPE_SYNONYMS[shape]) if shape else 'shape'
    words = f'{colour} {noun}' if colour else noun
    if n != 1:
        return f'{NUMBER_WORDS[n]} {plural(words)}'
    if det == 'a':
        return f'{article(words)} {words}'
    return f'{det} {words}'.strip()


def join_list(items: list[str]) -> str:
    """``['a', 'b', 'c']`` -> ``'a, b and c'``."""
    if len(items) == 1:
        return items[0]
    return ', '.join(items[:-1]) + ' and ' + items[-1]


def relation(a: ShapeObject, b: ShapeObject, margin: float) -> str | None:
    """Dominant spatial relation of ``a`` to ``b``, or ``None`` if unclear.

    Returns one of ``'left'``, ``'right'``, ``'above'``, ``'below'`` when
    the centres differ by more than ``margin`` pixels along that axis.
    """
    dx = a.center[0] - b.center[0]
    dy = a.center[1] - b.center[1]
    if max(abs(dx), abs(dy)) <= margin:
        return None
    if abs(dx) >= abs(dy):
        return 'left' if dx < 0 else 'right'
    return 'above' if dy < 0 else 'below'


def position_phrase(h: str, v: str) -> str:
    """The words of a third of the image: ``h`` in ``('left', '',
    'right')``, ``v`` in ``('top', '', 'bottom')``."""
    if h and v:
        return f'in the {v} {h} corner'
    if h:
        return f'on the {h}'
    return f'at the {v}' if v else 'in the middle'


# every phrase position_words can say, row by row from the top left
POSITION_PHRASES = tuple(
    position_phrase(h, v) for v in ('top', '', 'bottom')
    for h in ('left', '', 'right'))


def position_words(obj: ShapeObject, size: int) -> str:
    """Where in the image: ``'in the top left corner'``, ``'on the left'``."""
    cx, cy = obj.center
    h = 'left' if cx < size / 3 else 'right' if cx > 2 * size / 3 else ''
    v = 'top' if cy < size / 3 else 'bottom' if cy > 2 * size / 3 else ''
    return position_phrase(h, v)


def unique_objects(scene: Scene) -> list[ShapeObject]:
    """Objects whose (colour, shape) pair is unique in the scene."""
    pairs = Counter((o.colour, o.shape) for o in scene.objects)
    return [o for o in scene.objects if pairs[(o.colour, o.shape)] == 1]


def _inventory(rng: random.Random, scene: Scene, colours: bool) -> str:
    groups = Counter((o.colour if colours else None, o.shape)
                     for o in scene.objects)
    return join_list([noun_phrase(rng, s, c, n)
                      for (c, s), n in sorted(groups.items(),
                                              key=lambda kv: str(kv[0]))])


def _caption(rng: random.Random, scene: Scene, kind: int) -> str:
    """One caption of template family ``kind`` (0-6)."""
    n = len(scene.objects)
    objs = scene.objects
    if kind == 0:
        lead = rng.choice(('a picture of', 'an image of', 'a drawing of',
                           'an illustration showing', 'a simple scene with'))
        return f'{lead} {_inventory(rng, scene, True)}'
    if kind == 1:
        bg = rng.choice(('a gray background', 'a plain background',
                         'a grey canvas'))
        if n == 1:
            o = objs[0]
            return (f'a single {o.colour} '
                    f'{rng.choice(SHAPE_SYNONYMS[o.shape])} on {bg}')
        return rng.choice((f'{NUMBER_WORDS[n]} shapes on {bg}',
                           f'there are {NUMBER_WORDS[n]} shapes in the image',
                           f'{NUMBER_WORDS[n]} colorful objects on {bg}'))
    if kind in (2, 3):
        uniq = unique_objects(scene)
        margin = RELATION_MARGIN * scene.width
        pairs = [(a, b, relation(a, b, margin)) for a in uniq
                 for b in uniq if a is not b]
        pairs = [p for p in pairs if p[2]]
        if pairs:
            a, b, rel = rng.choice(pairs)
            rel_w = rng.choice(RELATIONS[rel])
            det = 'a' if kind == 2 else 'the'
            pa = noun_phrase(rng, a.shape, a.colour, det=det)
            pb = noun_phrase(rng, b.shape, b.colour, det=det)
            return f'{pa} {rel_w} {pb}' if kind == 2 else \
                f'{pa} is {rel_w} {pb}'
        kind = 4
    if kind == 4:
        o = rng.choice(objs)
        return (f'{noun_phrase(rng, o.shape, o.colour)} '
                f'{position_words(o, scene.width)}')
    if kind == 5:
        lead = rng.choice(('some shapes including', 'a few shapes:',
                           'geometric shapes such as'))
        return f'{lead} {_inventory(rng, scene, False)}'
    colours = sorted({o.colour for o in objs})
    return rng.choice(('{} shapes on a plain background',
                       'an image with {} objects',
                       'shapes colored {}')).format(join_list(colours))


def make_captions(rng: random.Random, scene: Scene, num: int = 5) -> list:
    """``num`` distinct captions, from different template families.

    Returns:
        list[str]: Sentences with a capital letter and a full stop, as in
        COCO.
    """
    caps: list[str] = []
    kinds = rng.sample(range(7), 7)
    for i in range(num * 10):
        text = _caption(rng, scene, kinds[i % 7])
        text = text[0].upper() + text[1:] + '.'
        if text not in caps:
            caps.append(text)
        if len(caps) == num:
            break
    while len(caps) < num:  # tiny scenes may run out of distinct texts
        caps.append(caps[len(caps) % max(1, len(caps))])
    return caps


def make_regions(rng: random.Random, scene: Scene) -> list:
    """Visual-Genome-style region descriptions.

    Returns:
        list[tuple[str, tuple[int, int, int, int]]]: ``(phrase, (x, y, w,
        h))``: one per object (its box) and up to two relations between
        objects (the union box).
    """
    regions = []
    size = scene.width
    for o in scene.objects:
        big = 'large' if o.bbox[2] > 0.33 * size else 'small'
        phrase = rng.choice((
            noun_phrase(rng, o.shape, o.colour),
            noun_phrase(rng, o.shape, o.colour, det='the'),
            f'{noun_phrase(rng, o.shape, o.colour, det="")} '
            f'{position_words(o, size)}',
            f'{article(big)} {big} {o.colour} '
            f'{rng.choice(SHAPE_SYNONYMS[o.shape])}',
            f'the {o.shape} is {o.colour}',
        ))
        regions.append((phrase, o.bbox))
    uniq = unique_objects(scene)
    pairs = [(a, b) if rng.random() < 0.5 else (b, a)
             for i, a in enumerate(uniq) for b in uniq[i + 1:]]
    for a, b in rng.sample(pairs, min(2, len(pairs))):
        rel = relation(a, b, RELATION_MARGIN * size)
        if rel is None:
            continue
        x0, y0 = min(a.bbox[0], b.bbox[0]), min(a.bbox[1], b.bbox[1])
        x1 = max(a.bbox[0] + a.bbox[2], b.bbox[0] + b.bbox[2])
        y1 = max(a.bbox[1] + a.bbox[3], b.bbox[1] + b.bbox[3])
        phrase = (f'{noun_phrase(rng, a.shape, a.colour, det="")} '
                  f'{rng.choice(RELATIONS[rel])} '
                  f'{noun_phrase(rng, b.shape, b.colour, det="the")}')
        regions.append((phrase, (x0, y0, x1 - x0, y1 - y0)))
    return regions
