# Copyright (c) e2evlp-mm contributors. All rights reserved.
import numpy as np
from mmcv.transforms import BaseTransform
from mmdet.registry import TRANSFORMS


@TRANSFORMS.register_module()
class E2EVLPSampleITMNegative(BaseTransform):
    """Replace the text by another image's text for image-text matching.

    With probability ``prob`` the pair becomes a negative: ``text`` is
    drawn from ``results['text_pool']`` (an
    :class:`~e2evlp_mm.datasets.E2EVLPTextPool` the dataset adds to every
    training sample) among texts of *other* images, and ``itm_label`` is 0;
    otherwise ``itm_label`` is 1. ``caption`` (the captioning target) is
    left untouched. Place it before ``E2EVLPTokenize``.

    Args:
        prob (float): Probability of a negative pair. Defaults to 0.5
            (paper Sec. 3.1.2).
    """

    def __init__(self, prob: float = 0.5) -> None:
        assert 0 <= prob <= 1
        self.prob = prob

    def transform(self, results: dict) -> dict:
        """Set ``itm_label`` (int) and possibly replace ``text``."""
        pool = results.pop('text_pool', None)
        if pool is None:
            raise KeyError(
                'E2EVLPSampleITMNegative needs results["text_pool"]; use it '
                'with a dataset that provides one (training mode).')
        if np.random.rand() < self.prob:
            results['text'] = pool.sample_other(results['img_id'], np.random)
            results['itm_label'] = 0
        else:
            results['itm_label'] = 1
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(prob={self.prob})'
