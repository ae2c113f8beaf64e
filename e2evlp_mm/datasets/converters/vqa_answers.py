# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""VQA v2 answer vocabulary, answer normalisation and soft scores.

The normalisation is the official VQA evaluation's (as in mmpretrain's
``VQAAcc``): punctuation, digits/number words and articles, so ``'two'`` and
``'2'``, ``'a dog'`` and ``'dog'`` are the same answer.
"""
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence

from mmpretrain.evaluation.metrics.vqa import (
    _process_digit_article,
    _process_punctuation,
)

from ..json_stream import stream_member
from ..validation import require_keys


def normalize_vqa_answer(answer: str) -> str:
    """Normalise an answer the way the official VQA evaluation does.

    Args:
        answer (str): A raw answer, e.g. ``'Two.'``.

    Returns:
        str: The normalised answer, e.g. ``'2'``.
    """
    answer = answer.replace('\n', ' ').replace('\t', ' ').strip()
    return _process_digit_article(_process_punctuation(answer))


def load_vqa_annotations(paths: Sequence[str]) -> Iterator[dict]:
    """The ``annotations`` of VQA v2 annotation files, one file after the
    other, read as streams (train2014's is 330 MB of json)."""
    for path in paths:
        part = stream_member(path, 'annotations')
        require_keys(part, ('annotations', ), path, None)
        yield from part['annotations']


def build_answer_vocab(annotations: Iterable[dict], top_k: int = 3129,
                       min_count: int = 1,
                       all_answers: bool = False) -> list[str]:
    """The ``top_k`` most frequent normalised answers.

    Args:
        annotations (Iterable[dict]): VQA v2 annotation entries.
        top_k (int): Vocabulary size. Defaults to 3129 (Teney et al. /
            bottom-up attention; used by LXMERT, UNITER, E2E-VLP).
        min_count (int): Drop answers seen fewer times. Defaults to 1.
        all_answers (bool): Count all 10 human answers instead of each
            question's ``multiple_choice_answer``. Defaults to False.

    Returns:
        list[str]: Answers, most frequent first (ties alphabetical); the
        index is the class id.
    """
    counts: Counter = Counter()
    for ann in annotations:
        texts = [a['answer'] for a in ann['answers']] if all_answers \
            else [ann['multiple_choice_answer']]
        counts.update(normalize_vqa_answer(t) for t in texts)
    counts.pop('', None)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [a for a, c in ranked[:top_k] if c >= min_count]


def answer_soft_scores(answers: Sequence[str],
                       vocab: Sequence[str] | Mapping[str, int]
                       ) -> dict[int, float]:
    """Soft VQA target: ``min(1, count / 3)`` per in-vocabulary answer.

    Args:
        answers (Sequence[str]): The (usually 10) raw human answers.
        vocab (Sequence[str] | Mapping[str, int]): Answer list, or a
            prebuilt ``{answer: index}`` mapping (faster when called often).

    Returns:
        dict[int, float]: Class id -> score; answers outside the vocabulary
        are left out.
    """
    if not isinstance(vocab, Mapping):
        vocab = {a: i for i, a in enumerate(vocab)}
    counts = Counter(normalize_vqa_answer(a) for a in answers)
    return {vocab[a]: min(1.0, c / 3) for a, c in counts.items()
            if a in vocab}
