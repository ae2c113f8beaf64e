# Copyright (c) e2evlp-mm contributors. All rights reserved.
from typing import Optional, Sequence, Union

import numpy as np
from mmcv.transforms import BaseTransform
from mmdet.registry import TRANSFORMS

from .word_swap import WordSwapper


@TRANSFORMS.register_module()
class E2EVLPSampleITMNegative(BaseTransform):
    """Replace the text by another image's text for image-text matching.

    With probability ``prob`` the pair becomes a negative: ``text`` is
    drawn from ``results['text_pool']`` (an
    :class:`~e2evlp_mm.datasets.E2EVLPTextPool` the dataset adds to every
    training sample) among texts of *other* images, and ``itm_label`` is 0;
    otherwise ``itm_label`` is 1. ``caption`` (the captioning target) is
    left untouched. Place it before ``E2EVLPTokenize``.

    Not in the paper, off by default: with probability ``swap_prob`` a
    negative is instead the image's own text with one word of
    ``swap_words`` replaced by a word of another class
    (:class:`~e2evlp_mm.datasets.transforms.word_swap.WordSwapper`: ``'a
    red heart'`` -> ``'a blue heart'``), a hard negative that differs from
    a true text in one colour, shape, count or relation; a text with no
    listed word gets another image's text. Such a swap can be true by
    chance (a blue heart the text did not mention), a little label noise.

    Also not in the paper, off by default: with ``false_of`` (the scene
    records of a synthetic world whose captions can be checked, the shapes
    world's ``vg/annotations/vg_det_*.json``) a negative text that
    :func:`~e2evlp_mm.evaluation.caption_truth.judge_caption` finds true of
    the image's scene is drawn again, up to ``max_redraws`` times. Another
    scene's text is often true of this one too (``'Shapes colored
    purple.'``, ``'Four shapes on a plain background.'``): 5.5% of the
    demo's held-out ITM negatives on average, which capped ITM accuracy
    near 97%, and in training 6.8% of the caption negatives and 2.8% of
    the region ones, labels that call a true text false. Images without a
    record are left as drawn.

    Args:
        prob (float): Probability of a negative pair. Defaults to 0.5
            (paper Sec. 3.1.2).
        swap_prob (float): Share of the negatives made by a word swap.
            Defaults to 0.0 (the paper's random negatives).
        swap_words (Sequence[Sequence[Sequence[str]]]): The
            :class:`WordSwapper` groups of classes of words. Defaults to
            none; needed when ``swap_prob > 0``.
    """

    def __init__(self,
                 prob: float = 0.5,
                 swap_prob: float = 0.0,
                 swap_words: Sequence[Sequence[Sequence[str]]] = (),
                 false_of: Optional[Union[str, Sequence[str]]] = None,
                 max_redraws: int = 20) -> None:
        assert 0 <= prob <= 1 and 0 <= swap_prob <= 1
        if swap_prob > 0 and not swap_words:
            raise ValueError('E2EVLPSampleITMNegative: swap_prob > 0 needs '
                             'swap_words (the words a swap may replace)')
        self.prob = prob
        self.swap_prob = swap_prob
        self.swapper = WordSwapper(swap_words) if swap_words else None
        self.max_redraws = max_redraws
        self.scenes = _load_scenes(false_of) if false_of else None

    def transform(self, results: dict) -> dict:
        """Set ``itm_label`` (int) and possibly replace ``text``."""
        pool = results.pop('text_pool', None)
        if pool is None:
            raise KeyError(
                'E2EVLPSampleITMNegative needs results["text_pool"]; use it '
                'with a dataset that provides one (training mode).')
        if np.random.rand() < self.prob:
            scene = (self.scenes or {}).get(results['img_id'])
            text = self._negative(results, pool)
            for _ in range(self.max_redraws if scene is not None else 0):
                if not _judge(text, scene).true:
                    break
                text = self._negative(results, pool)
            results['text'] = text
            results['itm_label'] = 0
        else:
            results['itm_label'] = 1
        return results

    def _negative(self, results: dict, pool) -> str:
        """Draw one negative text: a word swap or another image's text."""
        swapped = None
        if self.swapper is not None and np.random.rand() < self.swap_prob:
            swapped = self.swapper(results['text'], np.random)
        return swapped if swapped is not None else \
            pool.sample_other(results['img_id'], np.random)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(prob={self.prob}, '
                f'swap_prob={self.swap_prob}, '
                f'false_of={self.scenes is not None})')


def _load_scenes(files: Union[str, Sequence[str]]) -> dict:
    """Image id -> scene record of every file in ``files``."""
    from ...evaluation.caption_truth import load_scenes  # no import cycle
    scenes = {}
    for f in [files] if isinstance(files, str) else files:
        scenes.update(load_scenes(f))
    return scenes


def _judge(text: str, scene):
    from ...evaluation.caption_truth import judge_caption
    return judge_caption(text, scene)
