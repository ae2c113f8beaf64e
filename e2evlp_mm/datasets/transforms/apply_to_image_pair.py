# Copyright (c) e2evlp-mm contributors. All rights reserved.
from typing import List, Optional, Sequence, Union

from mmcv.transforms import BaseTransform, Compose
from mmdet.registry import TRANSFORMS


@TRANSFORMS.register_module()
class E2EVLPApplyToImagePair(BaseTransform):
    """Run an image pipeline on each image of a pair (NLVR2).

    ``results['img_path']`` is a list of paths; ``transforms`` (e.g.
    ``E2EVLPLoadImageFromFile`` and ``Resize``) run on a copy of
    ``results`` per path, and ``collate_keys`` are gathered back as lists
    (``img`` becomes ``[left, right]``). If either image is skipped
    (a transform returns None) the whole example is skipped, so the
    dataset refetches another one.

    Args:
        transforms (list[dict | callable]): The per-image pipeline.
        collate_keys (Sequence[str]): Keys gathered into lists. Defaults to
            the image and its geometry.
    """

    def __init__(self, transforms: List[Union[dict, callable]],
                 collate_keys: Sequence[str] = (
                     'img', 'img_path', 'img_shape', 'ori_shape',
                     'scale_factor', 'flip', 'flip_direction',
                     'homography_matrix')) -> None:
        self.transforms = Compose([
            TRANSFORMS.build(t) if isinstance(t, dict) else t
            for t in transforms
        ])
        self.collate_keys = tuple(collate_keys)

    def transform(self, results: dict) -> Optional[dict]:
        """Return ``results`` with list-valued ``collate_keys``, or None."""
        outputs = []
        for path in results['img_path']:
            out = self.transforms(dict(results, img_path=path))
            if out is None:
                return None
            outputs.append(out)
        merged = dict(outputs[0])
        for key in self.collate_keys:
            if key in merged:
                merged[key] = [out[key] for out in outputs]
        return merged
