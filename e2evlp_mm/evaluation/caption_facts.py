# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""What a shapes-world caption states, read with the generator's words.

The vocabulary is the shapes-world generator's own
(:mod:`e2evlp_mm.datasets.shapes_world.language`): its colours, shape
synonyms and plurals, number words, relation phrases and the position
phrases of ``position_words``. Every caption form the generator writes
(``make_captions``, and the region phrases of ``make_regions``) is read;
other words are skipped. A caption becomes :class:`CaptionFacts`::

    'the yellow hexagon is to the right of two black triangles.'
      -> mentions  [a yellow hexagon, two black triangles]
         relations [(a yellow hexagon, 'right', two black triangles)]
"""
import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from ..datasets.shapes_world.language import (
    NUMBER_WORDS,
    RELATIONS,
    SHAPE_SYNONYMS,
    plural,
    position_words,
)
from ..datasets.shapes_world.scene import COLOURS, ShapeObject

# Nouns of the generator's templates that name any object ('three shapes',
# 'colorful objects', noun_phrase() without a shape).
GENERIC_NOUNS = ('shape', 'object')
# Determiners that state no number: the object exists.
ARTICLES = ('a', 'an', 'the')


@dataclass(frozen=True)
class Mention:
    """Objects a caption names.

    Attributes:
        shape (str, optional): Shape name (not a synonym); None for
            ``shape`` / ``object``.
        colour (str, optional): Colour name; None when not said.
        count (int, optional): The number stated (``two``, ``a single``);
            None when only existence is stated (``a``, ``the``, a bare
            noun).
    """

    shape: Optional[str] = None
    colour: Optional[str] = None
    count: Optional[int] = None

    def words(self) -> str:
        """Plain English, e.g. ``'two red circles'``, ``'a shape'``."""
        noun = ' '.join(w for w in (self.colour, self.shape or 'shape') if w)
        if self.count is None or self.count == 1:
            det = 'a single' if self.count == 1 else 'a'
            return f'{det} {noun}'
        return f'{_number_word(self.count)} {plural(noun)}'


@dataclass
class CaptionFacts:
    """Everything a caption states that a scene can confirm or refute.

    Attributes:
        mentions (list[Mention]): Every noun phrase, in caption order.
        colours (list[str]): Colours named without a noun (``'an image
            with red and blue objects'`` names ``red``).
        relations (list[tuple[Mention, str, Mention]]): ``(a, rel, b)``:
            ``a`` is ``rel`` (``left``/``right``/``above``/``below``) of
            ``b``.
        positions (list[tuple[Mention, str]]): An object and where it is,
            as ``position_words`` says it (``'in the top left corner'``).
    """

    mentions: List[Mention] = field(default_factory=list)
    colours: List[str] = field(default_factory=list)
    relations: List[Tuple[Mention, str, Mention]] = field(
        default_factory=list)
    positions: List[Tuple[Mention, str]] = field(default_factory=list)

    @property
    def names_shape(self) -> bool:
        """Whether a noun phrase names a shape (not just ``shapes``)."""
        return any(m.shape is not None for m in self.mentions)


def _number_word(n: int) -> str:
    return NUMBER_WORDS[n] if n < len(NUMBER_WORDS) else str(n)


def _position_phrases() -> List[str]:
    """The 9 outputs of ``position_words`` (a 3 x 3 grid of centres)."""
    return [
        position_words(ShapeObject('', '', (x, y, 1, 1)), 3)
        for y in range(3) for x in range(3)
    ]


def _phrase_table() -> Dict[Tuple[str, ...], Tuple[str, object]]:
    """Token tuple -> ``(kind, value)`` of every word the parser knows."""
    table: Dict[Tuple[str, ...], Tuple[str, object]] = {}
    for shape, synonyms in SHAPE_SYNONYMS.items():
        for word in synonyms:
            for form in (word, plural(word)):
                table[tuple(form.split())] = ('noun', shape)
    for word in GENERIC_NOUNS:
        table[(word, )] = table[(plural(word), )] = ('noun', None)
    table.update({(c, ): ('colour', c) for c in COLOURS})
    table.update({(w, ): ('number', n) for n, w in enumerate(NUMBER_WORDS)})
    table[('single', )] = ('number', 1)
    table.update({(w, ): ('article', None) for w in ARTICLES})
    for rel, phrases in RELATIONS.items():
        table.update({tuple(p.split()): ('relation', rel) for p in phrases})
    for phrase in _position_phrases():
        table[tuple(phrase.split())] = ('position', phrase)
    return table


_TABLE = _phrase_table()
_LONGEST = max(len(k) for k in _TABLE)
_TOKEN = re.compile(r'[a-z]+|\d+')


def _lookup(tokens: List[str], i: int) -> Tuple[str, object, int]:
    """Longest known phrase at ``tokens[i]``: ``(kind, value, length)``."""
    for n in range(min(_LONGEST, len(tokens) - i), 0, -1):
        hit = _TABLE.get(tuple(tokens[i:i + n]))
        if hit is not None:
            return hit[0], hit[1], n
    if tokens[i].isdigit():
        return 'number', int(tokens[i]), 1
    return 'other', tokens[i], 1


def parse_caption(caption: str) -> CaptionFacts:
    """Read what ``caption`` states about its scene.

    A noun phrase is an optional number (``two``, ``a single``), colour
    and unknown words (``large``, ``colorful``) before a shape noun or
    ``shape(s)`` / ``object(s)``. A relation joins the noun phrases just
    before and after it; a position phrase belongs to the noun phrase
    before it. ``the circle is red`` gives the circle its colour; other
    colours without a noun are :attr:`CaptionFacts.colours`.

    Args:
        caption (str): Any text; case and punctuation are ignored.

    Returns:
        CaptionFacts: What it states.
    """
    tokens = _TOKEN.findall(caption.lower())
    facts = CaptionFacts()
    items: List[tuple] = []  # ('np', Mention, end) / ('relation', rel) ...
    count: Optional[int] = None
    colour: Optional[Tuple[str, int]] = None  # (name, token index)

    def flush() -> None:
        nonlocal colour
        if colour is None:
            return
        name, at = colour
        last = items[-1] if items else None
        if (last and last[0] == 'np' and last[1].colour is None
                and tokens[last[2]:at] in (['is'], ['are'])):
            items[-1] = ('np', Mention(last[1].shape, name, last[1].count),
                         last[2])
        else:
            facts.colours.append(name)
        colour = None

    i = 0
    while i < len(tokens):
        kind, value, length = _lookup(tokens, i)
        if kind == 'noun':
            items.append(('np', Mention(value, colour and colour[0], count),
                          i + length))
            colour = count = None
        elif kind == 'colour':
            flush()
            colour = (value, i)
        elif kind in ('number', 'article'):
            flush()
            count = value
        elif kind in ('relation', 'position'):
            flush()
            count = None
            items.append((kind, value))
        i += length
    flush()
    for k, item in enumerate(items):
        before = items[k - 1][1] if k and items[k - 1][0] == 'np' else None
        after = items[k + 1][1] if k + 1 < len(items) and \
            items[k + 1][0] == 'np' else None
        if item[0] == 'np':
            facts.mentions.append(item[1])
        elif item[0] == 'relation' and before and after:
            facts.relations.append((before, item[1], after))
        elif item[0] == 'position' and before:
            facts.positions.append((before, item[1]))
    return facts
