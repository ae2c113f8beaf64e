# Copyright (c) e2evlp-mm contributors. All rights reserved.
import multiprocessing
from typing import Any, Optional

import numpy as np
from mmcv.transforms import LoadImageFromFile
from mmdet.registry import TRANSFORMS
from mmengine import fileio
from mmengine.logging import print_log

from ..validation import (
    E2EVLPBadImageError,
    E2EVLPDataError,
    E2EVLPMissingImageError,
)
from .image_io import check_complete, check_size, decode, to_bgr_uint8

# Skips of all dataloader workers forked from this process (shared memory;
# under the 'spawn' start method each worker counts its own). Approximate
# under races (no lock): it is a guard and a report, not an exact tally.
_SHARED_SKIPS = multiprocessing.RawValue('q', 0)


@TRANSFORMS.register_module()
class E2EVLPLoadImageFromFile(LoadImageFromFile):
    """Load an image as (H, W, 3) uint8 BGR, with a policy for bad files.

    Every file is checked: it must exist, be complete (a JPEG / PNG cut
    short is caught from its bytes, even where a decoder would pad it),
    decode, and, when the record carries ``width`` / ``height``, have that
    size (see :func:`check_size` for EXIF orientation: as in mmdet the
    image is loaded as displayed). Grey, palette, RGBA, CMYK and 16-bit
    files become 3-channel uint8 BGR.

    A bad file raises :class:`E2EVLPBadImageError` naming it and why, or,
    when skipping, makes :meth:`transform` return None with a warning
    naming it; mmengine's ``BaseDataset`` then fetches another sample.
    Skips are counted (:attr:`num_skipped` per process and
    :func:`skipped_total` over the dataloader workers); past
    ``max_skipped`` the run stops with an error instead of silently
    training on ever fewer images.

    Args:
        skip_bad_images (bool, optional): Skip bad files. None (default)
            means: skip in training, raise in test mode. The datasets
            apply the mode with :func:`configure_image_skipping`; in test
            mode every image must be scored, so it always raises there.
        max_skipped (int): Stop (raise) once more images than this were
            skipped in the run. Defaults to 1000.
        **kwargs: Arguments of :class:`mmcv.transforms.LoadImageFromFile`.
    """

    num_skipped = 0

    def __init__(self, skip_bad_images: Optional[bool] = None,
                 max_skipped: int = 1000, **kwargs) -> None:
        super().__init__(**kwargs)
        self.skip_bad_images = skip_bad_images
        self.max_skipped = max_skipped

    def _load(self, results: dict) -> dict:
        filename = results['img_path']
        try:
            if self.file_client_args is not None:
                content = fileio.FileClient.infer_client(
                    self.file_client_args, filename).get(filename)
            else:
                content = fileio.get(filename,
                                     backend_args=self.backend_args)
        except FileNotFoundError:
            raise E2EVLPMissingImageError(
                f'image file {filename!r} does not exist') from None
        check_complete(content, filename)
        img = decode(content, self.color_type, self.imdecode_backend)
        if img is None:
            raise E2EVLPBadImageError(
                f'image file {filename!r} could not be decoded (corrupt or '
                'not an image)')
        img = to_bgr_uint8(img, filename)
        check_size(img, results)
        if self.to_float32:
            img = img.astype(np.float32)
        results['img'] = img
        results['img_shape'] = img.shape[:2]
        results['ori_shape'] = img.shape[:2]
        return results

    def transform(self, results: dict) -> Optional[dict]:
        """Load ``results['img_path']`` into ``results['img']`` (H, W, 3).

        Returns:
            dict | None: ``results`` with ``img``, ``img_shape`` and
            ``ori_shape``, or None when the image was skipped.

        Raises:
            E2EVLPBadImageError: A bad file when not skipping (naming the
                file, its ``img_id`` and the reason), or one skip too many.
        """
        try:
            return self._load(results)
        except Exception as error:  # decoders raise errors of many types
            tag = f"(img_id {results.get('img_id')!r}, field 'img_path')"
            if isinstance(error, E2EVLPDataError):
                cls, text = type(error), f'{error} {tag}'
            else:
                cls, text = E2EVLPBadImageError, (
                    f'image file {results.get("img_path")!r} {tag} could '
                    f'not be loaded: {type(error).__name__}: {error}')
            if self.skip_bad_images is False:
                raise cls(text) from error
            return self._skip(text)

    def _skip(self, text: str) -> None:
        type(self).num_skipped += 1
        _SHARED_SKIPS.value += 1
        total = skipped_total()
        if total > self.max_skipped:
            raise E2EVLPBadImageError(
                f'{total} bad images skipped, more than max_skipped='
                f'{self.max_skipped} of {type(self).__name__}; the last: '
                f'{text}. Fix or remove these files (the '
                'warnings name each one), or raise max_skipped.')
        print_log(
            f'Skipped {text}; {total} skipped so far in this run '
            f'(limit max_skipped={self.max_skipped}).',
            logger='current', level=30)
        return None


def skipped_total() -> int:
    """Images skipped by :class:`E2EVLPLoadImageFromFile` in this run
    (this process and the dataloader workers it forked)."""
    return int(_SHARED_SKIPS.value)


def configure_image_skipping(pipeline: Any, test_mode: bool) -> None:
    """Apply a dataset's mode to the image loaders of its pipeline.

    Loaders left at ``skip_bad_images=None`` skip in training; in test
    mode every loader raises (every image must be scored, and mmengine
    would otherwise stop with its generic "Test time pipeline should not
    get None data_sample"). Nested pipelines (``E2EVLPApplyToImagePair``)
    are included.

    Args:
        pipeline: A ``Compose`` (``dataset.pipeline``) or a transform.
        test_mode (bool): The dataset's ``test_mode``.
    """
    if isinstance(pipeline, E2EVLPLoadImageFromFile):
        if test_mode:
            pipeline.skip_bad_images = False
        elif pipeline.skip_bad_images is None:
            pipeline.skip_bad_images = True
        return
    for child in getattr(pipeline, 'transforms', None) or ():
        configure_image_skipping(child, test_mode)
