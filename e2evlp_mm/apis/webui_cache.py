# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""The web demo's upload cache stays bounded.

Gradio stores each upload and answer picture in a folder named after its
content hash under its cache (``GRADIO_TEMP_DIR``) and lists them in the
app's ``temp_file_sets``. ``gr.Blocks(delete_cache=...)`` is meant to
delete them past their age, but in a 1,000-request run of
``tools/analysis_tools/webui_load.py`` Gradio 5.50's sweep deleted
nothing (it iterates those sets while uploads add to them, and one
failure ends its loop); it also leaves the folders, and uploads leave
empty ``tmp*`` files at the top of the cache (about one in five
requests). This deletes the app's files past their age, then those
emptied folders and empty files.
"""
import os
import os.path as osp
import re
import threading
import time
from typing import Any

# Gradio's folder names (a sha256 hex digest) and its uploads' temporary
# files (tempfile's names).
_HASHED = re.compile(r'[0-9a-f]{64}')
_TEMPORARY = re.compile(r'tmp[0-9a-z_]{8}')


def sweep_leftovers(root: str, max_age: float) -> int:
    """Remove the empty hash-named folders and empty temporary files of
    ``root`` untouched for ``max_age`` seconds.

    Returns:
        int: The folders and files removed.
    """
    removed = 0
    now = time.time()
    try:
        names = os.listdir(root)
    except FileNotFoundError:
        return 0
    for name in names:
        path = osp.join(root, name)
        try:
            if now - os.stat(path).st_mtime <= max_age:
                continue
            if _HASHED.fullmatch(name) and not os.listdir(path):
                os.rmdir(path)
                removed += 1
            elif _TEMPORARY.fullmatch(name) and osp.isfile(path) and \
                    os.path.getsize(path) == 0:
                os.remove(path)
                removed += 1
        except OSError:
            continue  # not a folder, filled or removed meanwhile
    return removed


def sweep_files(app: Any, max_age: float) -> int:
    """Delete the cached files of a Gradio app older than ``max_age``
    seconds (except those its components keep: their default values).

    Args:
        app (gradio.Blocks): The app (its ``temp_file_sets``).
        max_age (float): Seconds.

    Returns:
        int: The files deleted.
    """
    keep = set()
    for block in list(app.blocks.values()):
        keep |= set(getattr(block, 'keep_in_cache', ()))
    removed = 0
    now = time.time()
    for files in list(app.temp_file_sets):
        for path in list(files):  # a copy made under the GIL, at once
            if path in keep:
                continue
            try:
                if now - os.lstat(path).st_ctime <= max_age:
                    continue
                os.remove(path)
                removed += 1
            except FileNotFoundError:
                pass
            files.discard(path)
    return removed


def start_sweeper(app: Any, root: str, every: float,
                  max_age: float) -> None:
    """Every ``every`` seconds, in a daemon thread, delete the app's
    cached files older than ``max_age`` (:func:`sweep_files`), then the
    emptied folders and empty temporary files of its cache ``root``
    (:func:`sweep_leftovers`).
    """

    def run() -> None:
        while True:
            time.sleep(every)
            sweep_files(app, max_age)
            sweep_leftovers(root, max_age)

    threading.Thread(target=run, name='webui-cache-sweeper',
                     daemon=True).start()
