# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""VQA questions and noisy human answers for shapes-world scenes.

Question targets are sampled so that, per question type, the answers are
close to uniform (yes/no exactly by coin flip, counts by first drawing the
answer and then a query with that count): the question text alone does not
predict the answer.
"""
import random
from collections import Counter

from .language import (
    NUMBER_WORDS,
    OPPOSITE,
    RELATION_MARGIN,
    RELATIONS,
    SHAPE_SYNONYMS,
    noun_phrase,
    relation,
    unique_objects,
)
from .scene import COLOURS, SHAPES, Scene

QUESTION_KINDS = ('colour', 'shape', 'count', 'exist', 'position', 'side')
# Count answers 0-3 are drawn with these weights, the inverse of how often
# a scene of 1-4 objects has some query with that count (measured), so the
# answers that come out are about uniform.
_COUNT_WEIGHTS = (1.0, 0.93, 1.8, 4.0)


def _colour_q(rng: random.Random, scene: Scene) -> tuple | None:
    shapes = Counter(o.shape for o in scene.objects)
    objs = [o for o in scene.objects if shapes[o.shape] == 1]
    if not objs:
        return None
    o = rng.choice(objs)
    noun = rng.choice(SHAPE_SYNONYMS[o.shape])
    qtype = rng.choice(('what color is the', 'what is the color of the',
                        'what color is the'))
    return f'{qtype} {noun}?', qtype, 'other', o.colour


def _shape_q(rng: random.Random, scene: Scene) -> tuple | None:
    colours = Counter(o.colour for o in scene.objects)
    objs = [o for o in scene.objects if colours[o.colour] == 1]
    if not objs:
        return None
    o = rng.choice(objs)
    q, qtype = rng.choice((
        (f'what shape is the {o.colour} object?', 'what shape is the'),
        (f'what is the {o.colour} shape?', 'what is the'),
        (f'which shape is {o.colour}?', 'which'),
    ))
    return q, qtype, 'other', o.shape


def _count_q(rng: random.Random, scene: Scene) -> tuple | None:
    target = rng.choices(range(4), _COUNT_WEIGHTS)[0]
    queries = [(s, None) for s in SHAPES] + [(None, c) for c in COLOURS]
    queries += [(o.shape, o.colour) for o in scene.objects] + [(None, None)]
    matches = [q for q in queries if scene.count(*q) == target]
    if not matches:
        return None
    shape, colour = rng.choice(matches)
    words = noun_phrase(rng, shape, colour, n=2).split(' ', 1)[1]
    tail = rng.choice(('are there', 'are in the image', 'can you see',
                       'are in the picture'))
    return f'how many {words} {tail}?', 'how many', 'number', str(target)


def _exist_q(rng: random.Random, scene: Scene) -> tuple | None:
    yes = rng.random() < 0.5
    present = {(o.shape, o.colour) for o in scene.objects}
    if yes:
        shape, colour = rng.choice(sorted(present))
    else:
        absent = [(s, c) for s in SHAPES for c in COLOURS
                  if (s, c) not in present]
        shape, colour = rng.choice(absent)
    if rng.random() < 0.3:  # ask about the shape alone
        if not yes and scene.count(shape) > 0:
            shape = rng.choice([s for s in SHAPES if scene.count(s) == 0])
        colour = None
    phrase = noun_phrase(rng, shape, colour)
    q, qtype = rng.choice(((f'is there {phrase}?', 'is there a'),
                           (f'is there {phrase} in the image?', 'is there a'),
                           (f'does the image contain {phrase}?', 'does the')))
    return q, qtype, 'yes/no', 'yes' if yes else 'no'


def _position_q(rng: random.Random, scene: Scene) -> tuple | None:
    uniq = unique_objects(scene)
    margin = RELATION_MARGIN * scene.width
    pairs = [(a, b, relation(a, b, margin)) for a in uniq
             for b in uniq if a is not b]
    pairs = [p for p in pairs if p[2]]
    if not pairs:
        return None
    a, b, rel = rng.choice(pairs)
    yes = rng.random() < 0.5
    asked = rel if yes else OPPOSITE[rel]
    q = (f'is the {a.colour} {rng.choice(SHAPE_SYNONYMS[a.shape])} '
         f'{rng.choice(RELATIONS[asked])} '
         f'the {b.colour} {rng.choice(SHAPE_SYNONYMS[b.shape])}?')
    return q, 'is the', 'yes/no', 'yes' if yes else 'no'


def _side_q(rng: random.Random, scene: Scene) -> tuple | None:
    w = scene.width
    objs = [o for o in unique_objects(scene)
            if abs(o.center[0] - w / 2) > 0.15 * w]
    if not objs:
        return None
    o = rng.choice(objs)
    side = 'left' if o.center[0] < w / 2 else 'right'
    noun = f'{o.colour} {rng.choice(SHAPE_SYNONYMS[o.shape])}'
    return (f'is the {noun} on the left or on the right?', 'is the',
            'other', side)


_MAKERS = {'colour': _colour_q, 'shape': _shape_q, 'count': _count_q,
           'exist': _exist_q, 'position': _position_q, 'side': _side_q}


def make_questions(rng: random.Random, scene: Scene, num: int = 5) -> list:
    """Up to ``num`` distinct questions about ``scene``.

    Returns:
        list[dict]: ``question``, ``question_type`` (VQA's question-prefix
        type), ``answer_type`` (``'yes/no'``, ``'number'`` or ``'other'``)
        and the canonical ``answer``.
    """
    out, seen = [], set()
    for _ in range(num * 4):
        made = _MAKERS[rng.choice(QUESTION_KINDS)](rng, scene)
        if made is None or made[0] in seen:
            continue
        seen.add(made[0])
        out.append(dict(question=made[0], question_type=made[1],
                        answer_type=made[2], answer=made[3]))
        if len(out) == num:
            break
    return out


def _noisy(rng: random.Random, answer: str, answer_type: str) -> str:
    if answer_type == 'number':
        return NUMBER_WORDS[int(answer)]
    if answer_type == 'yes/no':
        return 'no' if answer == 'yes' else 'yes'
    group = SHAPES if answer in SHAPES else tuple(COLOURS) \
        if answer in COLOURS else ('left', 'right')
    if rng.random() < 1 / 3:  # a wrong answer of the same kind
        return rng.choice([a for a in group if a != answer])
    return rng.choice((f'{answer} ', f'the {answer}', f'{answer}.') +
                      SHAPE_SYNONYMS.get(answer, ())[1:])


def human_answers(rng: random.Random, answer: str, answer_type: str,
                  num: int = 10, noise: float = 0.1) -> list:
    """``num`` annotator answers: mostly ``answer``, some human-like noise.

    Noise is a differently written right answer (``'two'`` for ``'2'``,
    ``'a star'``) or, for yes/no and one case in three, a wrong answer.

    Returns:
        list[dict]: VQA v2 ``answers`` entries (``answer``,
        ``answer_confidence``, ``answer_id`` 1..num).
    """
    out = []
    for i in range(num):
        text = _noisy(rng, answer, answer_type) if rng.random() < noise \
            else answer
        conf = 'yes' if rng.random() < 0.9 else 'maybe'
        out.append(dict(answer=text, answer_confidence=conf,
                        answer_id=i + 1))
    return out
