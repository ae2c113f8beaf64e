# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Byte- and pixel-level checks of a loaded image (one job: make every
image the model sees a complete 3-channel uint8 BGR array)."""
import io

import mmcv
import numpy as np
from PIL import Image

from ..validation import E2EVLPBadImageError

_JPEG, _PNG = b'\xff\xd8\xff', b'\x89PNG\r\n\x1a\n'


def check_complete(content: bytes, path: str) -> None:
    """Reject empty files and JPEG / PNG files cut short.

    Some decoders (older OpenCV, turbojpeg) return a grey-padded image for
    a truncated JPEG instead of failing, so this looks at the bytes: a
    JPEG must hold an end-of-image marker (``FF D9``) after its last scan
    (``FF DA``; ``FF`` bytes inside scans are stuffed, so the marker cannot
    appear by chance) and a PNG its ``IEND`` chunk.

    Raises:
        E2EVLPBadImageError: Naming ``path`` and what is missing.
    """
    if not content:
        raise E2EVLPBadImageError(f'image file {path!r} is empty')
    end = content.rfind(b'\xff\xd9')
    if content.startswith(_JPEG) and (
            end < 0 or end < content.rfind(b'\xff\xda')):
        raise E2EVLPBadImageError(
            f'image file {path!r} is a truncated JPEG (no end-of-image '
            f'marker after its last scan; {len(content)} bytes)')
    if content.startswith(_PNG) and content.rfind(b'IEND') < 0:
        raise E2EVLPBadImageError(
            f'image file {path!r} is a truncated PNG (no IEND chunk; '
            f'{len(content)} bytes)')


def decode(content: bytes, flag: str, backend: str) -> np.ndarray:
    """``mmcv.imfrombytes``, except that Pillow's ``'unchanged'`` mode
    converts palette, CMYK and grey+alpha images to RGB(A) first (mmcv
    would return palette indices or CMYK as if it were BGRA).

    Returns:
        np.ndarray | None: The image, BGR(A) channel order, or None if it
        cannot be decoded.
    """
    if backend != 'pillow' or flag != 'unchanged':
        return mmcv.imfrombytes(content, flag=flag, backend=backend)
    with Image.open(io.BytesIO(content)) as img:
        if img.mode in ('P', 'PA', 'LA', 'CMYK', 'YCbCr', 'LAB', 'HSV',
                        '1'):
            alpha = 'A' in img.mode or 'transparency' in img.info
            img = img.convert('RGBA' if alpha else 'RGB')
        array = np.array(img)
    if array.ndim == 3:
        array[..., :3] = array[..., 2::-1]
    return array


def to_bgr_uint8(img: np.ndarray, path: str) -> np.ndarray:
    """Bring a decoded image to (H, W, 3) uint8 BGR.

    With mmcv's default ``color_type='color'`` OpenCV and Pillow already
    return that for grey, palette, RGBA, CMYK and 16-bit files; this
    covers ``color_type='unchanged'`` (and the other decoders): grey is
    repeated, alpha is dropped (channels are BGR(A) as mmcv returns them)
    and 16-bit values are scaled by 1/256 as OpenCV's colour mode does.

    Args:
        img (np.ndarray): (H, W), (H, W, 1), (H, W, 3) or (H, W, 4) uint8
            or uint16.
        path (str): The file, for the error message.

    Returns:
        np.ndarray: (H, W, 3) uint8, BGR.

    Raises:
        E2EVLPBadImageError: For other shapes or pixel types.
    """
    if img.dtype == np.uint16:
        img = (img >> 8).astype(np.uint8)
    if img.dtype != np.uint8:
        raise E2EVLPBadImageError(
            f'image file {path!r} has {img.dtype} pixels; expected 8- or '
            '16-bit integers')
    if img.ndim == 2:
        img = img[..., None]
    if img.ndim != 3 or img.shape[2] not in (1, 3, 4):
        raise E2EVLPBadImageError(
            f'image file {path!r} decoded to shape {img.shape}; expected '
            '(H, W) or (H, W, 1|3|4)')
    if img.shape[2] == 1:
        img = np.repeat(img, 3, axis=2)
    return np.ascontiguousarray(img[..., :3])


def check_size(img: np.ndarray, results: dict) -> None:
    """Check the decoded size against the annotation's ``width`` and
    ``height`` (COCO-style records carry them; others are not checked).

    mmcv's ``color_type='color'`` (mmdet's default, kept here) applies the
    EXIF orientation, so a photo stored rotated loads as displayed, and
    the boxes are taken to describe it as displayed, as in mmdet. When the
    record's ``width`` / ``height`` fit only the stored (unrotated) pixels,
    the boxes would be misplaced: that is reported, with the remedy
    (``color_type='color_ignore_orientation'`` loads the stored pixels).

    Raises:
        E2EVLPBadImageError: Naming the file, the record, both sizes and
            the fields.
    """
    if 'width' not in results or 'height' not in results:
        return
    h, w = img.shape[:2]
    ann_w, ann_h = results['width'], results['height']
    if (h, w) == (ann_h, ann_w):
        return
    hint = ('the size of the file differs from the annotation; fix the '
            "annotation's width/height or the file")
    if (h, w) == (ann_w, ann_h):
        hint = ('the file is stored rotated (EXIF orientation), which '
                "color_type='color' applies as mmdet does; if the boxes "
                "refer to the stored pixels, load with color_type="
                "'color_ignore_orientation', else fix the annotation")
    raise E2EVLPBadImageError(
        f'image file {results.get("img_path")!r} loaded as {w}x{h} '
        '(width x height) '
        f"but its record's fields 'width'/'height' say {ann_w}x{ann_h}: "
        f'{hint}')
