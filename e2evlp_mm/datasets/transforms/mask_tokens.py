# Copyright (c) e2evlp-mm contributors. All rights reserved.
from typing import Optional, Sequence

import numpy as np
from mmcv.transforms import BaseTransform
from mmdet.registry import TRANSFORMS

from ..tokenizer import build_tokenizer


@TRANSFORMS.register_module()
class E2EVLPMaskTokens(BaseTransform):
    """BERT masked-language-model corruption of ``text_ids``.

    Each non-special token is chosen with probability ``mask_prob`` (at
    least one when any exists); a chosen token becomes ``[MASK]`` with
    probability ``mask_token_prob``, a random non-special vocabulary token
    with ``random_token_prob``, and stays unchanged otherwise (paper Sec.
    3.1.2, following BERT). Mismatched ITM pairs (``itm_label == 0``) are
    corrupted the same way but get no MLM targets (their text does not
    describe the image): were only matched pairs masked, a ``[MASK]`` in
    the input would tell ITM the answer (LXMERT masks both kinds alike).
    Randomness comes from ``np.random``, which the E2E-VLP train loops
    seed per sample (``E2EVLPSeededDataset``).

    Not in the paper, off by default: tokens of ``content_words`` (every
    WordPiece of each) are chosen with probability ``content_mask_prob``
    instead, so more of the MLM targets are words that only the image can
    tell (colours, shapes, counts, relations) and fewer are template words
    the text around them gives away.

    Args:
        tokenizer_path (str): Local tokenizer folder.
        mask_prob (float): Share of tokens chosen. Defaults to 0.15.
        mask_token_prob (float): Share of chosen set to ``[MASK]``.
            Defaults to 0.8.
        random_token_prob (float): Share of chosen set to a random token.
            Defaults to 0.1.
        content_words (Sequence[str]): Words chosen with
            ``content_mask_prob``. Defaults to none.
        content_mask_prob (float, optional): Their probability. Defaults
            to None (``mask_prob``).
    """

    def __init__(self, tokenizer_path: str, mask_prob: float = 0.15,
                 mask_token_prob: float = 0.8,
                 random_token_prob: float = 0.1,
                 content_words: Sequence[str] = (),
                 content_mask_prob: Optional[float] = None) -> None:
        assert 0 <= mask_prob <= 1
        assert mask_token_prob + random_token_prob <= 1
        tokenizer = build_tokenizer(tokenizer_path)
        self.tokenizer_path = tokenizer_path
        self.mask_prob = mask_prob
        self.mask_token_prob = mask_token_prob
        self.random_token_prob = random_token_prob
        self.mask_id = tokenizer.mask_token_id
        self.special_ids = np.array(sorted(tokenizer.all_special_ids))
        self.normal_ids = np.setdiff1d(
            np.arange(len(tokenizer)), self.special_ids)
        self.content_mask_prob = (mask_prob if content_mask_prob is None
                                  else content_mask_prob)
        assert 0 <= self.content_mask_prob <= 1
        self.content_ids = np.array(sorted({
            i for w in content_words
            for i in tokenizer(w, add_special_tokens=False)['input_ids']}),
            dtype=np.int64)

    def transform(self, results: dict) -> dict:
        """Mask ``text_ids`` (L,) in place and add ``mlm_labels`` (L,).

        ``mlm_labels`` holds the original id at chosen positions and -100
        elsewhere (all -100 for an ITM negative, whose tokens are chosen
        and corrupted all the same).
        """
        ids = np.array(results['text_ids'], dtype=np.int64)
        labels = np.full_like(ids, -100)
        maskable = np.flatnonzero(~np.isin(ids, self.special_ids))
        if maskable.size == 0:
            results['text_ids'], results['mlm_labels'] = ids, labels
            return results
        prob = np.where(np.isin(ids[maskable], self.content_ids),
                        self.content_mask_prob, self.mask_prob)
        chosen = maskable[np.random.rand(maskable.size) < prob]
        if chosen.size == 0:
            chosen = maskable[np.random.randint(maskable.size, size=1)]
        if int(results.get('itm_label', 1)) != 0:
            labels[chosen] = ids[chosen]
        action = np.random.rand(chosen.size)
        to_mask = chosen[action < self.mask_token_prob]
        to_random = chosen[(action >= self.mask_token_prob) & (
            action < self.mask_token_prob + self.random_token_prob)]
        ids[to_mask] = self.mask_id
        ids[to_random] = np.random.choice(self.normal_ids, to_random.size)
        results['text_ids'], results['mlm_labels'] = ids, labels
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(mask_prob={self.mask_prob}, '
                f'mask_token_prob={self.mask_token_prob}, '
                f'random_token_prob={self.random_token_prob}, '
                f'content_mask_prob={self.content_mask_prob} for '
                f'{self.content_ids.size} tokens)')
