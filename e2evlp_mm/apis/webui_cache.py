# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""The web demo's upload cache stays bounded.

Gradio stores each upload and answer picture in a folder named after its
content hash under its cache (``GRADIO_TEMP_DIR``); ``gr.Blocks(
delete_cache=...)`` deletes the files past their age but leaves their
folders. This removes those folders once empty and as old, so that a page
serving many distinct images keeps no trace of each.
"""
import os
import os.path as osp
import re
import threading
import time

# Gradio's folder names: a sha256 hex digest.
_HASHED = re.compile(r'[0-9a-f]{64}')


def sweep_empty_folders(root: str, max_age: float) -> int:
    """Remove the empty hash-named folders of ``root`` older than
    ``max_age`` seconds.

    Returns:
        int: The folders removed.
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
            if (_HASHED.fullmatch(name) and not os.listdir(path)
                    and now - os.stat(path).st_mtime > max_age):
                os.rmdir(path)
                removed += 1
        except OSError:
            continue  # not a folder, filled or removed meanwhile
    return removed


def start_sweeper(root: str, every: float, max_age: float) -> None:
    """Run :func:`sweep_empty_folders` every ``every`` seconds in a
    daemon thread."""

    def run() -> None:
        while True:
            time.sleep(every)
            sweep_empty_folders(root, max_age)

    threading.Thread(target=run, name='webui-cache-sweeper',
                     daemon=True).start()
