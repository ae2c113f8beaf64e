# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Compact annotations written once, memory-mapped by every process.

A cache file holds named numpy arrays and a json ``meta`` (what
:func:`~.coco_style.read_coco_style` returns). It is written once per
annotation file (by the first process that needs it, under a file lock,
then renamed into place) and opened with ``mmap``: the training processes
of a node and their loader workers read the same page-cache pages, and a
start reads nothing but the header. Its name hashes the source files'
paths, sizes and modification times and :data:`FORMAT`, so an edited
source or a new format makes a new file.

Layout: ``MAGIC``, an 8-byte header length, the json header (``meta`` and
each array's dtype, shape and offset), then the arrays, 64-byte aligned.
"""
import fcntl
import hashlib
import json
import mmap
import os
import os.path as osp
from typing import Callable, Dict, Optional, Sequence, Tuple

import numpy as np

MAGIC = b'E2EVLPAC'
FORMAT = 2  # raise when the arrays change meaning (2: text_box)
_ALIGN = 64

Arrays = Dict[str, np.ndarray]


def cache_path(sources: Sequence[str], tag: str,
               cache_dir: Optional[str] = None) -> Optional[str]:
    """Where the cache of ``sources`` lives: ``cache_dir`` or a
    ``.e2evlp_cache/`` folder beside the first source, else
    ``~/.cache/e2evlp_mm``; None for remote files (not cached).

    Args:
        sources (Sequence[str]): The annotation files it is made from.
        tag (str): What is read from them (``'vg:phrase'``...).
        cache_dir (str, optional): Folder for the cache files.
    """
    if any('://' in s for s in sources):
        return None
    key = [FORMAT, tag]
    for src in sources:
        stat = os.stat(src)
        key += [osp.abspath(src), stat.st_size, stat.st_mtime_ns]
    digest = hashlib.sha1(json.dumps(key).encode()).hexdigest()[:16]
    name = f'{osp.basename(sources[0])}.{digest}.cache'
    folders = [cache_dir] if cache_dir else [
        osp.join(osp.dirname(osp.abspath(sources[0])), '.e2evlp_cache'),
        osp.join(osp.expanduser('~'), '.cache', 'e2evlp_mm')]
    for folder in folders:
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError:
            continue
        if os.access(folder, os.W_OK) or osp.exists(osp.join(folder,
                                                             name)):
            return osp.join(folder, name)
    return None


def save(path: str, arrays: Arrays, meta: dict) -> None:
    """Write ``arrays`` and ``meta`` to ``path`` (via a temporary file)."""
    specs, offset = {}, 0
    for name, arr in arrays.items():
        specs[name] = dict(dtype=arr.dtype.str, shape=list(arr.shape),
                           offset=offset)
        offset += -(-arr.nbytes // _ALIGN) * _ALIGN
    header = json.dumps(dict(meta=meta, arrays=specs)).encode()
    start = -(-(len(MAGIC) + 8 + len(header)) // _ALIGN) * _ALIGN
    tmp = f'{path}.{os.getpid()}.tmp'
    with open(tmp, 'wb') as f:
        f.write(MAGIC + len(header).to_bytes(8, 'little') + header)
        for name, arr in arrays.items():
            f.seek(start + specs[name]['offset'])
            f.write(np.ascontiguousarray(arr).tobytes())
        f.truncate(start + offset)
    os.replace(tmp, path)


def load(path: str) -> Tuple[Arrays, dict]:
    """Open a cache file: read-only arrays backed by a shared mmap."""
    with open(path, 'rb') as f:
        buf = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    if buf[:len(MAGIC)] != MAGIC:
        raise ValueError(f'{path!r} is not an annotation cache')
    size = int.from_bytes(buf[len(MAGIC):len(MAGIC) + 8], 'little')
    header = json.loads(buf[len(MAGIC) + 8:len(MAGIC) + 8 + size])
    start = -(-(len(MAGIC) + 8 + size) // _ALIGN) * _ALIGN
    arrays = {}
    for name, spec in header['arrays'].items():
        dtype = np.dtype(spec['dtype'])
        count = int(np.prod(spec['shape']))
        arrays[name] = np.frombuffer(
            buf, dtype, count, start + spec['offset']).reshape(spec['shape'])
    return arrays, header['meta']


def cached(path: Optional[str],
           build: Callable[[], Tuple[Arrays, dict]]) -> Tuple[Arrays, dict]:
    """Load ``path``, building and saving it first if it is not there.

    One process builds while the others wait on a lock beside it and then
    load what it wrote. A ``path`` of None builds in memory every time.
    """
    if path is None:
        return build()
    if not osp.exists(path):
        with open(path + '.lock', 'w') as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not osp.exists(path):
                save(path, *build())
    return load(path)
