# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Visual Genome raw files -> attribute-aware COCO-style detection json.

Output (one json per split)::

    images: [{id, file_name ('VG_100K/1.jpg' or 'VG_100K_2/...'), width,
              height, coco_id}]
    categories: [{id, name}]            # ids 1..K, most frequent first
    attribute_categories: [{id, name}]  # ids 1..A, most frequent first
    annotations: [{id, image_id, bbox [x, y, w, h], area, category_id,
                   attribute_ids: [int], iscrowd: 0}]
    region_descriptions: [{image_id, phrase, bbox [x, y, w, h]}]

Vocabularies keep the ``num_objects`` / ``num_attributes`` most frequent
normalised names (1600 / 400 as in bottom-up attention, Anderson et al.
2018); objects outside the vocabulary are dropped, as are attributes.
An object is named by its first name; every image of the input is kept.
"""
import json
import os
import os.path as osp
import random
import re
from collections import Counter
from typing import Optional, Sequence


def normalize_name(name: str) -> str:
    """Lowercase, trim, collapse spaces and strip outer punctuation."""
    return re.sub(r'\s+', ' ', name.lower()).strip(' .,;:!?"\'')


def load_vg(vg_dir: str) -> dict[str, list]:
    """Read ``image_data``, ``objects``, ``attributes`` (optional) and
    ``region_descriptions`` (optional) json files of ``vg_dir``."""
    out = {}
    for key in ('image_data', 'objects', 'attributes',
                'region_descriptions'):
        path = osp.join(vg_dir, f'{key}.json')
        if osp.exists(path):
            with open(path) as f:
                out[key] = json.load(f)
        else:
            out[key] = []
    return out


def _vocab(counts: Counter, k: int) -> list[str]:
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [name for name, _ in ranked[:k]]


VG_IMAGE_FOLDERS = ('VG_100K', 'VG_100K_2')  # the two parts of VG 1.2


def locate_vg_images(vg_dir: str) -> dict[int, str]:
    """Map image id -> the folder (``VG_100K`` or ``VG_100K_2``) holding
    ``<id>.jpg`` under ``vg_dir``; empty when neither folder is there."""
    found = {}
    for folder in VG_IMAGE_FOLDERS:
        path = osp.join(vg_dir, folder)
        for name in (os.listdir(path) if osp.isdir(path) else ()):
            stem, ext = osp.splitext(name)
            if ext.lower() == '.jpg' and stem.isdigit():
                found.setdefault(int(stem), folder)
    return found


def _file_name(img: dict, folders: Optional[dict[int, str]] = None) -> str:
    """``<folder>/<id>.jpg``: the folder found on disk, else the one in the
    image's ``url`` (real VG uses VG_100K and VG_100K_2), else VG_100K."""
    folder = (folders or {}).get(img['image_id'])
    if folder is None:
        parts = (img.get('url') or '').rstrip('/').split('/')
        folder = parts[-2] if len(parts) > 1 else 'VG_100K'
    return f'{folder}/{img["image_id"]}.jpg'


def pick_val_ids(image_ids: Sequence[int], fraction: float,
                 seed: int = 0) -> tuple[set, str]:
    """Draw ``fraction`` of the images for validation (seeded).

    A positive fraction of at least 2 images gives at least one val image
    and keeps at least one for training, so a small set never ends up with
    an empty split in silence.

    Returns:
        tuple[set, str]: The val ids and a sentence saying what was done.
    """
    n = round(len(image_ids) * fraction)
    note = f'val: {n} of {len(image_ids)} images (--val-fraction {fraction})'
    if fraction > 0 and len(image_ids) >= 2 and not 0 < n < len(image_ids):
        n = min(max(n, 1), len(image_ids) - 1)
        note = (f'val: {n} of {len(image_ids)} images (--val-fraction '
                f'{fraction} rounds to {round(len(image_ids) * fraction)} '
                f'images; using {n} so that both splits are non-empty)')
    return set(random.Random(seed).sample(list(image_ids), n)), note


def convert_vg_to_det(vg: dict[str, list], num_objects: int = 1600,
                      num_attributes: int = 400,
                      image_folders: Optional[dict[int, str]] = None) -> dict:
    """Build the detection json of all images in ``vg``.

    Args:
        vg (dict[str, list]): What :func:`load_vg` returns.
        num_objects (int): Object vocabulary size. Defaults to 1600.
        num_attributes (int): Attribute vocabulary size. Defaults to 400.
        image_folders (dict[int, str], optional): Image id -> folder, from
            :func:`locate_vg_images`; overrides the folder of ``url``.

    Returns:
        dict: The json described in the module docstring.
    """
    sizes = {i['image_id']: (i['width'], i['height'])
             for i in vg['image_data']}
    obj_attrs: dict[int, list[str]] = {}
    for entry in vg['attributes']:
        for obj in entry.get('attributes') or []:
            names = [normalize_name(a) for a in obj.get('attributes') or []]
            obj_attrs[obj['object_id']] = list(dict.fromkeys(
                n for n in names if n))
    objects = []
    for entry in vg['objects']:
        w_img, h_img = sizes.get(entry['image_id'], (None, None))
        for obj in entry['objects']:
            names = obj.get('names') or [obj.get('name', '')]
            x0, y0 = max(0, obj['x']), max(0, obj['y'])
            x1, y1 = obj['x'] + obj['w'], obj['y'] + obj['h']
            if w_img is not None:
                x1, y1 = min(x1, w_img), min(y1, h_img)
            if x1 <= x0 or y1 <= y0 or not normalize_name(names[0]):
                continue
            objects.append((entry['image_id'], normalize_name(names[0]),
                            obj_attrs.get(obj['object_id'], []),
                            [x0, y0, x1 - x0, y1 - y0]))
    classes = _vocab(Counter(o[1] for o in objects), num_objects)
    attributes = _vocab(Counter(a for o in objects for a in o[2]),
                        num_attributes)
    cat_id = {n: i + 1 for i, n in enumerate(classes)}
    attr_id = {n: i + 1 for i, n in enumerate(attributes)}
    anns = []
    for image_id, name, attrs, box in objects:
        if name not in cat_id:
            continue
        anns.append(dict(
            id=len(anns) + 1, image_id=image_id, bbox=box,
            area=box[2] * box[3], category_id=cat_id[name],
            attribute_ids=[attr_id[a] for a in attrs if a in attr_id],
            iscrowd=0))
    regions = [dict(image_id=r['image_id'], phrase=r['phrase'].strip(),
                    bbox=[r['x'], r['y'], r['width'], r['height']])
               for entry in vg['region_descriptions']
               for r in entry['regions'] if r['phrase'].strip()]
    images = [dict(id=i['image_id'],
                   file_name=_file_name(i, image_folders),
                   width=i['width'], height=i['height'],
                   coco_id=i.get('coco_id')) for i in vg['image_data']]
    return dict(
        images=images,
        categories=[dict(id=i, name=n) for n, i in cat_id.items()],
        attribute_categories=[dict(id=i, name=n)
                              for n, i in attr_id.items()],
        annotations=anns, region_descriptions=regions)


def split_det(det: dict, image_ids: set[int]) -> dict:
    """The part of a detection json whose images are in ``image_ids``
    (vocabularies kept whole)."""
    keep = [i for i in det['images'] if i['id'] in image_ids]
    return dict(
        images=keep, categories=det['categories'],
        attribute_categories=det['attribute_categories'],
        annotations=[a for a in det['annotations']
                     if a['image_id'] in image_ids],
        region_descriptions=[r for r in det['region_descriptions']
                             if r['image_id'] in image_ids])
