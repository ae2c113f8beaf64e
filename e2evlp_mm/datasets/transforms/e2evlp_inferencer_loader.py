# Copyright (c) e2evlp-mm contributors. All rights reserved.
from typing import Union

import numpy as np
from mmcv.transforms import BaseTransform
from mmdet.registry import TRANSFORMS


@TRANSFORMS.register_module()
class E2EVLPInferencerLoader(BaseTransform):
    """Load an image given as a path *or* an array (inference pipelines).

    mmdet's ``InferencerLoader`` reads arrays only from ``results['img']``,
    which ``E2EVLPApplyToImagePair`` cannot route per image; here
    ``results['img_path']`` may hold either a file path or an (H, W, 3)
    BGR uint8 array, so one inference pipeline serves single images and
    NLVR2 pairs alike. An array's ``img_path`` becomes None.

    Args:
        **kwargs: Arguments of mmcv's ``LoadImageFromFile`` (``to_float32``,
            ``color_type``, ``imdecode_backend``, ``backend_args``).
    """

    def __init__(self, **kwargs) -> None:
        self.from_file = TRANSFORMS.build(
            dict(type='LoadImageFromFile', **kwargs))
        self.from_ndarray = TRANSFORMS.build(
            dict(type='mmdet.LoadImageFromNDArray', **kwargs))

    def transform(self, results: Union[str, np.ndarray, dict]) -> dict:
        """Load ``img`` (H, W, 3) and set ``img_shape`` / ``ori_shape``.

        Args:
            results (str | np.ndarray | dict): A path, an array, or a dict
                whose ``img_path`` is one of them.

        Returns:
            dict: ``results`` with ``img``, ``img_path``, ``img_shape`` and
            ``ori_shape``.
        """
        if not isinstance(results, dict):
            results = dict(img_path=results)
        source = results['img_path']
        if isinstance(source, np.ndarray):
            return self.from_ndarray(dict(results, img=source, img_path=None))
        return self.from_file(results)
