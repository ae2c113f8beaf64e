# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Check what a person hands the web demo before a model sees it."""
import json
import os
import os.path as osp
import warnings
from typing import List, Optional, Sequence, Tuple

import numpy as np
from PIL import Image, UnidentifiedImageError

from .inputs import IMG_EXTENSIONS

# Longer side above which an upload is downscaled: every demo config
# resizes far below it, so the answer is that of the smaller picture.
MAX_SIDE = 4096
# Larger pictures are refused before decoding: Pillow's own
# decompression-bomb limit (2 x 89.5 MP), about 540 MB as RGB.
MAX_PIXELS = 2 * Image.MAX_IMAGE_PIXELS


class InputError(ValueError):
    """Bad input; its message is shown in the page as it is."""


def check_image(path: Optional[str],
                what: str = 'image',
                max_side: int = MAX_SIDE) -> Tuple[object, str]:
    """The model input for an uploaded file, and a note for the page.

    A readable image up to ``max_side`` pixels on its longer side is
    passed on as its path, so the model reads it exactly as
    ``E2EVLPInferencer`` would. A larger one (up to :data:`MAX_PIXELS`)
    is downscaled to ``max_side`` and passed as a BGR array.

    Args:
        path (str, optional): The uploaded file.
        what (str): How the page calls it (``'left image'``).
        max_side (int): Longer side above which it is downscaled.

    Returns:
        tuple: ``path`` or a BGR (H, W, 3) uint8 array, and a note (empty
        unless it was downscaled).

    Raises:
        InputError: No file, not an image, or too many pixels.
    """
    if not path:
        raise InputError(f'Upload an {what} first.' if what[0] in 'aeiou'
                         else f'Upload a {what} first.')
    name = osp.basename(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', Image.DecompressionBombWarning)
            with Image.open(path) as im:
                width, height = im.size
                if max(width, height) <= max_side:
                    im.verify()  # a truncated file fails here, not later
                    return path, ''
                # JPEG decodes at a fraction of its size; shrinking before
                # the RGB conversion keeps 10,000 x 10,000 to a few seconds
                im.draft('RGB', (max_side, max_side))
                im.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
                im = im.convert('RGB')
    except Image.DecompressionBombError:  # Image.open refuses it
        raise InputError(
            f'{what} {name} has more than the {MAX_PIXELS / 1e6:.0f} MP '
            'this page accepts: downscale it first.') from None
    except UnidentifiedImageError:
        raise InputError(
            f'{what} {name} is not an image this page can read (PNG, JPEG, '
            'BMP, TIFF or WebP expected).') from None
    except (OSError, SyntaxError) as e:  # a damaged or truncated file
        raise InputError(f'{what} {name} could not be read: '
                         f'{str(e).replace(path, name)}') from None
    note = (f'{what} {name} is {width} x {height} pixels: downscaled to '
            f'{im.width} x {im.height} (longer side {max_side}) before '
            'the model read it.')
    return np.ascontiguousarray(np.asarray(im)[..., ::-1]), note


def check_text(text: Optional[str], what: str) -> str:
    """``text`` without surrounding blanks.

    Raises:
        InputError: When nothing is left.
    """
    text = (text or '').strip()
    if not text:
        raise InputError(f'Type a {what} first.')
    return text


def gallery_images(folders: Sequence[str] = (),
                   uploads: Sequence[str] = ()) -> List[List[str]]:
    """Images of the search gallery: each folder's images (sorted by
    name), then the uploads.

    Args:
        folders (Sequence[str]): Folders given on the command line.
        uploads (Sequence[str]): Uploaded files.

    Returns:
        list[list[str]]: Image paths per folder, then the uploads' (each
        part is encoded and cached on its own).

    Raises:
        InputError: A folder that does not exist or holds no image, an
            upload that is not an image, or no image at all.
    """
    sources = []
    for folder in folders:
        if not osp.isdir(folder):
            raise InputError(f'gallery folder {folder}: no such folder.')
        names = sorted(n for n in os.listdir(folder)
                       if n.lower().endswith(IMG_EXTENSIONS))
        if not names:
            raise InputError(
                f'gallery folder {folder} holds no images (expected '
                f'{", ".join(IMG_EXTENSIONS)}).')
        sources.append([osp.join(folder, n) for n in names])
    for upload in uploads or ():
        check_image(upload, 'gallery image')
    if uploads:
        sources.append(list(uploads))
    if not sources:
        raise InputError('The gallery is empty: upload images or start the '
                         'page with --gallery FOLDER.')
    return sources


def gallery_texts(text: Optional[str]) -> List[str]:
    """The text gallery: one text per non-blank line.

    Raises:
        InputError: When there is no text.
    """
    texts = [t.strip() for t in (text or '').splitlines() if t.strip()]
    if not texts:
        raise InputError('The text gallery is empty: type texts to rank, '
                         'one per line.')
    return texts


def read_texts(path: str) -> List[str]:
    """Texts of a file: a ``.json`` in the Karpathy format gives the
    sentences of its test split, anything else one text per line.

    Raises:
        FileNotFoundError: No such file.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'gallery texts {path}: no such file.')
    if path.endswith('.json'):
        with open(path) as f:
            images = json.load(f)['images']
        return [
            s['raw'] for im in images if im.get('split') == 'test'
            for s in im['sentences']
        ]
    with open(path) as f:
        return [line.strip() for line in f if line.strip()]
