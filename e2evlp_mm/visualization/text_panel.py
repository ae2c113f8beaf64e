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


def gt_panel_lines(data_sample: DetDataSample,
                   tokenizer=None) -> List[str]:
    """Describe a sample's ground-truth text as the pipeline packed it.

    The input ``text`` under the name of its task (question and answers
    for VQA, statement and label for NLVR2, the ITM pair flag), the paired
    ``caption`` and, with a ``tokenizer``, the encoder's tokens with the
    MLM ``[MASK]`` s and the masked words (``mlm_labels``).

    Args:
        data_sample (:obj:`DetDataSample`): A packed training sample.
        tokenizer (PreTrainedTokenizerBase, optional): Decodes
            ``text_ids`` / ``mlm_labels``.

    Returns:
        list[str]: Lines, empty when the sample has no text.
    """
    text = data_sample.get('text')
    lines = []
    if 'gt_answer' in data_sample:
        answers = sorted(set(data_sample.gt_answer),
                         key=list(data_sample.gt_answer).count,
                         reverse=True)
        lines += [f'Q: {text}', 'answers: ' + ', '.join(
            f'{a} x{list(data_sample.gt_answer).count(a)}' for a in answers)]
    elif 'nlvr_label' in data_sample:
        lines += [f'statement: {text}',
                  f'label: {bool(int(data_sample.nlvr_label))}']
    elif isinstance(text, str):
        lines.append(f'text: {text}')
    elif text:  # a retrieval test image: its sentences
        lines += [f'text: {t}' for t in text]
    if 'itm_label' in data_sample:
        lines.append('ITM: matched pair' if int(data_sample.itm_label) else
                     "ITM: negative (another image's text)")
    caption = data_sample.get('caption')
    if caption and caption != text:
        lines.append(f'caption: {caption}')
    if tokenizer is not None and 'mlm_labels' in data_sample:
        ids = data_sample.text_ids.tolist()
        labels = data_sample.mlm_labels.tolist()
        lines.append('tokens: ' + ' '.join(tokenizer.convert_ids_to_tokens(
            ids)))
        masked = [i for i, label in zip(ids, labels) if label >= 0]
        words = tokenizer.convert_ids_to_tokens(
            [label for label in labels if label >= 0])
        if masked:
            lines.append('MLM targets: ' + ', '.join(
                f'{w} (as {m})' for w, m in zip(
                    words, tokenizer.convert_ids_to_tokens(masked))))
    return lines
