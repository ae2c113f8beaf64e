# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Files that are either complete or absent: checkpoints, ``last_checkpoint``.

A file is written to a temporary name beside its target, flushed, synced
and renamed (``os.replace`` is atomic on POSIX filesystems), so a run
killed mid-write leaves the previous file untouched and at most a
``*.tmp-<pid>`` file behind, which no checkpoint search matches.
"""
import errno
import os
import os.path as osp
from typing import Union

from mmengine.fileio import LocalBackend, register_backend

ATOMIC_BACKEND = 'e2evlp_atomic_local'


class E2EVLPCheckpointError(RuntimeError):
    """A checkpoint that cannot be written, found or resumed from."""


def _write_all(f, data: bytes) -> None:
    """Write ``data`` to the open file ``f`` (tests slow this down)."""
    f.write(data)


def _fsync_dir(path: str) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # not every filesystem lets a directory be opened
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: str, data: Union[bytes, str]) -> None:
    """Write ``data`` to ``path`` so that ``path`` is never seen partial.

    Args:
        path (str): Target file.
        data (bytes | str): Content (``str`` is written as UTF-8).

    Raises:
        E2EVLPCheckpointError: When the disk is full (ENOSPC) or over
            quota (EDQUOT); the temporary file is removed and ``path``
            keeps its previous content.
    """
    if isinstance(data, str):
        data = data.encode()
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    tmp = f'{path}.tmp-{os.getpid()}'
    try:
        with open(tmp, 'wb') as f:
            _write_all(f, data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as error:
        if osp.exists(tmp):
            os.remove(tmp)
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            raise E2EVLPCheckpointError(
                f'{path}: no space left on the device while writing '
                f'{len(data) / 2**20:.1f} MiB ({error.strerror}); nothing '
                'was replaced.') from error
        raise
    _fsync_dir(folder)


class E2EVLPAtomicLocalBackend(LocalBackend):
    """mmengine's local file backend whose ``put`` is :func:`atomic_write`.

    ``Runner.save_checkpoint`` writes through the file backend named by
    ``backend_args``; :class:`E2EVLPCheckpointHook` passes
    ``dict(backend='e2evlp_atomic_local')``.
    """

    def put(self, obj: bytes, filepath) -> None:
        """Write ``obj`` to ``filepath`` atomically."""
        atomic_write(str(filepath), obj)


register_backend(ATOMIC_BACKEND, E2EVLPAtomicLocalBackend)
