# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Annotation files in the official schemas at a fraction of the real
counts, for ``tools/analysis_tools/data_scale_benchmark.py`` and tests.

Visual Genome 1.2 (``image_data``, ``objects``, ``attributes``,
``region_descriptions`` json, keys in the order of the released files) and
COCO train2017 (``instances`` with polygons, ``captions``). Counts at
fraction 1.0 are the releases': 108,077 VG images with 3.8M objects and
5.4M region descriptions (1.84 GB of json); 118,287 COCO images with 860K
boxes and 591K captions. Names follow a Zipf law over a pool that holds
COCO's 80 names, so vocabularies are cut as on real data. Images are
optional empty placeholders: the data path checks they exist, never reads
them for annotations.
"""
import json
import os
import os.path as osp
from typing import Dict, List, Optional, Tuple

import numpy as np

from e2evlp_mm.datasets.converters import COCO_TO_VG

REAL = dict(vg_images=108_077, vg_objects=3_802_374,
            vg_regions=5_408_689, coco_images=118_287,
            coco_boxes=860_001, coco_captions=591_753)
COCO_IDS = [*range(1, 12), *range(13, 26), 27, 28, *range(31, 45),
            *range(46, 66), 67, 70, *range(72, 83), *range(84, 91)]
COCO_NAMES = (
    'person bicycle car motorcycle airplane bus train truck boat '
    'traffic_light fire_hydrant stop_sign parking_meter bench bird cat dog '
    'horse sheep cow elephant bear zebra giraffe backpack umbrella handbag '
    'tie suitcase frisbee skis snowboard sports_ball kite baseball_bat '
    'baseball_glove skateboard surfboard tennis_racket bottle wine_glass '
    'cup fork knife spoon bowl banana apple sandwich orange broccoli '
    'carrot hot_dog pizza donut cake chair couch potted_plant bed '
    'dining_table toilet tv laptop mouse remote keyboard cell_phone '
    'microwave oven toaster sink refrigerator book clock vase scissors '
    'teddy_bear hair_drier toothbrush').replace('_', '#').split()
COCO_NAMES = [n.replace('#', ' ') for n in COCO_NAMES]
WORDS = ('a the man woman dog on in with near white red black green tree '
         'wall sky street sign shirt table window sitting standing large '
         'small wooden two of is').split()


def _zipf_pool(rng: np.random.Generator, size: int, n: int, head: List[str],
               prefix: str) -> np.ndarray:
    """``n`` draws from ``size`` names (``head`` first), Zipf-weighted."""
    names = np.array(head + [f'{prefix}{i}' for i in range(size - len(head))])
    weights = 1.0 / np.arange(1, size + 1)
    return names[rng.choice(size, n, p=weights / weights.sum())]


def _split(rng: np.random.Generator, total: int, parts: int) -> np.ndarray:
    """``total`` items spread over ``parts`` (each >= 0), summing up."""
    return np.bincount(rng.integers(0, parts, total), minlength=parts)


def _words(rng: np.random.Generator, n: int, length: int) -> List[str]:
    picks = rng.integers(0, len(WORDS), (n, length))
    return [' '.join(WORDS[j] for j in row) for row in picks]


def write_vg(vg_dir: str, fraction: float, seed: int = 0,
             images: bool = False) -> Dict[str, int]:
    """Write the four VG 1.2 json files (and empty images) at
    ``fraction`` of the real counts; return the counts."""
    rng = np.random.default_rng(seed)
    n_img = max(2, round(REAL['vg_images'] * fraction))
    n_obj = max(4, round(REAL['vg_objects'] * fraction))
    n_reg = max(4, round(REAL['vg_regions'] * fraction))
    os.makedirs(vg_dir, exist_ok=True)
    vg_names = list(COCO_NAMES) + [v[0] for v in COCO_TO_VG.values()]
    names = _zipf_pool(rng, 3000, n_obj, vg_names, 'thing')
    attrs = _zipf_pool(rng, 800, n_obj, ['white', 'black', 'red'], 'attr')
    per_obj = _split(rng, n_obj, n_img)
    per_reg = _split(rng, n_reg, n_img)
    size = rng.integers(200, 1024, (n_img, 2))
    folder = np.where(np.arange(n_img) < n_img * 0.6, 'VG_100K', 'VG_100K_2')
    url = 'https://cs.stanford.edu/people/rak248/'
    with open(osp.join(vg_dir, 'image_data.json'), 'w') as f:
        f.write('[' + ', '.join(
            f'{{"width": {w}, "url": "{url}{d}/{i + 1}.jpg", "height": {h}, '
            f'"image_id": {i + 1}, "coco_id": '
            f'{i * 2 + 9 if i % 2 else "null"}, "flickr_id": null}}'
            for i, ((w, h), d) in enumerate(zip(size.tolist(), folder)))
            + ']')
    box = rng.integers(0, 400, (n_obj, 4)) + [0, 0, 1, 1]
    has_attr = rng.random(n_obj) < 0.5
    files = {k: open(osp.join(vg_dir, f'{k}.json'), 'w')
             for k in ('objects', 'attributes', 'region_descriptions')}
    try:
        for f in files.values():
            f.write('[')
        obj = reg = 0
        for i in range(n_img):
            sep = ', ' if i else ''
            objs, with_attrs = [], []
            for k in range(obj, obj + per_obj[i]):
                x, y, w, h = box[k].tolist()
                body = (f'"synsets": ["{names[k]}.n.01"], "h": {h}, '
                        f'"object_id": {k + 1000}, "names": '
                        f'{json.dumps([str(names[k])])}, "w": {w}')
                objs.append(f'{{{body}, "merged_object_ids": [], "y": {y}, '
                            f'"x": {x}}}')
                extra = f', "attributes": ["{attrs[k]}"]' \
                    if has_attr[k] else ''
                with_attrs.append(f'{{{body}{extra}, "y": {y}, "x": {x}}}')
            obj += per_obj[i]
            phrases = _words(rng, per_reg[i], 5)
            regs = [f'{{"region_id": {reg + j + 1}, "width": 80, "height": '
                    f'60, "image_id": {i + 1}, "phrase": "{p}", "y": 10, '
                    f'"x": 20}}' for j, p in enumerate(phrases)]
            reg += per_reg[i]
            files['objects'].write(
                f'{sep}{{"image_id": {i + 1}, "objects": [{", ".join(objs)}]'
                f', "image_url": "{url}{folder[i]}/{i + 1}.jpg"}}')
            files['attributes'].write(
                f'{sep}{{"image_id": {i + 1}, "attributes": '
                f'[{", ".join(with_attrs)}]}}')
            files['region_descriptions'].write(
                f'{sep}{{"regions": [{", ".join(regs)}], "id": {i + 1}}}')
        for f in files.values():
            f.write(']')
    finally:
        for f in files.values():
            f.close()
    if images:
        for i, d in enumerate(folder):
            _touch(osp.join(vg_dir, d, f'{i + 1}.jpg'))
    return dict(images=n_img, objects=n_obj, regions=n_reg)


def _touch(path: str) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    open(path, 'wb').close()


def write_coco(coco_dir: str, fraction: float, seed: int = 0,
               images: bool = False,
               image_size: Optional[Tuple[int, int]] = None
               ) -> Dict[str, int]:
    """Write COCO train2017 ``instances`` and ``captions`` json (and empty
    images) at ``fraction`` of the real counts; return the counts. Images
    are ``image_size`` (width, height) when given, else of random sizes.
    """
    rng = np.random.default_rng(seed + 1)
    n_img = max(2, round(REAL['coco_images'] * fraction))
    n_box = max(2, round(REAL['coco_boxes'] * fraction))
    n_cap = max(2, round(REAL['coco_captions'] * fraction))
    ann_dir = osp.join(coco_dir, 'annotations')
    os.makedirs(ann_dir, exist_ok=True)
    ids = (np.arange(n_img) * 2 + 9).tolist()  # VG's coco_id are these
    size = rng.integers(200, 640, (n_img, 2)).tolist() if image_size is \
        None else [list(image_size)] * n_img
    images_json = ', '.join(
        f'{{"license": 3, "file_name": "{i:012d}.jpg", "coco_url": "http://'
        f'images.cocodataset.org/train2017/{i:012d}.jpg", "height": {h}, '
        f'"width": {w}, "date_captured": "2013-11-14 11:18:45", '
        f'"flickr_url": "http://farm4.staticflickr.com/x.jpg", "id": {i}}}'
        for i, (w, h) in zip(ids, size))
    head = ('{"info": {"description": "COCO 2017 Dataset"}, "licenses": '
            '[{"url": "http://creativecommons.org/", "id": 3, "name": "CC"}]'
            f', "images": [{images_json}], "annotations": [')
    img_of = rng.integers(0, n_img, n_box)
    box = np.round(rng.random((n_box, 4)) * 150 + 1, 2).tolist()
    cats = rng.choice(COCO_IDS, n_box).tolist()
    poly = np.round(rng.random((n_box, 16)) * 200, 2)
    with open(osp.join(ann_dir, 'instances_train2017.json'), 'w') as f:
        f.write(head)
        for k, b in enumerate(box):
            f.write(f'{", " if k else ""}{{"segmentation": '
                    f'[{poly[k].tolist()}], "area": {b[2] * b[3]:.4f}, '
                    f'"iscrowd": {int(k % 97 == 0)}, "image_id": '
                    f'{ids[img_of[k]]}, "bbox": {b}, "category_id": '
                    f'{cats[k]}, "id": {k + 1}}}')
        f.write('], "categories": ' + json.dumps([
            dict(supercategory='thing', id=i, name=n)
            for i, n in zip(COCO_IDS, COCO_NAMES)]) + '}')
    cap_img = np.repeat(ids, _split(rng, n_cap, n_img)).tolist()
    with open(osp.join(ann_dir, 'captions_train2017.json'), 'w') as f:
        f.write(head)
        f.write(', '.join(
            f'{{"image_id": {i}, "id": {k + 1}, "caption": "{c}."}}'
            for k, (i, c) in enumerate(zip(cap_img,
                                            _words(rng, n_cap, 10)))))
        f.write(']}')
    if images:
        for i in ids:
            _touch(osp.join(coco_dir, 'train2017', f'{i:012d}.jpg'))
    return dict(images=n_img, boxes=n_box, captions=n_cap)
