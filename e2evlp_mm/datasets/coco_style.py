# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Checked, streamed parsing of COCO-style detection files (COCO, converted
VG) and their texts into compact arrays.

The files are read record by record (:class:`~.json_stream.JsonStream`);
every record goes through the checks of :mod:`.validation` and what a
sample needs is kept as numpy arrays, grouped by image: a 1 GB converted VG
file becomes about 400 MB of arrays instead of 8 GB of Python dicts.
Checks that need another part of the file (an ``image_id`` before the
``images`` were read, COCO's ``categories`` after its ``annotations``) run
on the arrays at the end; the first failing record is then read again for
its message, so every message is the one a whole-file check gives.
"""
from array import array
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
from mmengine.logging import print_log

from .json_stream import JsonStream
from .validation import (
    E2EVLPDataError,
    check_known,
    check_positive,
    check_text,
    check_xywh,
    require_keys,
)

NO_ID = np.iinfo(np.int64).min  # coco_id null


def _ref(value: Any, file: str, index: int, record_id: Any,
         field: str) -> int:
    """An id that refers to a record: ids are integers (checked when they
    are read), so anything else is an unknown id."""
    if type(value) is not int:
        check_known(value, (), file, index, record_id, field)
    return value


def _own_id(value: Any, file: str, index: int, field: str = 'id') -> int:
    if type(value) is not int:
        raise E2EVLPDataError(f'{file!r}, record {index}: field {field!r} '
                              f'must be an integer, got {value!r}')
    return value


class _Parts:
    """What one streamed file adds to the compact form."""

    def __init__(self) -> None:
        self.vocabs: Dict[str, Tuple[list, list]] = {}
        self.img_id, self.coco_id = array('q'), array('q')
        self.size, self.name_off = array('d'), array('q', [0])
        self.names = bytearray()
        self.ann_img, self.ann_cat = array('q'), array('q')
        self.ann_attr, self.ann_flags = array('q'), array('B')
        self.ann_box, self.attr_refs = array('d'), set()
        self.text_img, self.text_off = array('q'), array('q', [0])
        self.texts = bytearray()
        self.text_box = array('d')  # xywh; NaN: a text without a region
        self.keys: set = set()


def _vocab_records(key: str, items, file: str, parts: _Parts) -> None:
    ids, names = [], []
    for i, rec in items:
        require_keys(rec, ('id', 'name'), f'{file}[{key}]', i, 'id')
        ids.append(_own_id(rec['id'], f'{file}[{key}]', i))
        names.append(rec['name'])
    parts.vocabs[key] = (ids, names)


def _images(items, file: str, parts: _Parts) -> None:
    seen = set()
    for i, img in items:
        require_keys(img, ('id', 'file_name', 'width', 'height'), file, i,
                     'id')
        for key in ('width', 'height'):
            check_positive(img[key], file, i, img['id'], key)
        if img['id'] in seen:
            raise E2EVLPDataError(f'{file!r}, record {i}: duplicate image '
                                  f'id {img["id"]!r}')
        seen.add(_own_id(img['id'], file, i))
        coco_id = img.get('coco_id', img['id'])
        parts.img_id.append(img['id'])
        parts.coco_id.append(NO_ID if coco_id is None else coco_id)
        parts.size.extend((img['width'], img['height']))
        parts.names += str(img['file_name']).encode()
        parts.name_off.append(len(parts.names))


def _annotations(items, file: str, parts: _Parts) -> None:
    for i, ann in items:
        require_keys(ann, ('id', 'image_id', 'bbox', 'category_id'), file, i,
                     'id')
        img = _ref(ann['image_id'], file, i, ann['id'], 'image_id')
        cat = _ref(ann['category_id'], file, i, ann['id'], 'category_id')
        attr_ids = ann.get('attribute_ids') or []
        for a in attr_ids:
            parts.attr_refs.add(_ref(a, file, i, ann['id'],
                                     'attribute_ids'))
        usable = check_xywh(ann['bbox'], file, i, ann['id'])
        parts.ann_img.append(img)
        parts.ann_cat.append(cat)
        parts.ann_attr.append(attr_ids[0] if attr_ids else NO_ID)
        # bit 0: iscrowd, bit 1: a zero-size box (skipped, as in mmdet)
        parts.ann_flags.append(bool(ann.get('iscrowd', 0)) | (not usable) << 1)
        parts.ann_box.extend(ann['bbox'])


def _texts(items, file: str, parts: _Parts, text_key: str) -> None:
    for i, rec in items:
        require_keys(rec, ('image_id', text_key), file, i, 'id')
        img = _ref(rec['image_id'], file, i, rec.get('id'), 'image_id')
        text = check_text(rec[text_key], file, i, rec.get('id'), text_key)
        box = rec.get('bbox')
        if box is not None:
            check_xywh(box, file, i, rec.get('id'))
        parts.text_box.extend(box if box is not None else (np.nan, ) * 4)
        parts.text_img.append(img)
        parts.texts += text.strip().encode()
        parts.text_off.append(len(parts.texts))


def read_coco_style(file: str, text_file: str, text_key: str,
                    backend_args: Optional[dict] = None
                    ) -> Tuple[Dict[str, np.ndarray], dict]:
    """Check and read a detection json and its texts, as streams.

    Args:
        file (str): COCO ``instances_*.json`` or converted VG json.
        text_file (str): The file of the texts: COCO ``captions_*.json``
            (its ``annotations``) or ``file`` itself (VG's
            ``region_descriptions``).
        text_key (str): ``'caption'`` or ``'phrase'``.
        backend_args (dict, optional): mmengine file backend arguments.

    Returns:
        tuple[dict, dict]: The arrays (see :func:`_to_arrays`) and their
        ``meta``: the file's ``categories`` and ``attribute_categories``
        as ``(ids, names)`` (the latter None when absent) and the counts
        of boxes skipped (zero size), dropped (outside) and clipped.

    Raises:
        E2EVLPDataError: Naming file, record and field of the first
            record breaking the data contract.
    """
    parts = _Parts()
    text_list = 'region_descriptions' if text_file == file else None
    for key, value in JsonStream(file, backend_args).members():
        parts.keys.add(key)
        if key in ('categories', 'attribute_categories'):
            _vocab_records(key, value, file, parts)
        elif key == 'images':
            _images(value, file, parts)
        elif key == 'annotations':
            _annotations(value, file, parts)
        elif key == text_list:
            _texts(value, file, parts, text_key)
    require_keys(dict.fromkeys(parts.keys), ('images', 'annotations',
                                             'categories'), file, None)
    if text_file != file:
        text_list = 'annotations'
        keys = set()
        for key, value in JsonStream(text_file, backend_args).members():
            keys.add(key)
            if key == text_list:
                _texts(value, text_file, parts, text_key)
        require_keys(dict.fromkeys(keys), (text_list, ), text_file, None)
    else:
        require_keys(dict.fromkeys(parts.keys), (text_list, ), file, None)
    return _to_arrays(parts, file, text_file, text_list, backend_args)


def _index(keys: List[int], refs: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Position of each of ``refs`` in ``keys`` and whether it is there."""
    keys = np.asarray(keys, np.int64)
    if not len(keys):
        return np.zeros(len(refs), np.int64), np.zeros(len(refs), bool)
    order = np.argsort(keys, kind='stable')
    pos = np.minimum(np.searchsorted(keys[order], refs), len(keys) - 1)
    return order[pos], keys[order[pos]] == refs


def _replay(file: str, key: str, backend_args: Optional[dict],
            checks) -> None:
    """Read the records of ``key`` again and run ``checks(i, record)`` on
    each: the whole-file checks, which raise at the first bad record."""
    for name, value in JsonStream(file, backend_args).members():
        if name == key:
            for i, rec in value:
                checks(i, rec)


def _grouped(img_index: np.ndarray, num_images: int
             ) -> Tuple[np.ndarray, np.ndarray]:
    """Stable order of records by image and each image's start in it."""
    order = np.argsort(img_index, kind='stable')
    start = np.zeros(num_images + 1, np.int64)
    np.cumsum(np.bincount(img_index, minlength=num_images), out=start[1:])
    return order, start


def _to_arrays(parts: _Parts, file: str, text_file: str, text_list: str,
               backend_args: Optional[dict]
               ) -> Tuple[Dict[str, np.ndarray], dict]:
    """Resolve ids, run the checks that need the whole file, clip boxes
    and group annotations and texts by image.

    Returns:
        tuple[dict, dict]: Arrays ``img_id``, ``coco_id`` (``NO_ID`` for
        null), ``size`` (N, 2) width and height, ``names`` / ``name_off``
        (file names, utf-8); per image ``ann_start`` (N + 1) into ``bbox``
        (M, 4) xyxy, ``cat`` (index in the file's categories), ``attr``
        (index in its attribute categories, -1 for none) and ``crowd``;
        ``text_start`` (N + 1) into ``text_begin`` / ``text_end`` (T), the
        byte ranges of ``texts``, and ``text_box`` (T, 4), the xywh
        ``bbox`` of a region description (NaN for a caption). And the
        meta of :func:`read_coco_style`.
    """
    num = len(parts.img_id)
    img_ids = list(parts.img_id)
    cat_ids, cat_names = parts.vocabs['categories']
    attr_ids, attr_names = parts.vocabs.get('attribute_categories',
                                            ([], None))
    ann_img, ok_img = _index(img_ids, np.frombuffer(parts.ann_img, np.int64))
    cat, ok_cat = _index(cat_ids, np.frombuffer(parts.ann_cat, np.int64))
    first = np.frombuffer(parts.ann_attr, np.int64)
    attr, ok_attr = _index(attr_ids, first)
    if not (ok_img.all() and ok_cat.all()
            and parts.attr_refs <= set(attr_ids)):
        images = dict.fromkeys(img_ids)
        label_of, attr_of = dict.fromkeys(cat_ids), dict.fromkeys(attr_ids)

        def checks(i, ann):
            check_known(ann['image_id'], images, file, i, ann['id'],
                        'image_id')
            check_known(ann['category_id'], label_of, file, i, ann['id'],
                        'category_id')
            for a in ann.get('attribute_ids') or []:
                check_known(a, attr_of, file, i, ann['id'], 'attribute_ids')

        _replay(file, 'annotations', backend_args, checks)
    text_img, ok_text = _index(img_ids, np.frombuffer(parts.text_img,
                                                      np.int64))
    if not ok_text.all():
        images = dict.fromkeys(img_ids)
        _replay(text_file, text_list, backend_args, lambda i, rec: (
            check_known(rec['image_id'], images, text_file, i, rec.get('id'),
                        'image_id')))
    size = np.frombuffer(parts.size, np.float64).reshape(-1, 2)
    flags = np.frombuffer(parts.ann_flags, np.uint8)
    xywh = np.frombuffer(parts.ann_box, np.float64).reshape(-1, 4)
    width, height = size[ann_img, 0], size[ann_img, 1]
    x1, y1 = xywh[:, 0] + xywh[:, 2], xywh[:, 1] + xywh[:, 3]
    box = np.stack([np.maximum(xywh[:, 0], 0), np.maximum(xywh[:, 1], 0),
                    np.minimum(x1, width), np.minimum(y1, height)], 1)
    skipped = (flags & 2).astype(bool)
    outside = ~skipped & ((box[:, 2] <= box[:, 0]) | (box[:, 3] <= box[:, 1]))
    clipped = ~skipped & ~outside & (
        (box != np.stack([xywh[:, 0], xywh[:, 1], x1, y1], 1)).any(1))
    keep = ~skipped & ~outside
    order, ann_start = _grouped(ann_img[keep], num)
    kept = np.flatnonzero(keep)[order]
    off = np.frombuffer(parts.text_off, np.int64)
    text_order, text_start = _grouped(text_img, num)
    arrays = dict(
        img_id=np.frombuffer(parts.img_id, np.int64),
        coco_id=np.frombuffer(parts.coco_id, np.int64), size=size,
        names=np.frombuffer(parts.names, np.uint8),
        name_off=np.frombuffer(parts.name_off, np.int64),
        ann_start=ann_start, bbox=box[kept], cat=cat[kept],
        attr=np.where(first == NO_ID, -1, attr)[kept],
        crowd=(flags[kept] & 1).astype(np.uint8), text_start=text_start,
        text_begin=off[:-1][text_order], text_end=off[1:][text_order],
        text_box=np.frombuffer(parts.text_box, np.float64).reshape(
            -1, 4)[text_order],
        texts=np.frombuffer(parts.texts, np.uint8))
    meta = dict(categories=(cat_ids, cat_names),
                attribute_categories=None if attr_names is None else
                (attr_ids, attr_names),
                box_counts=[int(skipped.sum()), int(outside.sum()),
                            int(clipped.sum())])
    return arrays, meta


def log_box_counts(file: str, counts: List[int]) -> None:
    """Log how many boxes were skipped, dropped or clipped, if any."""
    skipped, outside, clipped = counts
    if skipped or outside or clipped:
        print_log(f'{file}: skipped {skipped} zero-size boxes, dropped '
                  f'{outside} boxes outside their image, clipped {clipped} '
                  'boxes to their image.', logger='current', level=30)
