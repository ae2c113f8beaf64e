# Copyright (c) e2evlp-mm contributors. All rights reserved.
from typing import Sequence

import numpy as np
from mmcv.transforms import BaseTransform
from mmdet.registry import TRANSFORMS

from ..tokenizer import build_tokenizer


@TRANSFORMS.register_module()
class E2EVLPTokenize(BaseTransform):
    """Tokenize text fields: the only place tokenization happens.

    For each ``key`` present in ``results``, writes ``f'{key}_ids'``: an
    unpadded np.int64 array ``(L,)`` = ``[CLS] w1..wm [SEP]`` with
    ``L <= max_length``. Absent keys are skipped (VQA has no caption).

    Args:
        tokenizer_path (str): Local tokenizer folder (see
            :func:`e2evlp_mm.datasets.build_tokenizer`).
        max_length (int): Longest sequence, specials included. Defaults to
            40 (paper Sec. 4.1).
        keys (Sequence[str]): Text fields to tokenize. Defaults to
            ``('text', 'caption')``.
    """

    def __init__(self, tokenizer_path: str, max_length: int = 40,
                 keys: Sequence[str] = ('text', 'caption')) -> None:
        self.tokenizer_path = tokenizer_path
        self.tokenizer = build_tokenizer(tokenizer_path)
        self.max_length = max_length
        self.keys = tuple(keys)

    def transform(self, results: dict) -> dict:
        """Add ``text_ids`` / ``caption_ids`` (np.int64 ``(L,)``)."""
        for key in self.keys:
            if key in results:
                ids = self.tokenizer(
                    results[key], max_length=self.max_length,
                    truncation=True)['input_ids']
                results[f'{key}_ids'] = np.asarray(ids, dtype=np.int64)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(tokenizer_path='
                f'{self.tokenizer_path!r}, max_length={self.max_length}, '
                f'keys={self.keys})')
