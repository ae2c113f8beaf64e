# Copyright (c) e2evlp-mm contributors. All rights reserved.
import numpy as np
from mmdet.datasets.transforms import LoadAnnotations
from mmdet.registry import TRANSFORMS


@TRANSFORMS.register_module()
class E2EVLPLoadAnnotations(LoadAnnotations):
    """mmdet's ``LoadAnnotations`` that also loads object attributes.

    Adds ``gt_attributes`` (np.int64 ``(n,)``, ``-1`` = no attribute) read
    from ``instance['attribute']``, aligned with ``gt_bboxes``.

    Note:
        mmdet transforms that drop boxes (``RandomCrop``,
        ``FilterAnnotations``) do not know ``gt_attributes``; the E2E-VLP
        pipeline uses only resize and flip (paper Sec. 4.1), and
        :class:`PackE2EVLPInputs` raises if the two ever disagree.

    Args:
        with_attr (bool): Load ``gt_attributes``. Defaults to True.
        **kwargs: Arguments of :class:`mmdet.datasets.LoadAnnotations`.
    """

    def __init__(self, with_attr: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.with_attr = with_attr

    def transform(self, results: dict) -> dict:
        """Load boxes, labels and (optionally) attributes."""
        results = super().transform(results)
        if self.with_attr:
            results['gt_attributes'] = np.array(
                [inst.get('attribute', -1)
                 for inst in results.get('instances', [])], dtype=np.int64)
        return results
