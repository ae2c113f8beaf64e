# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""What the datasets derived from mmpretrain's VL datasets share."""
from typing import Sequence, Union

from mmdet.registry import TRANSFORMS

from .transforms.load_image_from_file import configure_image_skipping


class E2EVLPMMPretrainMixin:
    """Put first in the bases of a dataset derived from an mmpretrain one
    (``class E2EVLPVQADataset(E2EVLPMMPretrainMixin, COCOVQA)``).

    - ``data_prefix`` may be mmdet's ``dict(img=...)``, mmpretrain's
      ``dict(img_path=...)`` or the folder itself; the parent receives the
      folder string (mmpretrain turns it into ``dict(img_path=...)``).
    - The pipeline is built from mmdet's ``TRANSFORMS``, where the
      project's transforms are registered (mmpretrain's registry would not
      find them outside an mmdet default scope).
    - Image errors raise in test mode and are skipped (counted, with a
      limit) in training: see ``configure_image_skipping``.

    Args:
        *args: The parent's positional arguments.
        data_root (str): Root of the other paths. Defaults to ''.
        data_prefix (str | dict): Image folder. Defaults to ''.
        pipeline (Sequence[dict | callable]): Transforms. Defaults to ().
        **kwargs: The parent's other arguments.
    """

    def __init__(self,
                 *args,
                 data_root: str = '',
                 data_prefix: Union[str, dict] = '',
                 pipeline: Sequence = (),
                 **kwargs) -> None:
        if isinstance(data_prefix, dict):
            data_prefix = data_prefix.get('img', data_prefix.get('img_path'))
        pipeline = [
            TRANSFORMS.build(t) if isinstance(t, dict) else t
            for t in pipeline
        ]
        super().__init__(
            *args,
            data_root=data_root,
            data_prefix=data_prefix,
            pipeline=pipeline,
            **kwargs)
        configure_image_skipping(self.pipeline, self.test_mode)
