# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Load-time schema checks shared by every e2evlp-mm dataset.

Each check raises :class:`E2EVLPDataError` whose message names the file,
the record (its index in the file and its id) and the offending field, so
a broken annotation can be found and fixed without a debugger.
"""
import os
import os.path as osp
from collections import defaultdict
from typing import Any, Iterable, Optional, Sequence


class E2EVLPDataError(ValueError):
    """An annotation file breaks the data contract."""


class E2EVLPMissingImageError(E2EVLPDataError, FileNotFoundError):
    """An annotation refers to an image file that does not exist."""


class E2EVLPBadImageError(E2EVLPDataError):
    """An image file exists but cannot be used (corrupt, truncated, or its
    size disagrees with the annotation)."""


def where(file: str, index: Optional[int], record_id: Any = None) -> str:
    """Format a record location: ``"file", record 3 (id 42)``."""
    text = f'{file!r}'
    if index is not None:
        text += f', record {index}'
    if record_id is not None:
        text += f' (id {record_id!r})'
    return text


def require_keys(record: Any, keys: Iterable[str], file: str,
                 index: Optional[int], id_key: Optional[str] = None) -> None:
    """Check that a record is a dict holding every key in ``keys``."""
    if not isinstance(record, dict):
        raise E2EVLPDataError(
            f'{where(file, index)}: expected an object, got '
            f'{type(record).__name__}')
    record_id = record.get(id_key) if id_key else None
    for key in keys:
        if key not in record:
            raise E2EVLPDataError(
                f'{where(file, index, record_id)}: missing field {key!r}')


def check_text(text: Any, file: str, index: int, record_id: Any,
               field: str) -> str:
    """Return ``text`` if it is a non-blank string, else raise."""
    if not isinstance(text, str) or not text.strip():
        raise E2EVLPDataError(
            f'{where(file, index, record_id)}: field {field!r} must be a '
            f'non-empty string, got {text!r}')
    return text


def check_positive(value: Any, file: str, index: int, record_id: Any,
                   field: str) -> None:
    """Check that ``value`` is a number > 0 (image width, height...)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not value > 0:
        raise E2EVLPDataError(
            f'{where(file, index, record_id)}: field {field!r} must be a '
            f'positive number, got {value!r}')


def check_xywh(bbox: Any, file: str, index: int, record_id: Any,
               field: str = 'bbox') -> bool:
    """Check a COCO ``[x, y, w, h]`` box.

    Returns:
        bool: False for a zero-size box (COCO ships a few: callers skip
        them as mmdet does), True for a usable one.

    Raises:
        E2EVLPDataError: If it is not four numbers or ``w`` / ``h`` < 0.
    """
    if not isinstance(bbox, (list, tuple)) or len(bbox) != 4 or any(
            isinstance(v, bool) or not isinstance(v, (int, float))
            for v in bbox):
        raise E2EVLPDataError(
            f'{where(file, index, record_id)}: field {field!r} must be four '
            f'numbers [x, y, w, h], got {bbox!r}')
    if bbox[2] < 0 or bbox[3] < 0:
        raise E2EVLPDataError(
            f'{where(file, index, record_id)}: field {field!r} has a '
            f'negative width or height: {bbox!r}')
    return bbox[2] > 0 and bbox[3] > 0


def check_known(value: Any, known: Any, file: str, index: int,
                record_id: Any, field: str) -> None:
    """Check that ``value`` (an id) is one of ``known``."""
    if value not in known:
        raise E2EVLPDataError(
            f'{where(file, index, record_id)}: field {field!r} refers to '
            f'unknown id {value!r}')


def map_names(names: Sequence[str], vocab: Sequence[str], file: str,
              what: str) -> list:
    """Map ``names`` to their index in ``vocab``; report all unknown ones."""
    lookup = {name: i for i, name in enumerate(vocab)}
    unknown = [n for n in names if n not in lookup]
    if unknown:
        raise E2EVLPDataError(
            f'{file!r}: {len(unknown)} {what} not in the configured list '
            f'(metainfo): {unknown[:20]}')
    return [lookup[n] for n in names]


def check_images_exist(paths: Sequence[str], file: str,
                       records: Sequence[tuple],
                       field: str = 'file_name') -> None:
    """Check every local image exists, listing each folder only once.

    Args:
        paths (Sequence[str]): Image paths, one per record.
        file (str): The annotation file that names them.
        records (Sequence[tuple]): ``(index, id)`` of the record naming
            each path (for the message).
        field (str): The field the path comes from (for the message).

    Raises:
        E2EVLPMissingImageError: Naming the first missing image.
    """
    listing = defaultdict(set)
    for folder in {osp.dirname(p) for p in paths}:
        if '://' in folder:  # remote backends are not listed
            continue
        listing[folder] = set(os.listdir(folder)) if osp.isdir(folder) \
            else set()
    for path, (index, record_id) in zip(paths, records):
        folder = osp.dirname(path)
        if '://' not in folder and osp.basename(path) not in listing[folder]:
            raise E2EVLPMissingImageError(
                f'{where(file, index, record_id)}: image file {path!r} '
                f'(field {field!r}) does not exist')
