# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""The lines of text :class:`E2EVLPVisualizer` writes under an image."""
from typing import List

from mmdet.structures import DetDataSample


def _gt_suffix(data_sample: DetDataSample, key: str) -> str:
    """``'  (gt: X)'`` when the sample carries the ground truth ``key``."""
    if key not in data_sample:
        return ''
    value = data_sample.get(key)
    if key == 'nlvr_label':
        value = bool(int(value))
    elif key == 'gt_answer':
        value = '/'.join(sorted(set(value)))
    return f'  (gt: {value})'


def panel_lines(data_sample: DetDataSample) -> List[str]:
    """Describe a sample's text predictions, one line per fact.

    Reads what the task models write (``docs/data_contract.md``): the
    input ``text`` (metainfo or data field), ``pred_caption``,
    ``pred_answer`` / ``pred_answer_score`` / ``pred_answer_topk`` (VQA),
    ``pred_itm_score`` (ITM), ``pred_nlvr_label`` / ``pred_nlvr_score``
    (NLVR2) and ``pred_retrieval`` (a ranked list of dicts with ``name``
    and ``score``, written by the inferencer). Ground truths present in the
    sample (``gt_answer``, ``nlvr_label``) are appended.

    Args:
        data_sample (:obj:`DetDataSample`): A predicted sample.

    Returns:
        list[str]: Lines, empty when the sample has no text prediction.
    """
    text = data_sample.get('text')
    lines = []
    if 'pred_answer' in data_sample:
        lines.append(f'Q: {text}')
        lines.append(f'A: {data_sample.pred_answer} '
                     f'({data_sample.pred_answer_score:.2f})' +
                     _gt_suffix(data_sample, 'gt_answer'))
        others = data_sample.get('pred_answer_topk', [])[1:]
        if others:
            lines.append('next: ' + ', '.join(f'{a} ({s:.2f})'
                                              for a, s in others))
    if 'pred_nlvr_label' in data_sample:
        verdict = bool(data_sample.pred_nlvr_label)
        prob = data_sample.pred_nlvr_score
        lines.append(f'statement: {text}')
        lines.append(f'verdict: {verdict} '
                     f'(p={prob if verdict else 1 - prob:.2f})' +
                     _gt_suffix(data_sample, 'nlvr_label'))
    if 'pred_itm_score' in data_sample and text:
        lines.append(f'text: {text}')
        lines.append(f'ITM match: {data_sample.pred_itm_score:.2f}')
    if 'pred_caption' in data_sample:
        lines.append(f'caption: {data_sample.pred_caption}')
    if 'pred_retrieval' in data_sample:
        if text:
            lines.append(f'query: {text}')
        lines.extend(f'{rank}. {item["name"]} ({item["score"]:.2f})'
                     for rank, item in enumerate(
                         data_sample.pred_retrieval, 1))
    return lines
