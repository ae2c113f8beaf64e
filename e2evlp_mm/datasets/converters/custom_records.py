# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Reading your own annotations: a ``.jsonl`` or ``.csv`` file with one
record per caption, question or box.

Fields per task (``csv``: a header row with these names; ``jsonl``: one
object a line):

* ``captions``: ``image``, ``caption``;
* ``vqa``: ``image``, ``question``, ``answer`` (one answer, or several
  human answers: a json list, or ``|``-separated in csv);
* ``boxes``: ``image``, ``x``, ``y``, ``w``, ``h`` (pixels, top-left corner
  and size, as COCO), ``name``; optionally ``caption``, the image's text
  for detection with paired text.

Every task takes an optional ``split`` (``train`` or ``test``). ``image``
is a path relative to the image folder.
"""
import csv
import json
import os.path as osp
import random
from typing import Dict, List, Optional, Tuple

from PIL import Image

from ..validation import (
    E2EVLPBadImageError,
    E2EVLPDataError,
    E2EVLPMissingImageError,
    check_text,
    where,
)

TASK_FIELDS = {
    'captions': ('image', 'caption'),
    'vqa': ('image', 'question', 'answer'),
    'boxes': ('image', 'x', 'y', 'w', 'h', 'name'),
}
SPLITS = ('train', 'test')
# EXIF orientations that swap width and height when the image is shown
_TRANSPOSED = (5, 6, 7, 8)


def read_records(file: str, task: str) -> List[dict]:
    """Read and check the records of ``file`` for ``task``.

    Args:
        file (str): A ``.jsonl`` or ``.csv`` file.
        task (str): ``captions``, ``vqa`` or ``boxes``.

    Returns:
        list[dict]: The records, each with its 0-based ``index`` (data
        line; csv: without the header).

    Raises:
        E2EVLPDataError: Naming the file, record and field at fault.
    """
    if task not in TASK_FIELDS:
        raise ValueError(f'unknown task {task!r}; choose from '
                         f'{sorted(TASK_FIELDS)}')
    ext = osp.splitext(file)[1].lower()
    if ext not in ('.jsonl', '.csv'):
        raise E2EVLPDataError(f'{file!r}: expected a .jsonl or .csv file')
    with open(file, encoding='utf-8', newline='') as f:
        if ext == '.csv':
            rows = list(csv.DictReader(f))
        else:
            rows = []
            for i, line in enumerate(x for x in f if x.strip()):
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise E2EVLPDataError(
                        f'{where(file, i)}: not a json object ({e})') from None
    if not rows:
        raise E2EVLPDataError(f'{file!r}: no records')
    return [_check(row, i, file, task, ext) for i, row in enumerate(rows)]


def _check(row, i: int, file: str, task: str, ext: str) -> dict:
    if not isinstance(row, dict):
        raise E2EVLPDataError(f'{where(file, i)}: expected an object')
    for key in TASK_FIELDS[task]:
        if row.get(key) in (None, ''):
            raise E2EVLPDataError(f'{where(file, i)}: missing field {key!r}')
    rec = dict(index=i, image=check_text(row['image'], file, i, None,
                                         'image'))
    split = row.get('split') or None
    if split is not None and split not in SPLITS:
        raise E2EVLPDataError(f"{where(file, i)}: field 'split' must be "
                              f'one of {SPLITS}, got {split!r}')
    rec['split'] = split
    if task == 'captions':
        rec['caption'] = check_text(row['caption'], file, i, None,
                                    'caption').strip()
    elif task == 'vqa':
        rec['question'] = check_text(row['question'], file, i, None,
                                     'question').strip()
        answers = row['answer']
        if isinstance(answers, str):
            answers = answers.split('|') if ext == '.csv' else [answers]
        if not isinstance(answers, list) or not answers:
            raise E2EVLPDataError(f"{where(file, i)}: field 'answer' must "
                                  'be a string or a list of strings')
        rec['answers'] = [
            check_text(a, file, i, None, 'answer').strip() for a in answers
        ]
    else:
        for key in ('x', 'y', 'w', 'h'):
            try:
                rec[key] = float(row[key])
            except (TypeError, ValueError):
                raise E2EVLPDataError(
                    f'{where(file, i)}: field {key!r} must be a number, got '
                    f'{row[key]!r}') from None
        if rec['w'] <= 0 or rec['h'] <= 0:
            raise E2EVLPDataError(
                f"{where(file, i)}: fields 'w' and 'h' must be > 0, got "
                f'{rec["w"]!r}, {rec["h"]!r}')
        rec['name'] = check_text(row['name'], file, i, None, 'name').strip()
        caption = row.get('caption')
        rec['caption'] = caption.strip() if isinstance(caption, str) \
            and caption.strip() else None
    return rec


def image_size(path: str, file: str, index: int) -> Tuple[int, int]:
    """``(width, height)`` of an image as it is shown (EXIF applied, as
    ``E2EVLPLoadImageFromFile`` loads it)."""
    if not osp.isfile(path):
        raise E2EVLPMissingImageError(
            f"{where(file, index)}: field 'image': no such file {path!r}")
    try:
        with Image.open(path) as img:
            width, height = img.size
            orientation = img.getexif().get(0x0112, 1)
    except OSError as e:
        raise E2EVLPBadImageError(
            f"{where(file, index)}: field 'image': cannot read {path!r} "
            f'({e})') from None
    return (height, width) if orientation in _TRANSPOSED else (width, height)


def index_images(records: List[dict], image_dir: str, file: str,
                 test_fraction: float, seed: int = 0) -> Dict[str, dict]:
    """One entry per distinct image: ``id`` (1, 2, ... in name order),
    ``path``, ``width``, ``height``, ``split``.

    An image takes the ``split`` of its records (they must agree); when no
    record names one, ``test_fraction`` of the images (at least one) are
    drawn for ``test`` with ``seed``.
    """
    images: Dict[str, dict] = {}
    for rec in records:
        name = rec['image']
        if name not in images:
            path = osp.join(image_dir, name)
            width, height = image_size(path, file, rec['index'])
            images[name] = dict(path=path, width=width, height=height,
                                split=rec['split'])
        elif rec['split'] and images[name]['split'] not in (None,
                                                            rec['split']):
            raise E2EVLPDataError(
                f'{where(file, rec["index"])}: field \'split\' is '
                f'{rec["split"]!r}, but an earlier record of image {name!r} '
                f'says {images[name]["split"]!r}')
        else:
            images[name]['split'] = images[name]['split'] or rec['split']
    names = sorted(images)
    for i, name in enumerate(names, 1):
        images[name]['id'] = i
    if all(images[n]['split'] is None for n in names):
        _draw_test_split(images, names, test_fraction, seed)
    for name in names:
        images[name]['split'] = images[name]['split'] or 'train'
    return images


def _draw_test_split(images: Dict[str, dict], names: List[str],
                     fraction: float, seed: Optional[int]) -> None:
    if len(names) < 2:
        raise E2EVLPDataError('need at least 2 images to split them into '
                              'train and test (or give a split per record)')
    count = min(len(names) - 1, max(1, round(fraction * len(names))))
    for name in random.Random(seed).sample(names, count):
        images[name]['split'] = 'test'
