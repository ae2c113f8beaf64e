# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Whether a shapes-world caption is true of its scene.

A caption is *true* when everything it states (see
:func:`~.caption_facts.parse_caption`) holds in the scene record:

- a named colour, shape or colour + shape exists (named ``k`` times
  without a number: ``k`` such objects exist);
- a stated number is the exact count (``two red circles``, ``three
  shapes``, ``a single white hexagon``), as the generator's captions mean
  it;
- ``a left of / right of / above / below b`` holds for two different
  matching objects by the generator's own ``relation`` and margin;
- ``a in the top left corner`` (``on the left``, ``in the middle``...)
  holds for a matching object by the generator's ``position_words``.

A caption stating nothing checkable is true. Scores are the share of
captions that are true, and that are true *and* name a shape (not just
``shapes`` / ``objects``). The generator's own captions are all true.
"""
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Tuple

from ..datasets.shapes_world.language import (
    RELATION_MARGIN,
    RELATIONS,
    position_words,
    relation,
)
from ..datasets.shapes_world.scene import COLOURS, Scene, ShapeObject
from .caption_facts import CaptionFacts, Mention, parse_caption

# What a false statement got wrong: an object that is not there, a stated
# number, one object named as two, a colour no object has, a relation
# between two objects, where an object is.
ERROR_KINDS = ('absent', 'count', 'repeated', 'colour', 'relation',
               'position')
# 'left' -> 'left of', 'above' -> 'above': how a reason names a relation
_RELATION_WORDS = {rel: next(p for p in phrases if p.startswith(rel))
                   for rel, phrases in RELATIONS.items()}


@dataclass
class CaptionVerdict:
    """The judgement of one caption.

    Attributes:
        caption (str): The caption.
        errors (list[str]): Why it is false, one line per false statement;
            empty when true.
        names_shape (bool): Whether it names a shape.
        kinds (list[str]): The kind of each error (one of
            :data:`ERROR_KINDS`), in the order of ``errors``.
    """

    caption: str
    errors: List[str] = field(default_factory=list)
    names_shape: bool = False
    kinds: List[str] = field(default_factory=list)

    @property
    def true(self) -> bool:
        """bool: Nothing it states is false."""
        return not self.errors


def _matching(scene: Scene, m: Mention) -> List[ShapeObject]:
    return [o for o in scene.objects
            if (m.shape is None or o.shape == m.shape)
            and (m.colour is None or o.colour == m.colour)]


def find_errors(facts: CaptionFacts,
                scene: Scene) -> List[Tuple[str, str]]:
    """Every statement of ``facts`` that ``scene`` refutes.

    Args:
        facts (CaptionFacts): What a caption states.
        scene (Scene): The scene record (shapes, colours, boxes, width).

    Returns:
        list[tuple[str, str]]: ``(kind, reason)`` per false statement:
        the kind one of :data:`ERROR_KINDS`, the reason e.g. ``'two red
        circles: the scene has 1'``.
    """
    errors = []
    named = Counter(m for m in facts.mentions if m.count is None)
    for m in facts.mentions:
        have = len(_matching(scene, m))
        if m.count is not None and have != m.count:
            errors.append(('count', f'{m.words()}: the scene has {have}'))
        elif m.count is None and named[m] > have:
            times = f' (named {named[m]} times)' if named[m] > 1 else ''
            errors.append(('repeated' if have else 'absent',
                           f'{m.words()}{times}: the scene has {have}'))
            named[m] = 0  # one reason per phrase
    for colour in dict.fromkeys(facts.colours):
        if scene.count(colour=colour) == 0:
            errors.append(('colour', f'{colour}: no {colour} object'))
    margin = RELATION_MARGIN * scene.width
    for a, rel, b in facts.relations:
        if not any(relation(x, y, margin) == rel
                   for x in _matching(scene, a)
                   for y in _matching(scene, b) if x is not y):
            errors.append(('relation', f'{a.words()} {_RELATION_WORDS[rel]} '
                           f'{b.words()}: not so'))
    for m, where in facts.positions:
        if not any(position_words(o, scene.width) == where
                   for o in _matching(scene, m)):
            errors.append(('position', f'{m.words()} {where}: not so'))
    return errors


def judge_caption(caption: str, scene: Scene) -> CaptionVerdict:
    """Whether ``caption`` is true of ``scene`` and names a shape.

    Args:
        caption (str): A generated or reference caption.
        scene (Scene): Its scene record.

    Returns:
        CaptionVerdict: The errors found and whether it names a shape.
    """
    facts = parse_caption(caption)
    kinded = find_errors(facts, scene)
    return CaptionVerdict(caption, [reason for _, reason in kinded],
                          facts.names_shape, [kind for kind, _ in kinded])


def summarize(verdicts: Iterable[CaptionVerdict]) -> Dict[str, float]:
    """Percentages over captions.

    Args:
        verdicts (Iterable[CaptionVerdict]): One per caption (at least
            one).

    Returns:
        dict[str, float]: ``true`` (nothing false) and ``true_shape``
        (true and naming a shape), in percent.
    """
    verdicts = list(verdicts)
    if not verdicts:
        raise ValueError('no caption to score')
    n = len(verdicts)
    return dict(
        true=100.0 * sum(v.true for v in verdicts) / n,
        true_shape=100.0 * sum(v.true and v.names_shape
                               for v in verdicts) / n)


def error_shares(verdicts: Iterable[CaptionVerdict]) -> Dict[str, float]:
    """How often each kind of error occurs.

    Args:
        verdicts (Iterable[CaptionVerdict]): One per caption (at least
            one).

    Returns:
        dict[str, float]: For each of :data:`ERROR_KINDS`, the percentage
        of captions with at least one error of that kind (a caption with
        errors of two kinds counts under both).
    """
    verdicts = list(verdicts)
    if not verdicts:
        raise ValueError('no caption to score')
    return {kind: 100.0 * sum(kind in v.kinds for v in verdicts)
            / len(verdicts) for kind in ERROR_KINDS}


def load_scenes(ann_file: str) -> Dict[int, Scene]:
    """Scene records of a detection json with colour attributes.

    The shapes world's ``vg/annotations/vg_det_{train,val}.json`` (image
    ids are the COCO ids, so they serve COCO val and the Karpathy splits):
    ``images`` (``id``, ``width``, ``height``), ``categories`` (shape
    names), ``attribute_categories`` (colour names) and ``annotations``
    (``image_id``, ``bbox`` as ``x, y, w, h``, ``category_id``,
    ``attribute_ids``). The background is not recorded (black here).

    Args:
        ann_file (str): The json path.

    Returns:
        dict[int, Scene]: Image id -> scene (objects in file order).
    """
    with open(ann_file) as f:
        det = json.load(f)
    if 'attribute_categories' not in det:
        raise ValueError(f'{ann_file} has no attribute_categories: the '
                         'scene colours are in vg/annotations/vg_det_*.json')
    shapes = {c['id']: c['name'] for c in det['categories']}
    colours = {c['id']: c['name'] for c in det['attribute_categories']}
    scenes = {img['id']: Scene(img['width'], img['height'], (0, 0, 0))
              for img in det['images']}
    for ann in det['annotations']:
        names = [colours[i] for i in ann.get('attribute_ids', [])]
        colour: Optional[str] = next((c for c in names if c in COLOURS),
                                     None)
        scenes[ann['image_id']].objects.append(ShapeObject(
            shapes[ann['category_id']], colour,
            tuple(ann['bbox'])))
    return scenes
