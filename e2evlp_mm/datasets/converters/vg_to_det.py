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
The conversion itself is :mod:`.vg_stream`.
"""
import json
import os
import os.path as osp
import random
import re
from typing import Optional, Sequence


def normalize_name(name: str) -> str:
    """Lowercase, trim, collapse spaces and strip outer punctuation."""
    return re.sub(r'\s+', ' ', name.lower()).strip(' .,;:!?"\'')


def load_vg(vg_dir: str) -> dict[str, list]:
    """Read ``image_data``, ``objects``, ``attributes`` (optional) and
    ``region_descriptions`` (optional) json files of ``vg_dir`` whole
    (small sets; ``vg_to_det.py`` streams them instead)."""
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


def _vocab(counts: dict, k: int) -> list[str]:
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
