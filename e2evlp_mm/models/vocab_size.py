# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Head sizes read from the vocabulary files the datasets use."""
import os.path as osp
from typing import Union


def vocab_size(value: Union[int, str], what: str) -> int:
    """Return ``value``, or the number of names in the file it names.

    A head built with ``num_classes='.../objects_vocab.txt'`` has exactly
    as many outputs as the dataset has classes (mmengine reads the same
    file for ``metainfo``), so the two cannot disagree.

    Args:
        value (int | str): A size, or a text file with one name a line.
        what (str): The argument name, for messages.

    Returns:
        int: The size.
    """
    if isinstance(value, int):
        return value
    if not isinstance(value, str):
        raise TypeError(f'{what} must be an int or a vocabulary file, got '
                        f'{type(value).__name__}')
    if not osp.isfile(value):
        raise FileNotFoundError(
            f'{what}: vocabulary file {value!r} does not exist (written by '
            'tools/dataset_converters/vg_to_det.py; docs/data_preparation.md)')
    with open(value) as f:
        return sum(1 for line in f if line.strip())
