# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Turning heads' per-sample predictions into data-sample fields."""
from typing import Dict, List, Optional, Sequence

from mmdet.structures import SampleList


def add_caption_text(preds: List[Dict], tokenizer: Optional[object]) -> None:
    """Add ``pred_caption`` (str) decoded from ``pred_caption_ids``.

    Args:
        preds (list[dict]): The caption head's predictions, each with
            ``pred_caption_ids`` (LongTensor (n,), no ``[CLS]`` /
            ``[SEP]``); changed in place.
        tokenizer (PreTrainedTokenizerBase, optional): The trunk's
            tokenizer; None adds nothing (ids only).
    """
    if tokenizer is None:
        return
    for pred in preds:
        pred['pred_caption'] = tokenizer.decode(
            pred['pred_caption_ids'].tolist(), skip_special_tokens=True)


def write_predictions(batch_data_samples: SampleList,
                      *head_preds: Sequence[Dict]) -> SampleList:
    """Set every predicted field on its data sample.

    Args:
        batch_data_samples (list[:obj:`DetDataSample`]): The B samples.
        *head_preds (Sequence[dict]): Each head's B dicts of field name to
            value (e.g. ``pred_answer``, ``pred_itm_score``).

    Returns:
        list[:obj:`DetDataSample`]: The same samples, with the fields.
    """
    for preds in head_preds:
        for data_sample, fields in zip(batch_data_samples, preds):
            for name, value in fields.items():
                setattr(data_sample, name, value)
    return batch_data_samples
