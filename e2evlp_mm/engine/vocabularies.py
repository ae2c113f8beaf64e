# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""What a checkpoint's outputs mean, and the check that a config agrees.

A checkpoint's weights only mean something with the vocabularies they
were trained on: output row ``i`` of the VQA classifier is answer ``i`` of
the answer list, class logit ``i`` is class ``i`` of the dataset, token id
``i`` is line ``i`` of the WordPiece ``vocab.txt``. Every checkpoint keeps
them in ``meta['vocabularies']``::

    answers     list[str]  the VQA head's answer list
    classes     list[str]  the detection head's class names
    attributes  list[str]  its attribute names
    wordpiece   dict       size, sha256, lower_case and (up to
                           MAX_STORED_TOKENS) the tokens themselves

Loading a checkpoint into a model whose files say otherwise is refused
(:func:`check_vocabularies`), unless the config names that vocabulary in
``new_vocabularies`` (fine-tuning onto a new answer or class list).
"""
import hashlib
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import torch
from torch import nn

from .model_check import E2EVLPConfigError

META_KEY = 'vocabularies'
NAMES = ('answers', 'classes', 'attributes', 'wordpiece')
# 30K BERT tokens are ~250 KB in a checkpoint; far larger vocabularies keep
# only their fingerprint.
MAX_STORED_TOKENS = 200_000
# (value, where the config's value comes from) per vocabulary name
Current = Dict[str, Tuple[object, str]]


class E2EVLPVocabularyError(E2EVLPConfigError):
    """A checkpoint trained on other vocabularies than the config's."""


def fingerprint(names: Sequence[str]) -> str:
    """sha256 of the names in order, one a line."""
    return hashlib.sha256('\n'.join(names).encode('utf-8')).hexdigest()


def wordpiece_record(tokenizer) -> dict:
    """What a checkpoint stores of a WordPiece tokenizer.

    Args:
        tokenizer (PreTrainedTokenizerBase): The tokenizer.

    Returns:
        dict: ``size``, ``sha256`` of the tokens in id order,
        ``lower_case`` and, for up to :data:`MAX_STORED_TOKENS` tokens,
        ``tokens`` (enough to rebuild the tokenizer).
    """
    tokens = tokenizer.convert_ids_to_tokens(list(range(len(tokenizer))))
    record = dict(
        size=len(tokens),
        sha256=fingerprint(tokens),
        lower_case=bool(getattr(tokenizer, 'do_lower_case', True)))
    if len(tokens) <= MAX_STORED_TOKENS:
        record['tokens'] = list(tokens)
    return record


def answer_heads(model: nn.Module) -> List[Tuple[str, nn.Module]]:
    """``(attribute name, head)`` of every child with an answer list."""
    return [(name, child) for name, child in model.named_children()
            if isinstance(getattr(child, 'answer_list', None), list)]


def model_vocabularies(model: nn.Module,
                       dataset_meta: Optional[dict] = None,
                       dataset_name: str = 'dataset') -> Current:
    """The vocabularies a model is built with, and where each comes from.

    Answers come from a head's ``answer_list`` (read from its
    ``answer_list_path``), the WordPiece vocabulary from the model's
    tokenizer (``text_cfg.tokenizer_path``), classes and attributes, for a
    model with a detection head, from the dataset's ``metainfo``.

    Args:
        model (nn.Module): An unwrapped E2E-VLP model.
        dataset_meta (dict, optional): The dataset's ``metainfo``.
        dataset_name (str): How messages name that dataset.

    Returns:
        dict: ``name -> (value, source)`` for the vocabularies it has.
    """
    current: Current = {}
    for name, head in answer_heads(model):
        current['answers'] = (list(head.answer_list),
                              f'model.{name}.answer_list_path '
                              f'{getattr(head, "answer_list_path", "")!r}')
    tokenizer = getattr(model, 'tokenizer', None)
    if tokenizer is not None:
        current['wordpiece'] = (wordpiece_record(tokenizer),
                                'model.text_cfg.tokenizer_path '
                                f'{getattr(tokenizer, "name_or_path", "")!r}')
    head = getattr(model, 'bbox_head', None)
    if head is not None and dataset_meta:
        for what, size in (('classes', 'num_classes'),
                           ('attributes', 'num_attributes')):
            names = dataset_meta.get(what)
            if getattr(head, size, 0) and names is not None and \
                    not isinstance(names, str):
                current[what] = ([str(n) for n in names],
                                 f"the {dataset_name}'s metainfo['{what}']")
    return current


def vocabulary_meta(current: Current) -> dict:
    """The ``meta['vocabularies']`` entry of a checkpoint."""
    return {name: value for name, (value, _) in current.items()}


def saved_vocabularies(meta: Optional[dict]) -> dict:
    """A checkpoint's vocabularies.

    A checkpoint saved before they were stored still has the Runner's
    ``meta['dataset_meta']``: its classes and attributes are used.
    """
    meta = meta or {}
    saved = dict(meta.get(META_KEY) or {})
    dataset_meta = meta.get('dataset_meta') or {}
    for what in ('classes', 'attributes'):
        names = dataset_meta.get(what)
        if what not in saved and names is not None and \
                not isinstance(names, str):
            saved[what] = [str(n) for n in names]
    return saved


def _excerpt(names: Sequence[str], start: int, count: int = 5) -> str:
    part = [repr(n) for n in names[start:start + count]]
    more = ', ...' if start + count < len(names) else ''
    return f'[{", ".join(part)}{more}]'


def describe_difference(what: str, old: Sequence[str],
                        new: Sequence[str]) -> Optional[str]:
    """How two name lists differ, or None when they are equal.

    Returns:
        str | None: Both sizes, both fingerprints, the first differing
        index and both lists from there.
    """
    old, new = list(old), list(new)
    if old == new:
        return None
    first = next((i for i, (a, b) in enumerate(zip(old, new)) if a != b),
                 min(len(old), len(new)))
    return (f'checkpoint {len(old)} {what} (sha256 {fingerprint(old)[:12]}),'
            f' config {len(new)} (sha256 {fingerprint(new)[:12]}); first '
            f'difference at index {first}: checkpoint {_excerpt(old, first)}'
            f' vs config {_excerpt(new, first)}')


def _describe_wordpiece(old: dict, new: dict) -> Optional[str]:
    if old.get('sha256') == new.get('sha256') and \
            old.get('size') == new.get('size'):
        return None
    text = (f"checkpoint {old.get('size')} tokens (sha256 "
            f"{str(old.get('sha256'))[:12]}), config {new.get('size')} "
            f"tokens (sha256 {str(new.get('sha256'))[:12]})")
    if old.get('tokens') and new.get('tokens'):
        text = describe_difference('tokens', old['tokens'], new['tokens'])
    return text


def vocabulary_mismatches(saved: dict, current: Current,
                          allow: Iterable[str] = ()) -> List[str]:
    """One line per vocabulary the checkpoint and the config disagree on.

    Only vocabularies both sides have are compared: a pre-training
    checkpoint has no answer list, so VQA fine-tuning from it is checked
    for its WordPiece vocabulary only.

    Args:
        saved (dict): :func:`saved_vocabularies` of the checkpoint.
        current (dict): :func:`model_vocabularies` of the model.
        allow (Iterable[str]): Names not compared (``new_vocabularies``).

    Returns:
        list[str]: The differences, each naming the config's source.
    """
    lines = []
    for name in NAMES:
        if name in allow or name not in saved or name not in current:
            continue
        value, source = current[name]
        if name == 'wordpiece':
            diff = _describe_wordpiece(saved[name], value)
        else:
            diff = describe_difference(name, saved[name], value)
        if diff:
            lines.append(f'{name} of {source}: {diff}')
    return lines


def allowed_new(value) -> Tuple[str, ...]:
    """``new_vocabularies`` of a config as a tuple of checked names.

    Raises:
        E2EVLPConfigError: For a name that is not a vocabulary.
    """
    if not value:
        return ()
    names = (value, ) if isinstance(value, str) else tuple(value)
    unknown = [n for n in names if n not in NAMES]
    if unknown:
        raise E2EVLPConfigError(
            f'new_vocabularies={list(names)}: {unknown} not among {NAMES}')
    return names


def check_vocabularies(checkpoint: dict, current: Current, name: str,
                       allow: Iterable[str] = ()) -> None:
    """Refuse a checkpoint whose vocabularies are not the config's.

    Args:
        checkpoint (dict): The loaded checkpoint (with ``meta``).
        current (dict): :func:`model_vocabularies` of the model.
        name (str): The checkpoint, for the message.
        allow (Iterable[str]): Vocabularies the config replaces on purpose.

    Raises:
        E2EVLPVocabularyError: Naming each difference and the ways out.
    """
    lines = vocabulary_mismatches(
        saved_vocabularies(checkpoint.get('meta')), current, allow)
    if not lines:
        return
    names = [line.split(' ', 1)[0] for line in lines]
    raise E2EVLPVocabularyError(
        f'checkpoint {name} was trained with other vocabularies than the '
        'config names (its outputs would mean other answers / classes / '
        'tokens):\n  ' + '\n  '.join(lines) + '\nUse the files the '
        "checkpoint was trained with (its meta['vocabularies'] holds "
        'them), or, to fine-tune onto the new ones on purpose, set '
        f'new_vocabularies={names} (e.g. --cfg-options '
        f'new_vocabularies="[{",".join(names)}]"); see '
        'docs/inference.md, "What a checkpoint knows".')


def remap_rows(state_dict: dict, model: nn.Module, name: str,
               old: Sequence[str], new: Sequence[str]) -> None:
    """Give each name of a vocabulary the output row it had in the
    checkpoint.

    For fine-tuning onto a new answer / class / attribute list: in every
    head parameter listed under ``name`` in the head's
    ``vocabulary_params``, the rows of names in both lists move to their
    new index; rows past the names (DETR's background class) stay paired
    from the end; new names keep the model's (initial) rows.

    Args:
        state_dict (dict): The checkpoint's state dict, changed in place.
        model (nn.Module): The model to load into (its current rows).
        name (str): ``answers``, ``classes`` or ``attributes``.
        old (Sequence[str]): The checkpoint's list.
        new (Sequence[str]): The config's list.
    """
    index = {n: i for i, n in enumerate(old)}
    pairs = [(i, index[n]) for i, n in enumerate(new) if n in index]
    own = model.state_dict()
    for child, head in model.named_children():
        for param in getattr(head, 'vocabulary_params', {}).get(name, ()):
            key = f'{child}.{param}'
            if key not in state_dict or key not in own:
                continue
            rows, saved = own[key].detach().clone(), state_dict[key]
            extra = min(rows.size(0) - len(new), saved.size(0) - len(old))
            tail = [(rows.size(0) - k, saved.size(0) - k)
                    for k in range(1, extra + 1)]
            if pairs + tail:
                new_i, old_i = map(torch.tensor, zip(*(pairs + tail)))
                rows[new_i] = saved[old_i].to(rows)
            state_dict[key] = rows
