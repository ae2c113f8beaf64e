# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Which tasks a model answers, and each task's plain-dict result.

.. code:: text

    model type                       tasks
    E2EVLP (pre-training)            detect, caption, itm (per built head)
    E2EVLP (bbox head only)          detect
    E2EVLPCaptioner                  caption
    E2EVLPVQA                        vqa
    E2EVLPNLVR2                      nlvr2
    E2EVLPRetriever                  retrieve
"""
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from mmdet.structures import DetDataSample
from torch import nn

TEXT_TASKS = ('itm', 'vqa', 'nlvr2')  # need one text per input
TASKS = ('detect', 'caption', 'itm', 'vqa', 'nlvr2', 'retrieve')


def model_tasks(model: nn.Module) -> Tuple[str, ...]:
    """Tasks the model's heads can answer, read from the built heads.

    Args:
        model (nn.Module): An E2E-VLP model.

    Returns:
        tuple[str]: Subset of :data:`TASKS`, in that order.

    Raises:
        TypeError: For a model without any E2E-VLP task head.
    """
    heads = dict(
        detect='bbox_head',
        caption='caption_head',
        itm='itm_head',
        vqa='vqa_head',
        nlvr2='nlvr2_head',
        retrieve='retrieval_head')
    tasks = tuple(t for t in TASKS
                  if getattr(model, heads[t], None) is not None)
    if not tasks:
        raise TypeError(f'{type(model).__name__} has no E2E-VLP task head.')
    return tasks


def resolve_tasks(supported: Sequence[str],
                  task: Optional[str] = None,
                  with_text: bool = False) -> Tuple[str, ...]:
    """The tasks of one call.

    Args:
        supported (Sequence[str]): From :func:`model_tasks`.
        task (str, optional): ``'vqa'``, or several joined by ``+`` (``'detect
            +caption'``); None takes every supported task, the text tasks
            (ITM) only when ``with_text``.
        with_text (bool): Whether texts were given.

    Returns:
        tuple[str]: The tasks to run.

    Raises:
        ValueError: For an unknown or unsupported task, or a text task
            without texts.
    """
    if task is None:
        tasks = tuple(t for t in supported
                      if with_text or t not in ('itm', ))
    else:
        tasks = tuple(t.strip() for t in task.split('+'))
    for name in tasks:
        if name not in supported:
            raise ValueError(f"task {name!r} is not one of this model's "
                             f'tasks {tuple(supported)}.')
        if name in TEXT_TASKS and not with_text:
            raise ValueError(f'task {name!r} needs `texts` (one per input '
                             'or one for all).')
    return tasks


def _round(values: List[float], digits: int) -> List[float]:
    return [round(float(v), digits) for v in values]


def detect_result(sample: DetDataSample, meta: Dict) -> Dict:
    """``bboxes`` (xyxy, input pixels), ``scores``, ``labels``,
    ``label_names`` and, with attributes, ``attr_labels``, ``attr_names``,
    ``attr_scores``; sorted by score."""
    inst = sample.pred_instances.cpu()
    order = inst.scores.argsort(descending=True)
    inst = inst[order]
    classes = meta.get('classes')
    labels = inst.labels.tolist()
    out = dict(
        bboxes=[_round(b, 2) for b in inst.bboxes.tolist()],
        scores=_round(inst.scores.tolist(), 4),
        labels=labels,
        label_names=[classes[i] if classes else str(i) for i in labels])
    if 'attr_labels' in inst:
        attrs = meta.get('attributes')
        attr_labels = inst.attr_labels.tolist()
        out.update(
            attr_labels=attr_labels,
            attr_names=[attrs[i] if attrs else str(i) for i in attr_labels],
            attr_scores=_round(inst.attr_scores.max(-1)[0].tolist(), 4))
    return out


def caption_result(sample: DetDataSample, meta: Dict) -> Dict:
    """``caption`` (str) and ``caption_score`` (the search's score)."""
    return dict(
        caption=sample.pred_caption,
        caption_score=round(float(sample.pred_caption_score), 4))


def itm_result(sample: DetDataSample, meta: Dict) -> Dict:
    """``text`` and ``itm_score``: the probability that they match."""
    return dict(
        text=sample.text, itm_score=round(float(sample.pred_itm_score), 4))


def vqa_result(sample: DetDataSample, meta: Dict) -> Dict:
    """``question``, ``answer`` (from the answer list), ``answer_score``
    (its sigmoid probability) and ``topk`` ``[{answer, score}]``."""
    return dict(
        question=sample.text,
        answer=sample.pred_answer,
        answer_score=round(float(sample.pred_answer_score), 4),
        topk=[
            dict(answer=a, score=round(float(s), 4))
            for a, s in sample.get('pred_answer_topk', [])
        ])


def nlvr2_result(sample: DetDataSample, meta: Dict) -> Dict:
    """``statement``, ``verdict`` (bool), ``probability`` (of the verdict)
    and ``true_probability``."""
    p_true = float(sample.pred_nlvr_score)
    verdict = bool(sample.pred_nlvr_label)
    return dict(
        statement=sample.text,
        verdict=verdict,
        probability=round(p_true if verdict else 1 - p_true, 4),
        true_probability=round(p_true, 4))


def retrieve_result(sample: DetDataSample, meta: Dict) -> Dict:
    """``query`` (text, or None for an image query) and ``topk``
    ``[{index, name, score}]`` (gallery index, text or image name, the
    retrieval head's matching logit), best first."""
    return dict(query=sample.get('text'), topk=list(sample.pred_retrieval))


RESULTS: Dict[str, Callable[[DetDataSample, Dict], Dict]] = dict(
    detect=detect_result,
    caption=caption_result,
    itm=itm_result,
    vqa=vqa_result,
    nlvr2=nlvr2_result,
    retrieve=retrieve_result)


def sample_to_dict(sample: DetDataSample, tasks: Sequence[str],
                   meta: Dict) -> Dict:
    """The plain-dict result of one input for the given tasks.

    Args:
        sample (:obj:`DetDataSample`): A predicted sample.
        tasks (Sequence[str]): Tasks whose fields to include.
        meta (dict): ``dataset_meta`` (``classes``, ``attributes``).

    Returns:
        dict: ``img_path`` (str, list of two for NLVR2, None for arrays)
        and the fields of each task's result function.
    """
    out = dict(img_path=sample.get('img_path'))
    for task in tasks:
        out.update(RESULTS[task](sample, meta))
    return out
