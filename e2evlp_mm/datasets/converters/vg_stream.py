# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Visual Genome -> detection json, streamed (what ``vg_to_det.py`` runs).

The four VG files (1.84 GB for VG 1.2) are read record by record
(:class:`~e2evlp_mm.datasets.json_stream.JsonStream`): objects and their
attributes are kept as numpy arrays (about 60 bytes an object), the
vocabularies are counted from them, and the output json is written record
by record, region descriptions straight from a second read of their file.
The output is byte for byte what ``json.dump`` of
:func:`~.vg_to_det.convert_vg_to_det`'s dict writes.
"""
import json
import os.path as osp
from array import array
from typing import IO, Dict, Iterable, Iterator, Optional, Tuple

import numpy as np

from ..json_stream import JsonStream
from ..validation import E2EVLPDataError, require_keys, where
from .vg_to_det import _file_name, _vocab, normalize_name

VG_FILES = ('image_data', 'objects', 'attributes', 'region_descriptions')
_BLOCK = 1 << 16  # objects turned into Python values at a time


def _int(value, file: str, index: int, record_id, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise E2EVLPDataError(f'{where(file, index, record_id)}: field '
                              f'{field!r} must be an integer, got {value!r}')
    return value


class VGDetConversion:
    """The detection json of all images of Visual Genome, in compact form.

    Args:
        vg_dir (str, optional): Folder with the VG json files (each read
            as a stream; a missing one counts as empty).
        vg (dict, optional): The files' contents instead (tests, small
            data): ``{'objects': [...], ...}``.
        num_objects (int): Object vocabulary size. Defaults to 1600.
        num_attributes (int): Attribute vocabulary size. Defaults to 400.
        image_folders (dict[int, str], optional): Image id -> folder
            (``locate_vg_images``), over the folder of ``url``.

    Raises:
        E2EVLPDataError: For invalid json, text that is not UTF-8 or a
            record without a field the conversion reads, naming the file,
            record and field.
    """

    def __init__(self, vg_dir: Optional[str] = None,
                 vg: Optional[dict] = None, num_objects: int = 1600,
                 num_attributes: int = 400,
                 image_folders: Optional[Dict[int, str]] = None) -> None:
        self.vg_dir, self.vg = vg_dir, vg
        self.images = [dict(id=i['image_id'],
                            file_name=_file_name(i, image_folders),
                            width=i['width'], height=i['height'],
                            coco_id=i.get('coco_id'))
                       for i in self._image_data()]
        attr_oids, attr_names = self._attributes()
        self._objects({i['id']: (i['width'], i['height'])
                       for i in self.images})
        self.attr_row = self._attribute_rows(attr_oids)
        has = self.attr_row >= 0
        rows = self.attr_row[has]
        lens = self.attr_start[rows + 1] - self.attr_start[rows]
        gathered = self.attr_ids[
            np.arange(lens.sum()) - np.repeat(np.cumsum(lens) - lens, lens) +
            np.repeat(self.attr_start[rows], lens)]
        classes = _vocab(dict(zip(self.names, np.bincount(
            self.name, minlength=len(self.names)).tolist())), num_objects)
        attributes = _vocab(dict(zip(attr_names, np.bincount(
            gathered, minlength=len(attr_names)).tolist())), num_attributes)
        self.categories = [dict(id=i + 1, name=n)
                           for i, n in enumerate(classes)]
        self.attribute_categories = [dict(id=i + 1, name=n)
                                     for i, n in enumerate(attributes)]
        self.cat_of_name = self._lookup(self.names, classes)
        self.id_of_attr = self._lookup(attr_names, attributes)
        self.attr_names = attr_names

    def _attribute_rows(self, attr_oids: np.ndarray) -> np.ndarray:
        """Each kept object's row of attribute names: the last entry of
        its object id in attributes.json (as a dict would keep), or -1."""
        order = np.argsort(attr_oids, kind='stable')
        oids = attr_oids[order]
        last = np.ones(len(oids), bool)
        last[:-1] = oids[1:] != oids[:-1]
        oids, rows = oids[last], order[last]
        if not len(oids):
            return np.full(len(self.oid), -1, np.int64)
        pos = np.minimum(np.searchsorted(oids, self.oid), len(oids) - 1)
        return np.where(oids[pos] == self.oid, rows[pos], -1)

    # -- reading -------------------------------------------------------
    def file(self, key: str) -> str:
        """The file of ``key``, for messages."""
        return osp.join(self.vg_dir, f'{key}.json') if self.vg_dir else \
            f'{key}.json'

    def records(self, key: str) -> Iterable[Tuple[int, dict]]:
        """``(index, entry)`` of one VG file."""
        if self.vg is not None:
            return enumerate(self.vg.get(key) or [])
        path = self.file(key)
        return JsonStream(path).records() if osp.exists(path) else ()

    def _image_data(self) -> Iterator[dict]:
        file = self.file('image_data')
        for i, img in self.records('image_data'):
            require_keys(img, ('image_id', 'width', 'height'), file, i)
            yield img

    def _attributes(self) -> Tuple[np.ndarray, list]:
        """Every object's normalised attribute names (as ids into the
        returned names), by object id, in file order."""
        file = self.file('attributes')
        oids, starts, ids = array('q'), array('q', [0]), array('q')
        names: Dict[str, int] = {}
        for i, entry in self.records('attributes'):
            require_keys(entry, (), file, i)
            part = f'{file}[{i}].attributes'
            for j, obj in enumerate(entry.get('attributes') or []):
                require_keys(obj, ('object_id', ), part, j)
                oids.append(_int(obj['object_id'], part, j, None,
                                 'object_id'))
                kept = dict.fromkeys(
                    n for n in map(normalize_name,
                                   obj.get('attributes') or []) if n)
                ids.extend(names.setdefault(n, len(names)) for n in kept)
                starts.append(len(ids))
        self.attr_start = np.frombuffer(starts, np.int64)
        self.attr_ids = np.frombuffer(ids, np.int64)
        return np.frombuffer(oids, np.int64), list(names)

    def _objects(self, sizes: Dict[int, tuple]) -> None:
        """Kept objects (a box inside the image, a name) as arrays."""
        file = self.file('objects')
        img, oid, name = array('q'), array('q'), array('q')
        box, is_int = array('d'), array('B')
        names: Dict[str, int] = {}
        for i, entry in self.records('objects'):
            require_keys(entry, ('image_id', 'objects'), file, i)
            w_img, h_img = sizes.get(entry['image_id'], (None, None))
            part = f'{file}[{i}].objects'
            for j, obj in enumerate(entry['objects']):
                require_keys(obj, ('object_id', 'x', 'y', 'w', 'h'), part, j,
                             'object_id')
                names_j = obj.get('names') or [obj.get('name', '')]
                x0, y0 = max(0, obj['x']), max(0, obj['y'])
                x1, y1 = obj['x'] + obj['w'], obj['y'] + obj['h']
                if w_img is not None:
                    x1, y1 = min(x1, w_img), min(y1, h_img)
                first = normalize_name(names_j[0])
                if x1 <= x0 or y1 <= y0 or not first:
                    continue
                xywh = (x0, y0, x1 - x0, y1 - y0)
                img.append(entry['image_id'])
                oid.append(_int(obj['object_id'], part, j, None,
                                'object_id'))
                name.append(names.setdefault(first, len(names)))
                box.extend(xywh)
                is_int.append(sum(1 << k for k, v in enumerate(xywh)
                                  if type(v) is int))
        self.img = np.frombuffer(img, np.int64)
        self.oid = np.frombuffer(oid, np.int64)
        self.name = np.frombuffer(name, np.int64)
        self.box = np.frombuffer(box, np.float64).reshape(-1, 4)
        self.is_int = np.frombuffer(is_int, np.uint8)
        self.names = list(names)

    @staticmethod
    def _lookup(names: list, vocab: list) -> np.ndarray:
        """names index -> 1-based vocabulary id, 0 when not in it."""
        ids = {n: i + 1 for i, n in enumerate(vocab)}
        return np.array([ids.get(n, 0) for n in names] or [0], np.int64)

    # -- records -------------------------------------------------------
    def annotations(self) -> Iterator[dict]:
        """The annotations, numbered from 1, in the order of objects.json.
        """
        next_id = 1
        mapped = self.id_of_attr[self.attr_ids].tolist()
        starts = self.attr_start.tolist()
        for lo in range(0, len(self.img), _BLOCK):
            hi = lo + _BLOCK
            cats = self.cat_of_name[self.name[lo:hi]].tolist()
            rows = self.attr_row[lo:hi].tolist()
            boxes, ints = self.box[lo:hi].tolist(), self.is_int[
                lo:hi].tolist()
            imgs = self.img[lo:hi].tolist()
            for k, cat in enumerate(cats):
                if not cat:
                    continue
                box = [int(v) if ints[k] >> b & 1 else v
                       for b, v in enumerate(boxes[k])]
                row = rows[k]
                attrs = mapped[starts[row]:starts[row + 1]] if row >= 0 \
                    else ()
                yield dict(id=next_id, image_id=imgs[k], bbox=box,
                           area=box[2] * box[3], category_id=cat,
                           attribute_ids=[a for a in attrs if a],
                           iscrowd=0)
                next_id += 1

    def regions(self) -> Iterator[dict]:
        """The region descriptions with a non-blank phrase, streamed."""
        file = self.file('region_descriptions')
        for i, entry in self.records('region_descriptions'):
            require_keys(entry, ('regions', ), file, i, 'id')
            part = f'{file}[{i}].regions'
            for j, r in enumerate(entry['regions']):
                require_keys(r, ('image_id', 'phrase', 'x', 'y', 'width',
                                 'height'), part, j, 'region_id')
                if not isinstance(r['phrase'], str):
                    raise E2EVLPDataError(
                        f'{where(part, j, r.get("region_id"))}: field '
                        f"'phrase' must be a string, got {r['phrase']!r}")
                phrase = r['phrase'].strip()
                if phrase:
                    yield dict(image_id=r['image_id'], phrase=phrase,
                               bbox=[r['x'], r['y'], r['width'],
                                     r['height']])

    # -- output --------------------------------------------------------
    def write(self, outputs: Dict[str, Optional[set]]) -> Dict[str, list]:
        """Write one json per ``{path: image ids (None: all)}``.

        Returns:
            dict[str, list]: Per path, the number of images, objects and
            regions written.
        """
        files = {path: open(path, 'w') for path in outputs}
        counts = {path: [0, 0, 0] for path in outputs}
        try:
            for section, (key, records) in enumerate((
                    ('images', self.images),
                    ('annotations', self.annotations()),
                    ('region_descriptions', self.regions()))):
                for f in files.values():
                    f.write(_opening(key, section, self))
                for rec in records:
                    img_id = rec['id'] if section == 0 else rec['image_id']
                    text = None
                    for path, ids in outputs.items():
                        if ids is None or img_id in ids:
                            text = text or json.dumps(rec)
                            _append(files[path], text,
                                    counts[path][section])
                            counts[path][section] += 1
                for f in files.values():
                    f.write(']')
            for f in files.values():
                f.write('}')
        finally:
            for f in files.values():
                f.close()
        return counts


def convert_vg_to_det(vg: Dict[str, list], num_objects: int = 1600,
                      num_attributes: int = 400,
                      image_folders: Optional[Dict[int, str]] = None
                      ) -> dict:
    """Build the detection json of all images in ``vg`` as one dict (small
    sets and tests; ``vg_to_det.py`` streams with :class:`VGDetConversion`).

    Args:
        vg (dict[str, list]): What :func:`~.vg_to_det.load_vg` returns.
        num_objects (int): Object vocabulary size. Defaults to 1600.
        num_attributes (int): Attribute vocabulary size. Defaults to 400.
        image_folders (dict[int, str], optional): Image id -> folder, from
            :func:`~.vg_to_det.locate_vg_images`.

    Returns:
        dict: The json described in :mod:`.vg_to_det`.
    """
    det = VGDetConversion(vg=vg, num_objects=num_objects,
                          num_attributes=num_attributes,
                          image_folders=image_folders)
    return dict(images=det.images, categories=det.categories,
                attribute_categories=det.attribute_categories,
                annotations=list(det.annotations()),
                region_descriptions=list(det.regions()))


def _opening(key: str, section: int, det: VGDetConversion) -> str:
    """What precedes the list of ``key`` in the json."""
    if section == 0:
        return '{"images": ['
    if section == 1:
        return (', "categories": ' + json.dumps(det.categories) +
                ', "attribute_categories": ' +
                json.dumps(det.attribute_categories) +
                ', "annotations": [')
    return ', "region_descriptions": ['


def _append(f: IO[str], text: str, count: int) -> None:
    f.write(text if not count else ', ' + text)
