# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""A fixed-size window around one object, for object classification."""
from typing import Optional

import numpy as np
from mmcv.transforms import BaseTransform
from mmdet.registry import TRANSFORMS


@TRANSFORMS.register_module()
class E2EVLPCropObject(BaseTransform):
    """Cut a ``window`` x ``window`` square centred on ``results['bbox']``.

    The window has the same size for every object, so an object keeps the
    scale it has in its scene (a later ``Resize`` can scale all windows as
    the detector scales its scenes). Parts of the window outside the image
    repeat the image's edge pixels (the shapes world's plain background).

    Required keys: ``img`` (H, W, C), ``bbox`` ``[x, y, w, h]`` pixels.
    Modified keys: ``img``, ``img_shape``.

    Args:
        window (int): Side of the window in input pixels.
        max_shift (int): In training the centre moves by up to this many
            pixels each way (uniform). Defaults to 0.
        seed (int, optional): Seed of the shifts (None: numpy's global
            generator, which the project seeds per sample).
    """

    def __init__(self, window: int, max_shift: int = 0,
                 seed: Optional[int] = None) -> None:
        self.window = window
        self.max_shift = max_shift
        self.rng = np.random if seed is None else \
            np.random.default_rng(seed)

    def transform(self, results: dict) -> dict:
        """Crop the window (see the class docstring)."""
        x, y, w, h = results['bbox']
        cx, cy = x + w / 2, y + h / 2
        if self.max_shift:
            cx, cy = np.asarray([cx, cy]) + self.rng.uniform(
                -self.max_shift, self.max_shift, 2)
        half = self.window // 2
        img = results['img']
        padded = np.pad(img, ((half, half), (half, half), (0, 0)),
                        mode='edge')
        left = int(round(cx))
        top = int(round(cy))
        left = min(max(left, 0), img.shape[1])
        top = min(max(top, 0), img.shape[0])
        results['img'] = np.ascontiguousarray(
            padded[top:top + self.window, left:left + self.window])
        results['img_shape'] = results['img'].shape[:2]
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(window={self.window}, '
                f'max_shift={self.max_shift})')
