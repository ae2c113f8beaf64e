# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""What the inferencer accepts: paths, arrays, folders, pairs, texts."""
import os.path as osp
from typing import List, Optional, Sequence, Union

import mmcv
import numpy as np
from mmengine.fileio import isdir, join_path, list_dir_or_file

ImageInput = Union[str, np.ndarray]
IMG_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.ppm', '.bmp', '.pgm', '.tif',
                  '.tiff', '.webp')


def to_input_list(inputs, pairs: bool = False) -> list:
    """A list of images (a folder lists its images, sorted); with
    ``pairs`` a list of ``(left, right)`` tuples (one pair may be given
    bare).

    Args:
        inputs: A path, a BGR (H, W, 3) array, a folder, or a sequence of
            them (of pairs for NLVR2).
        pairs (bool): Inputs are image pairs.

    Returns:
        list: Images, or tuples of two images.
    """
    if pairs:
        if len(inputs) == 2 and all(
                isinstance(x, (str, np.ndarray)) for x in inputs):
            return [tuple(inputs)]
        return [tuple(pair) for pair in inputs]
    if isinstance(inputs, str) and isdir(inputs):
        names = list_dir_or_file(inputs, list_dir=False, suffix=IMG_EXTENSIONS)
        inputs = [join_path(inputs, name) for name in sorted(names)]
    if not isinstance(inputs, (list, tuple)):
        inputs = [inputs]
    return list(inputs)


def texts_per_input(texts: Union[str, Sequence[str], None],
                    num: int) -> Optional[List[str]]:
    """One text per input: a single text is shared by all ``num`` inputs.

    Raises:
        ValueError: When a list of texts does not match the inputs.
    """
    if texts is None:
        return None
    if isinstance(texts, str):
        return [texts] * num
    if len(texts) != num:
        raise ValueError(f'{len(texts)} texts for {num} inputs: give one '
                         'per input or one for all.')
    return list(texts)


def load_rgb(source) -> Union[np.ndarray, List[np.ndarray]]:
    """RGB picture(s) of an input; arrays are BGR, as mmcv reads them."""
    if isinstance(source, (tuple, list)):
        return [load_rgb(x) for x in source]
    if isinstance(source, str):
        return mmcv.imread(source, channel_order='rgb')
    return np.ascontiguousarray(source[..., ::-1])


class InputNamer:
    """File stems for outputs: a path's stem (``left+right`` for a pair),
    else a running number (``00000000``) as mmdet names arrays."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, source) -> str:
        if isinstance(source, (tuple, list)):
            return '+'.join(self(x) for x in source)
        if isinstance(source, str):
            return osp.splitext(osp.basename(source))[0]
        self.count += 1
        return f'{self.count - 1:08d}'
