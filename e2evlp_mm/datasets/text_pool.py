# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Lightweight access to a dataset's texts, for sampling ITM negatives."""
from typing import Any, Callable, Tuple

import numpy as np


class E2EVLPTextPool:
    """All texts of a dataset, to draw a text of *another* image.

    The pool holds no texts itself: it calls back into the dataset, so it
    costs nothing to attach to every sample; copying it (mmcv transforms
    sometimes deep-copy ``results``) returns the same object.

    Args:
        size (int): Number of texts.
        text_at (Callable[[int], tuple]): ``index -> (img_id, text)``.
        max_tries (int): Rejection-sampling budget. Defaults to 1000.
    """

    def __init__(self, size: int, text_at: Callable[[int], Tuple[Any, str]],
                 max_tries: int = 1000) -> None:
        self.size = size
        self.text_at = text_at
        self.max_tries = max_tries

    def sample_other(self, img_id: Any, rng: Any = np.random) -> str:
        """Draw a text uniformly among texts of images other than ``img_id``.

        Args:
            img_id: The image whose texts are excluded.
            rng: ``np.random`` or a ``np.random.RandomState``.

        Returns:
            str: The drawn text.
        """
        for _ in range(self.max_tries):
            other_id, text = self.text_at(int(rng.randint(self.size)))
            if other_id != img_id:
                return text
        raise RuntimeError(
            f'No text of an image other than {img_id!r} found in '
            f'{self.max_tries} draws: ITM needs texts of >= 2 images.')

    def __copy__(self) -> 'E2EVLPTextPool':
        return self

    def __deepcopy__(self, memo: dict) -> 'E2EVLPTextPool':
        return self
