# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""A detection file and its texts as arrays, one sample dict on demand.

:func:`open_coco_style` returns :class:`CompactAnnotations`: the arrays of
:func:`~.coco_style.read_coco_style`, read from a memory-mapped cache
(:mod:`.annotation_cache`) after the first start, with the configured class
and attribute lists applied. A process holds no per-image Python objects:
:meth:`CompactAnnotations.info` builds the dict of one image when a sample
is drawn, so a loader worker's memory stays flat over an epoch.
"""
import os.path as osp
from typing import Dict, Optional, Sequence, Tuple

import numpy as np

from . import annotation_cache
from .coco_style import NO_ID, log_box_counts, read_coco_style
from .validation import check_images_exist, map_names


def _mapped(file: str, key: str, vocab: Tuple[list, list],
            names: Optional[Sequence[str]],
            aliases: Optional[Dict[str, str]] = None
            ) -> Tuple[np.ndarray, tuple]:
    """File category index -> index in ``names`` (the file's own names
    when None; a file name is first renamed by ``aliases``)."""
    aliases = aliases or {}
    file_names = [aliases.get(n, n) for n in vocab[1]]
    names = tuple(names) if names else tuple(file_names)
    return np.array(map_names(file_names, names, file, key) + [-1],
                    np.int64), names


def _number(value: float):
    return int(value) if value.is_integer() else value


class CompactAnnotations:
    """The images, boxes and texts of one detection file.

    Args:
        arrays (dict[str, np.ndarray]): See ``coco_style._to_arrays``.
        meta (dict): Its vocabularies and box counts.
        file (str): The detection file, for messages.
        img_prefix (str): Folder that the file names are relative to.
        classes (Sequence[str], optional): Class list to map the file's
            categories onto by name; None keeps the file's.
        attributes (Sequence[str], optional): Same for attributes.
        class_aliases (dict[str, str], optional): File category name ->
            name in ``classes``.
    """

    def __init__(self, arrays: Dict[str, np.ndarray], meta: dict, file: str,
                 img_prefix: str, classes: Optional[Sequence[str]] = None,
                 attributes: Optional[Sequence[str]] = None,
                 class_aliases: Optional[Dict[str, str]] = None) -> None:
        self.a, self.file, self.img_prefix = arrays, file, img_prefix
        self.label_of, self.classes = _mapped(
            file, 'categories', meta['categories'], classes, class_aliases)
        self.attr_of, self.attributes = np.array([-1]), tuple(
            attributes or ())
        if meta['attribute_categories'] is not None:
            self.attr_of, self.attributes = _mapped(
                file, 'attribute_categories', meta['attribute_categories'],
                attributes)
        self.box_counts = meta['box_counts']
        self.cache_file: Optional[str] = None  # set when mapped from one

    def __getstate__(self) -> dict:
        """Pickled (spawned loader workers) as the path of its cache file,
        which the copy maps again, instead of a copy of the arrays."""
        state = dict(self.__dict__)
        if self.cache_file:
            state['a'] = None
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        if self.a is None:
            self.a = annotation_cache.load(self.cache_file)[0]

    def __len__(self) -> int:
        return len(self.a['img_id'])

    def img_path(self, k: int) -> str:
        off = self.a['name_off']
        return osp.join(self.img_prefix, bytes(
            self.a['names'][off[k]:off[k + 1]]).decode())

    def check_images(self) -> None:
        """Raise ``E2EVLPMissingImageError`` naming the first image file
        that does not exist (as the whole-file check does)."""
        ids = self.a['img_id'].tolist()
        check_images_exist([self.img_path(k) for k in range(len(self))],
                           self.file, list(enumerate(ids)))

    def counts(self) -> Tuple[np.ndarray, np.ndarray]:
        """Boxes and texts per image."""
        return np.diff(self.a['ann_start']), np.diff(self.a['text_start'])

    def img_id(self, k: int) -> int:
        return int(self.a['img_id'][k])

    def coco_ids(self) -> np.ndarray:
        return self.a['coco_id']

    def sizes(self) -> np.ndarray:
        """(N, 2) width and height."""
        return self.a['size']

    def info(self, k: int) -> dict:
        """The data info of image ``k``: ``img_id``, ``img_path``,
        ``height``, ``width``, ``instances`` (``bbox`` xyxy,
        ``bbox_label``, ``ignore_flag``, ``attribute``) and ``coco_id``.
        """
        a = self.a
        lo, hi = a['ann_start'][k:k + 2].tolist()
        labels = self.label_of[a['cat'][lo:hi]].tolist()
        attrs = self.attr_of[a['attr'][lo:hi]].tolist()
        instances = [
            dict(bbox=box, bbox_label=label, ignore_flag=crowd,
                 attribute=attr) for box, label, crowd, attr in zip(
                     a['bbox'][lo:hi].tolist(), labels,
                     a['crowd'][lo:hi].tolist(), attrs)]
        width, height = a['size'][k].tolist()
        coco_id = int(a['coco_id'][k])
        return dict(img_id=self.img_id(k), img_path=self.img_path(k),
                    height=_number(height), width=_number(width),
                    instances=instances,
                    coco_id=None if coco_id == NO_ID else coco_id)

    def text_range(self, k: int, max_texts: Optional[int] = None
                   ) -> Tuple[int, int]:
        """The first text of image ``k`` (for :meth:`text`) and how many
        it has (at most ``max_texts``)."""
        lo, hi = self.a['text_start'][k:k + 2].tolist()
        num = hi - lo if max_texts is None else min(hi - lo, max_texts)
        return lo, num

    def text(self, t: int) -> str:
        """The ``t``-th text in image order."""
        return bytes(self.a['texts'][self.a['text_begin'][t]:
                                     self.a['text_end'][t]]).decode()

    def text_box(self, k: int, t: int) -> Optional[np.ndarray]:
        """The region of the ``t``-th text (of image ``k``) as cx, cy, w, h
        in [0, 1] of the image, float32 (4,), or None for a caption."""
        x, y, w, h = self.a['text_box'][t].tolist()
        if np.isnan(x):
            return None
        size = self.a['size'][k]
        xyxy = np.clip(np.array([x, y, x + w, y + h]) / np.tile(size, 2),
                       0, 1)
        return np.array([(xyxy[0] + xyxy[2]) / 2, (xyxy[1] + xyxy[3]) / 2,
                         xyxy[2] - xyxy[0], xyxy[3] - xyxy[1]], np.float32)


def open_coco_style(file: str, text_file: str, text_key: str,
                    img_prefix: str, backend_args: Optional[dict] = None,
                    cache_dir: Optional[str] = None,
                    **vocab) -> CompactAnnotations:
    """Read (first start) or map (later ones) a detection file's compact
    annotations, check its images exist and log the box counts.

    Args:
        file (str): COCO instances json or converted VG json.
        text_file (str): Where the texts are (``file`` for VG).
        text_key (str): ``'caption'`` or ``'phrase'``.
        img_prefix (str): Folder of the images.
        backend_args (dict, optional): mmengine file backend arguments.
        cache_dir (str, optional): Folder of the cache files (default:
            ``.e2evlp_cache/`` beside ``file``).
        **vocab: ``classes``, ``attributes``, ``class_aliases`` of
            :class:`CompactAnnotations`.
    """
    sources = [file] if text_file == file else [file, text_file]
    path = annotation_cache.cache_path(sources, text_key, cache_dir)
    arrays, meta = annotation_cache.cached(path, lambda: read_coco_style(
        file, text_file, text_key, backend_args))
    ann = CompactAnnotations(arrays, meta, file, img_prefix, **vocab)
    ann.cache_file = path
    ann.check_images()
    log_box_counts(file, ann.box_counts)
    return ann
