# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Checked parsing of COCO-style detection files (COCO, converted VG)."""
import os.path as osp
from collections import defaultdict
from typing import Dict, List, Optional, Sequence, Tuple

from mmengine.logging import print_log

from .validation import (
    E2EVLPDataError,
    check_images_exist,
    check_known,
    check_positive,
    check_text,
    check_xywh,
    map_names,
    require_keys,
)


def _vocab(raw: dict, key: str, file: str, names: Optional[Sequence[str]],
           aliases: Optional[Dict[str, str]] = None) -> Tuple[dict, tuple]:
    """Map a file's ``{id, name}`` list to indices of ``names`` (a file
    name is first renamed by ``aliases`` when it has one)."""
    records = raw[key]
    for i, rec in enumerate(records):
        require_keys(rec, ('id', 'name'), f'{file}[{key}]', i, 'id')
    aliases = aliases or {}
    file_names = [aliases.get(rec['name'], rec['name']) for rec in records]
    names = tuple(names) if names else tuple(file_names)
    index = map_names(file_names, names, file, key)
    return {rec['id']: j for rec, j in zip(records, index)}, names


def clip_xywh(bbox: Sequence[float], width: float,
              height: float) -> Optional[list]:
    """Clip a COCO ``[x, y, w, h]`` box to the image; return it as xyxy,
    or None when nothing of it lies inside the image."""
    x, y, w, h = bbox
    x0, y0 = max(x, 0), max(y, 0)
    x1, y1 = min(x + w, width), min(y + h, height)
    if x1 <= x0 or y1 <= y0:
        return None
    return [x0, y0, x1, y1]


def parse_coco_style(raw: dict, file: str, img_prefix: str,
                     classes: Optional[Sequence[str]] = None,
                     attributes: Optional[Sequence[str]] = None,
                     class_aliases: Optional[Dict[str, str]] = None
                     ) -> Tuple[Dict[int, dict], tuple, tuple]:
    """Check and parse ``images``, ``categories`` and ``annotations``.

    Boxes of zero size are skipped (as in mmdet), boxes reaching outside
    their image are clipped to it and those wholly outside dropped; the
    three counts are logged.

    Args:
        raw (dict): The loaded json (COCO instances or converted VG; VG
            adds ``attribute_categories`` and per-object
            ``attribute_ids``).
        file (str): Its path, for error messages.
        img_prefix (str): Folder that ``file_name`` is relative to.
        classes (Sequence[str], optional): Class list to map names onto;
            None takes the file's categories in file order.
        attributes (Sequence[str], optional): Same for attributes.
        class_aliases (dict[str, str], optional): File category name ->
            name in ``classes`` (COCO onto the VG vocabulary).

    Returns:
        tuple: ``images`` (id -> mmdet data info with ``instances``, each
        with ``bbox`` xyxy, ``bbox_label``, ``ignore_flag`` and
        ``attribute`` = first attribute index or -1), the class names and
        the attribute names.
    """
    require_keys(raw, ('images', 'annotations', 'categories'), file, None)
    label_of, classes = _vocab(raw, 'categories', file, classes,
                               class_aliases)
    attr_of, attributes = {}, tuple(attributes or ())
    if 'attribute_categories' in raw:
        attr_of, attributes = _vocab(raw, 'attribute_categories', file,
                                     attributes)
    images, records = {}, []
    for i, img in enumerate(raw['images']):
        require_keys(img, ('id', 'file_name', 'width', 'height'), file, i,
                     'id')
        for key in ('width', 'height'):
            check_positive(img[key], file, i, img['id'], key)
        if img['id'] in images:
            raise E2EVLPDataError(f'{file!r}, record {i}: duplicate image '
                                  f'id {img["id"]!r}')
        images[img['id']] = dict(
            img_id=img['id'], img_path=osp.join(img_prefix, img['file_name']),
            height=img['height'], width=img['width'], instances=[],
            coco_id=img.get('coco_id', img['id']))
        records.append((i, img['id']))
    check_images_exist([v['img_path'] for v in images.values()], file,
                       records)
    skipped = outside = clipped = 0
    for i, ann in enumerate(raw['annotations']):
        require_keys(ann, ('id', 'image_id', 'bbox', 'category_id'), file, i,
                     'id')
        check_known(ann['image_id'], images, file, i, ann['id'], 'image_id')
        check_known(ann['category_id'], label_of, file, i, ann['id'],
                    'category_id')
        attr_ids: List[int] = ann.get('attribute_ids') or []
        for a in attr_ids:
            check_known(a, attr_of, file, i, ann['id'], 'attribute_ids')
        if not check_xywh(ann['bbox'], file, i, ann['id']):
            skipped += 1
            continue
        image = images[ann['image_id']]
        box = clip_xywh(ann['bbox'], image['width'], image['height'])
        if box is None:
            outside += 1
            continue
        x, y, w, h = ann['bbox']
        clipped += box != [x, y, x + w, y + h]
        image['instances'].append(dict(
            bbox=box, bbox_label=label_of[ann['category_id']],
            ignore_flag=int(bool(ann.get('iscrowd', 0))),
            attribute=attr_of[attr_ids[0]] if attr_ids else -1))
    if skipped or outside or clipped:
        print_log(f'{file}: skipped {skipped} zero-size boxes, dropped '
                  f'{outside} boxes outside their image, clipped {clipped} '
                  'boxes to their image.', logger='current', level=30)
    return images, classes, attributes


def group_texts(records: list, file: str, images: dict, text_key: str,
                ) -> Dict[int, List[str]]:
    """Check ``{image_id, <text_key>}`` records and group texts by image."""
    texts = defaultdict(list)
    for i, rec in enumerate(records):
        require_keys(rec, ('image_id', text_key), file, i, 'id')
        check_known(rec['image_id'], images, file, i, rec.get('id'),
                    'image_id')
        texts[rec['image_id']].append(
            check_text(rec[text_key], file, i, rec.get('id'), text_key)
            .strip())
    return texts
