# Copyright (c) e2evlp-mm contributors. All rights reserved.
import re
from typing import Sequence

import numpy as np
from mmdet.datasets.transforms import RandomFlip
from mmdet.registry import TRANSFORMS

# Words whose meaning a flip mirrors, per flip direction.
_SWAPS = {
    'horizontal': (('left', 'right'), ),
    'vertical': (('above', 'below'), ('top', 'bottom')),
}
_SWAPS['diagonal'] = _SWAPS['horizontal'] + _SWAPS['vertical']


def match_case(word: str, like: str) -> str:
    """``word`` in the case of ``like``: upper, capitalised or as is."""
    if len(like) > 1 and like.isupper():
        return word.upper()
    if like[0].isupper():
        return word.capitalize()
    return word


def swap_words(text: str, pairs: Sequence[Sequence[str]]) -> str:
    """Swap each pair of whole words in ``text``, keeping their case.

    Example:
        >>> swap_words('Left of the leftmost, right.', [('left', 'right')])
        'Right of the leftmost, left.'
    """
    table = {}
    for a, b in pairs:
        table[a], table[b] = b, a
    pattern = r'\b(' + '|'.join(table) + r')\b'
    return re.sub(
        pattern, lambda m: match_case(table[m.group(0).lower()],
                                      m.group(0)), text, flags=re.I)


@TRANSFORMS.register_module()
class E2EVLPRandomFlip(RandomFlip):
    """mmdet ``RandomFlip`` that keeps the text true to the flipped image.

    Boxes, masks and the image flip as in mmdet; so does the normalized
    ``text_bbox`` (cx, cy, w, h) of a region description. The words of
    ``keys`` are swapped whole-word and case-preserving: ``left``/``right``
    for a horizontal flip, ``above``/``below`` and ``top``/``bottom`` for a
    vertical one, all of them for a diagonal one.

    Args:
        keys (Sequence[str]): Text fields to rewrite. Defaults to
            ``('text', 'caption')``.
        **kwargs: Arguments of :class:`mmdet.datasets.transforms.RandomFlip`
            (``prob``, ``direction``).
    """

    def __init__(self, keys: Sequence[str] = ('text', 'caption'),
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.keys = tuple(keys)

    def _flip(self, results: dict) -> None:
        super()._flip(results)
        direction = results['flip_direction']
        pairs = _SWAPS[direction]
        if results.get('text_bbox') is not None:
            box = np.array(results['text_bbox'], np.float32)
            if direction in ('horizontal', 'diagonal'):
                box[0] = 1 - box[0]
            if direction in ('vertical', 'diagonal'):
                box[1] = 1 - box[1]
            results['text_bbox'] = box
        for key in self.keys:
            if isinstance(results.get(key), str):
                results[key] = swap_words(results[key], pairs)
