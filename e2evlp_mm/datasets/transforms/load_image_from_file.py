# Copyright (c) e2evlp-mm contributors. All rights reserved.
from typing import Optional

from mmcv.transforms import LoadImageFromFile
from mmdet.registry import TRANSFORMS
from mmengine.logging import print_log


@TRANSFORMS.register_module()
class E2EVLPLoadImageFromFile(LoadImageFromFile):
    """Load an image, skipping (not crashing on) missing or corrupt files.

    A file that cannot be read or decoded makes :meth:`transform` return
    ``None`` with a logged warning; mmengine's ``BaseDataset`` then fetches
    another sample (up to its ``max_refetch``). Each skip is counted in the
    class attribute :attr:`num_skipped` (per process, i.e. per dataloader
    worker), and the warning repeats the running count.

    Args:
        skip_bad_images (bool): Skip unreadable images instead of raising.
            Defaults to True. Set False for evaluation, where every image
            must be scored.
        **kwargs: Arguments of :class:`mmcv.transforms.LoadImageFromFile`.
    """

    num_skipped = 0

    def __init__(self, skip_bad_images: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.skip_bad_images = skip_bad_images

    def transform(self, results: dict) -> Optional[dict]:
        """Load ``results['img_path']`` into ``results['img']`` (H, W, 3).

        Returns:
            dict | None: ``results`` with ``img``, ``img_shape`` and
            ``ori_shape``, or None when the image was skipped.
        """
        try:
            out = super().transform(results)
            if out is None:  # `ignore_empty` of the parent
                raise FileNotFoundError('empty or missing file')
            return out
        except Exception as error:  # decode errors are of many types
            if not self.skip_bad_images:
                raise
            type(self).num_skipped += 1
            print_log(
                f'Skipped unreadable image {results.get("img_path")!r} '
                f'({type(error).__name__}: {error}); '
                f'{type(self).num_skipped} skipped so far in this process.',
                logger='current', level=30)
            return None
