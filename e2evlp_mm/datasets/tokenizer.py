# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""The single place where tokenizers are loaded."""
import functools
import os
import os.path as osp

from transformers import BertTokenizerFast


@functools.lru_cache(maxsize=None)
def _load_tokenizer(path: str) -> BertTokenizerFast:
    return BertTokenizerFast.from_pretrained(path, local_files_only=True)


def build_tokenizer(path: str) -> BertTokenizerFast:
    """Load an uncased WordPiece tokenizer from a local folder.

    Tokenizers are cached per (absolute) path, so every transform and model
    that names the same folder shares one object.

    Args:
        path (str): A local folder holding at least ``vocab.txt``. Hub names
            are never resolved (``local_files_only=True``).

    Returns:
        BertTokenizerFast: The tokenizer; special tokens (``[PAD] [UNK]
        [CLS] [SEP] [MASK]``) come from its vocabulary.

    Raises:
        FileNotFoundError: If ``path`` is not a folder with ``vocab.txt``.
    """
    path = osp.abspath(osp.expanduser(os.fspath(path)))
    if not osp.isfile(osp.join(path, 'vocab.txt')):
        raise FileNotFoundError(
            f'No tokenizer at {path!r} (expected a folder with vocab.txt). '
            'Train one with tools/dataset_converters/train_wordpiece.py '
            'and point `tokenizer_path` at its output folder.')
    return _load_tokenizer(path)
