# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Find the checkpoint a reference means, also in a moved work dir.

``last_checkpoint`` (mmengine) holds an absolute path; a work dir copied
to another folder or machine keeps its checkpoints beside that file, so a
reference whose path is gone is looked up by name in the work dir.
"""
import glob
import os
import os.path as osp
import re
import zipfile
from typing import Optional

from .atomic_file import E2EVLPCheckpointError


class E2EVLPCheckpointNotFound(E2EVLPCheckpointError, FileNotFoundError):
    """No checkpoint where a reference points, nor in its work dir."""

# What CheckpointHook and E2EVLPCheckpointHook name their checkpoints.
_TRAINING_STATE = re.compile(r'^(epoch|iter)_\d+\.pth$')


def resolve_checkpoint(ref: str, work_dir: str) -> str:
    """The checkpoint file a reference means.

    Args:
        ref (str): A checkpoint path (absolute, or relative to the current
            folder or to ``work_dir``), a work dir, or a work dir's
            ``last_checkpoint`` file.
        work_dir (str): The work dir the reference belongs to.

    Returns:
        str: An existing checkpoint file.

    Raises:
        E2EVLPCheckpointNotFound: Naming every place looked at.
    """
    if osp.isdir(ref):
        return last_checkpoint(ref)
    if osp.basename(ref) == 'last_checkpoint' and osp.isfile(ref):
        return last_checkpoint(osp.dirname(ref) or '.')
    tried = list(dict.fromkeys(
        [ref, osp.join(work_dir, ref),
         osp.join(work_dir, osp.basename(ref))]))
    for candidate in tried:
        if osp.isfile(candidate):
            return candidate
    raise E2EVLPCheckpointNotFound(
        'checkpoint not found: looked for ' + ', '.join(tried) +
        ' (a moved work dir keeps its checkpoints beside last_checkpoint)')


def last_checkpoint(work_dir: str) -> str:
    """The checkpoint named by ``work_dir/last_checkpoint``.

    Without that file the newest complete ``*.pth`` is taken.

    Args:
        work_dir (str): A training work dir (possibly moved).

    Returns:
        str: An existing checkpoint file.

    Raises:
        E2EVLPCheckpointNotFound: When the dir holds no checkpoint.
    """
    pointer = osp.join(work_dir, 'last_checkpoint')
    if osp.isfile(pointer):
        with open(pointer) as f:
            return resolve_checkpoint(f.read().strip(), work_dir)
    found = newest_complete_checkpoint(work_dir, pattern='*.pth')
    if found is None:
        raise E2EVLPCheckpointNotFound(f'{work_dir}: no checkpoint (*.pth).')
    return found


def incomplete_reason(path: str) -> Optional[str]:
    """Why ``path`` is not a complete checkpoint, or None when it is.

    A PyTorch checkpoint is a zip archive whose directory is written
    last: a truncated file has none. Only that directory is read.

    Args:
        path (str): A file.
    """
    if not osp.isfile(path):
        return 'no such file'
    if os.path.getsize(path) == 0:
        return 'empty file'
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError) as error:
        return f'truncated or not a PyTorch checkpoint ({error})'
    if not any(name.endswith('data.pkl') for name in names):
        return 'not a PyTorch checkpoint (no data.pkl in the archive)'
    return None


def newest_complete_checkpoint(work_dir: str,
                               pattern: str = '*_*.pth') -> Optional[str]:
    """The newest complete training checkpoint of a work dir.

    Args:
        work_dir (str): A training work dir.
        pattern (str): Glob of candidates; with the default only
            ``epoch_N.pth`` and ``iter_N.pth`` (no ``best_*``).

    Returns:
        str | None: The newest (modification time) complete one.
    """
    paths = glob.glob(osp.join(work_dir, pattern))
    if pattern == '*_*.pth':
        paths = [p for p in paths if _TRAINING_STATE.match(osp.basename(p))]
    for path in sorted(paths, key=osp.getmtime, reverse=True):
        if incomplete_reason(path) is None:
            return path
    return None


def resume_checkpoint(resume: str, work_dir: str) -> Optional[str]:
    """The checkpoint ``tools/train.py --resume [PATH]`` continues from.

    Args:
        resume (str): ``'auto'`` (``--resume`` without a path) or a path.
        work_dir (str): The run's work dir.

    Returns:
        str | None: A complete checkpoint; None for ``'auto'`` in a work
        dir without one (the run starts from scratch, so a requeued job
        that never saved simply starts).

    Raises:
        E2EVLPCheckpointError: For a missing or incomplete file, naming
            it and the newest complete checkpoint of the work dir.
    """
    if resume == 'auto':
        try:
            path = last_checkpoint(work_dir)
        except FileNotFoundError:
            path = None
        if path is not None and incomplete_reason(path) is None:
            return path
        return newest_complete_checkpoint(work_dir)
    try:
        path = resolve_checkpoint(resume, work_dir)
    except FileNotFoundError as error:
        raise E2EVLPCheckpointError(f'--resume {resume}: {error}') from None
    reason = incomplete_reason(path)
    if reason is not None:
        newest = newest_complete_checkpoint(work_dir)
        hint = (f'; the newest complete checkpoint in {work_dir} is {newest}'
                if newest else '')
        raise E2EVLPCheckpointError(
            f'--resume {path}: cannot resume from it: {reason}{hint}')
    return path
