# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""One-word substitutions that turn a true text into a false one."""
import re
from typing import Any, Optional, Sequence

from .random_flip import match_case

_ARTICLE = re.compile(r'\b(a|an)(\s+)$', re.I)


def article(word: str) -> str:
    """``'an'`` before a vowel letter, else ``'a'``."""
    return 'an' if word[0].lower() in 'aeiou' else 'a'


class WordSwapper:
    """Replace one listed word of a text by a word of another class.

    ``groups`` lists kinds of words that exclude each other, e.g. colours
    or shapes; each group is a list of classes and each class a list of
    interchangeable words (synonyms). A swap picks one listed word of the
    text uniformly, then a word of another class of its group: ``'a red
    disc'`` may become ``'a blue disc'`` or ``'a red square'``, never ``'a
    red circle'`` when ``circle`` and ``disc`` share a class. Matching is
    whole-word and case-insensitive; the new word takes the old one's case,
    and a preceding ``a`` / ``an`` is fixed (``'an orange'`` ->
    ``'a red'``), so no grammar gives the swap away. Keep plurals in their
    own group (``hearts`` <-> ``stars``) for the same reason.

    Args:
        groups (Sequence[Sequence[Sequence[str]]]): Groups of classes of
            single words, each group with at least two classes.

    Raises:
        ValueError: A word that is not a single word, a word listed twice
            or a group with fewer than two classes.
    """

    def __init__(self, groups: Sequence[Sequence[Sequence[str]]]) -> None:
        self.groups = [[tuple(w.lower() for w in cls) for cls in group]
                       for group in groups]
        self.word_class = {}
        for g, group in enumerate(self.groups):
            if len(group) < 2:
                raise ValueError(f'swap_words group {g} has {len(group)} '
                                 'class(es); a swap needs at least two')
            for c, cls in enumerate(group):
                for word in cls:
                    if not re.fullmatch(r'\w+', word):
                        raise ValueError('swap_words lists single words, '
                                         f'got {word!r} (group {g})')
                    if word in self.word_class:
                        raise ValueError(f'swap_words lists {word!r} twice')
                    self.word_class[word] = (g, c)
        words = sorted(self.word_class, key=len, reverse=True)
        self.pattern = re.compile(r'\b(' + '|'.join(words) + r')\b', re.I)

    def __call__(self, text: str, rng: Any) -> Optional[str]:
        """The text with one word swapped, or ``None`` if none is listed.

        Args:
            text (str): A text true of its image.
            rng: ``np.random`` or a ``np.random.RandomState``.
        """
        hits = list(self.pattern.finditer(text))
        if not hits:
            return None
        hit = hits[rng.randint(len(hits))]
        g, c = self.word_class[hit.group(0).lower()]
        others = [k for k in range(len(self.groups[g])) if k != c]
        cls = self.groups[g][others[rng.randint(len(others))]]
        new = match_case(cls[rng.randint(len(cls))], hit.group(0))
        head = _ARTICLE.sub(
            lambda m: match_case(article(new), m.group(1)) + m.group(2),
            text[:hit.start()])
        return head + new + text[hit.end():]
