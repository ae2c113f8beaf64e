# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Load-time schema checks shared by every e2evlp-mm dataset.

Each check raises :class:`E2EVLPDataError` whose message names the file,
the record (its index in the file and its id) and the offending field, so
a broken annotation can be found and fixed without a debugger.
"""
import json
import os
import os.path as osp
import re
from collections import defaultdict
from typing import Any, Iterable, Optional, Sequence

import mmengine
from mmengine import fileio

# Bytes that are not UTF-8 decode (errors='surrogateescape') to these.
_UNDECODABLE = re.compile('[\udc80-\udcff]')


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


def _find_undecodable(node: Any, trail: str) -> Optional[tuple]:
    """``(trail, record, text)`` of the first string holding bytes that
    were not UTF-8; ``record`` is the innermost dict on the way."""
    if isinstance(node, str):
        return (trail, None, node) if _UNDECODABLE.search(node) else None
    items = node.items() if isinstance(node, dict) else enumerate(
        node) if isinstance(node, list) else ()
    for key, value in items:
        found = _find_undecodable(
            value, f'{trail}[{key}]' if isinstance(key, int) else
            f'{trail}.{key}' if trail else key)
        if found is not None:
            if found[1] is None and isinstance(node, dict):
                found = (found[0], node, found[2])
            return found
    return None


def undecodable_error(node: Any, file: str, index: Optional[int],
                      trail: str, where_bad: str = 'a key'
                      ) -> E2EVLPDataError:
    """The error for a decoded json value holding text that was not UTF-8
    (read with ``errors='surrogateescape'``).

    Args:
        node (Any): The value (a whole file, a line or one record).
        file (str): Its file, for the message.
        index (int, optional): Its record index, when it is a line.
        trail (str): Its place in the file (``'annotations[3]'``), which
            the message extends to the field (``'annotations[3].caption'``).
        where_bad (str): Says where the bytes are when no string value
            holds them (a key).
    """
    found = _find_undecodable(node, trail)
    if found is None:  # outside any string value
        return E2EVLPDataError(f'{where(file, index)}: {where_bad} is not '
                               'UTF-8')
    trail, record, text = found
    record_id = next((record[k] for k in ('id', 'question_id', 'imgid',
                                          'identifier')
                      if record and k in record), None)
    shown = text.encode('utf-8', 'surrogateescape').decode(
        'utf-8', 'backslashreplace')
    return E2EVLPDataError(
        f'{where(file, index, record_id)}: field {trail!r} is not valid '
        f'UTF-8: {shown[:80]!r}; re-encode the file as UTF-8')


def decode_utf8(content: bytes, file: str, index: Optional[int] = None):
    """Decode and parse JSON ``content``; name the field that is not UTF-8.

    Args:
        content (bytes): A json file, or one line of a json-lines file.
        file (str): Its path, for messages.
        index (int, optional): The line's record index (json-lines).

    Raises:
        E2EVLPDataError: On bytes that are not UTF-8 (naming the record,
            its id and the field, with the text around them) or invalid
            JSON.
    """
    try:
        return json.loads(content.decode('utf-8'))
    except UnicodeDecodeError as error:
        raw = json.loads(content.decode('utf-8', 'surrogateescape'))
        raise undecodable_error(raw, file, index, '',
                                f'byte {error.start}') from None
    except json.JSONDecodeError as error:
        raise E2EVLPDataError(
            f'{where(file, index)}: not valid JSON ({error})') from None


def load_json(file: str, backend_args: Optional[dict] = None) -> Any:
    """Load a json annotation file, reporting non-UTF-8 text by record and
    field and bad JSON by position (mmengine would raise a bare decode
    error). Other formats than ``.json`` go to ``mmengine.load``."""
    if not file.endswith('.json'):
        return mmengine.load(file, backend_args=backend_args)
    return decode_utf8(fileio.get(file, backend_args=backend_args), file)
