# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""The whole-file data path of commit 5f3eb13, verbatim: the reference
that test_data_path_parity.py compares the streaming path with."""
import os.path as osp
from collections import Counter, defaultdict
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from mmdet.datasets import CocoDataset

from e2evlp_mm.datasets.converters.vg_to_det import (
    _file_name,
    _vocab,
    normalize_name,
)
from e2evlp_mm.datasets.exclusions import load_exclusions
from e2evlp_mm.datasets.validation import (
    E2EVLPDataError,
    check_images_exist,
    check_known,
    check_positive,
    check_text,
    check_xywh,
    load_json,
    map_names,
    require_keys,
)


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


def _coco_vocab(raw: dict, key: str, file: str,
                names: Optional[Sequence[str]],
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
    label_of, classes = _coco_vocab(raw, 'categories', file, classes,
                               class_aliases)
    attr_of, attributes = {}, tuple(attributes or ())
    if 'attribute_categories' in raw:
        attr_of, attributes = _coco_vocab(raw, 'attribute_categories', file,
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


class OldPretrainDataset(CocoDataset):
    """E2EVLPPretrainDataset's loading and sampling at 5f3eb13."""

    METAINFO: dict = dict()

    def __init__(self, *args, source='coco', caption_file=None,
                 max_texts_per_image=None, text_sampling='pair',
                 class_aliases=None, exclude_file=None, **kwargs):
        self.source, self.caption_file = source, caption_file
        self.max_texts_per_image = max_texts_per_image
        self.text_sampling, self.class_aliases = text_sampling, class_aliases
        self.exclude_file = exclude_file
        kwargs.setdefault('data_prefix', dict(img=''))
        super().__init__(*args, **kwargs)

    def _join_prefix(self):
        if self.caption_file and not osp.isabs(self.caption_file):
            self.caption_file = osp.join(self.data_root, self.caption_file)
        super()._join_prefix()

    def load_data_list(self):
        raw = load_json(self.ann_file, self.backend_args)
        aliases = load_json(self.class_aliases) \
            if self.class_aliases else None
        images, classes, attributes = parse_coco_style(
            raw, self.ann_file, self.data_prefix.get('img', ''),
            self._metainfo.get('classes'), self._metainfo.get('attributes'),
            aliases)
        self._metainfo.update(classes=classes, attributes=attributes)
        if self.source == 'vg':
            require_keys(raw, ('region_descriptions', ), self.ann_file, None)
            texts = group_texts(raw['region_descriptions'], self.ann_file,
                                images, 'phrase')
        else:
            caps = load_json(self.caption_file, self.backend_args)
            require_keys(caps, ('annotations', ), self.caption_file, None)
            texts = group_texts(caps['annotations'], self.caption_file,
                                images, 'caption')
        if self.exclude_file:
            excluded = set(load_exclusions(self.exclude_file))
            for img_id in [i for i, info in images.items()
                           if info['coco_id'] in excluded]:
                del images[img_id]
        data_list = []
        for img_id, info in images.items():
            info['texts'] = texts.get(img_id, [])[:self.max_texts_per_image]
            if info['texts'] or self.test_mode:
                data_list.append(info)
        return data_list

    def filter_data(self):
        data_list = self.data_list
        cfg = self.filter_cfg or {}
        if not self.test_mode:
            min_size = cfg.get('min_size', 0)
            data_list = [
                d for d in data_list
                if (d['instances'] or not cfg.get('filter_empty_gt', False))
                and min(d['width'], d['height']) >= min_size]
        per_image = self.test_mode or self.text_sampling == 'image'
        self._pairs = np.array(
            [(i, t) for i, d in enumerate(data_list)
             for t in ([0 if self.test_mode else -1] if per_image else
                       range(len(d['texts'])))],
            dtype=np.int64).reshape(-1, 2)
        return data_list

    def __len__(self):
        return len(self._pairs)

    def get_data_info(self, idx):
        image_idx, text_idx = self._pairs[idx]
        info = super().get_data_info(int(image_idx))
        texts = info.pop('texts')
        if text_idx < 0 and texts:
            text_idx = np.random.randint(len(texts))
        info['text'] = info['caption'] = texts[text_idx] if texts else ''
        info['sample_idx'] = idx
        info['source'] = self.source
        return info

    def text_at(self, idx):
        info = self.get_data_info(idx)
        return info['img_id'], info['text']
