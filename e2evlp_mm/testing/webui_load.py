# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Load on a served demo/webui.py over HTTP, as many users at once would
send it (``gradio_client``, one client per user).

Used by ``tools/analysis_tools/webui_load.py`` and the web demo's load
test: simultaneous requests on each tab, many requests with images the
page has not seen, the server's memory and upload cache meanwhile, an
upload over the size limit. Only a page on this machine is loaded.
"""
import os
import os.path as osp
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Dict, List, Optional, Sequence, Tuple
from urllib.parse import urlparse

import numpy as np
import psutil
from PIL import Image

# Each tab's endpoint (demo/webui.py's handler names) and checkpoint list.
ENDPOINTS = dict(describe='/describe', ask='/ask', compare='/compare',
                 search_images='/search_images', search_texts='/search_texts')
MODEL_LISTS = dict(describe='describe-model', ask='ask-model',
                   compare='compare-model', search_images='search-model',
                   search_texts='search-model')
ANSWERED = 'Answered by'


def check_local(url: str) -> str:
    """``url`` if it is a page on this machine, else ValueError."""
    if urlparse(url).hostname not in ('127.0.0.1', 'localhost', '::1'):
        raise ValueError(f'{url}: only a page on 127.0.0.1 is loaded')
    return url.rstrip('/')


class DistinctImages:
    """Copies of a picture that differ in one pixel: uploads the page has
    not seen (Gradio stores each upload by its content hash).

    Args:
        picture (str): The picture.
        out_dir (str): Where the copies are written (and deleted).
    """

    def __init__(self, picture: str, out_dir: str) -> None:
        self.image = Image.open(picture).convert('RGB')
        self.out_dir = out_dir
        self._count = 0
        self._lock = threading.Lock()
        os.makedirs(out_dir, exist_ok=True)

    def __call__(self) -> str:
        """Write the next copy; returns its path."""
        with self._lock:
            self._count += 1
            i = self._count
        image = self.image.copy()
        w, h = image.size
        image.putpixel((i % w, (i // w) % h),
                       (i % 251, (i // 251) % 251, 255 - i % 256))
        path = osp.join(self.out_dir, f'upload_{i}.png')
        image.save(path)
        return path


def parse_size(size: str) -> int:
    """Bytes of a size as Gradio reads ``max_file_size`` (``'20mb'``:
    20 * 1024**2; a bare number is bytes)."""
    units = dict(b=1, kb=2**10, mb=2**20, gb=2**30, tb=2**40)
    text = size.replace(' ', '').lower()
    digits = len(text) - len(text.lstrip('0123456789'))
    return int(text[:digits]) * units[text[digits:] or 'b']


def tree_size(root: str) -> Tuple[int, int, int]:
    """Bytes, number of files and largest file's bytes under ``root``."""
    size = files = largest = 0
    for folder, _, names in os.walk(root):
        for name in names:
            try:
                num = os.lstat(osp.join(folder, name)).st_size
            except FileNotFoundError:
                continue  # deleted meanwhile
            size, files, largest = size + num, files + 1, max(largest, num)
    return size, files, largest


def rss(pid: int) -> int:
    """Resident memory of process ``pid`` and its children, bytes."""
    proc = psutil.Process(pid)
    procs = [proc] + proc.children(recursive=True)
    return sum(p.memory_info().rss for p in procs if p.is_running())


def stats(seconds: Sequence[float]) -> Dict[str, float]:
    """Median, 95th percentile and maximum of latencies."""
    if not seconds:
        return dict(n=0)
    values = np.asarray(seconds)
    return dict(n=len(values), median=float(np.median(values)),
                p95=float(np.percentile(values, 95)),
                max=float(values.max()))


class User:
    """One client of the page: sends a tab's request and waits.

    Args:
        url (str): The page.
        inputs (dict): ``question``, ``statement``, ``text`` (a query);
            the images come from ``images``.
        images (Callable[[], str]): A new picture per upload.
        timeout (float): Seconds to wait for an answer.
    """

    def __init__(self, url: str, inputs: Dict[str, str],
                 images: Callable[[], str], timeout: float = 300) -> None:
        from gradio_client import Client
        self.client = Client(check_local(url), verbose=False,
                             download_files=False)
        props = [c.get('props', {}) for c in self.client.config['components']]
        self.values = {p['elem_id']: p.get('value') for p in props
                       if p.get('elem_id')}
        named = self.client.view_api(print_info=False,
                                     return_format='dict')['named_endpoints']
        self.tabs = [t for t, e in ENDPOINTS.items() if e in named]
        self.inputs, self.images, self.timeout = inputs, images, timeout

    def _args(self, tab: str, files: List[str]) -> list:
        from gradio_client import handle_file

        def upload() -> dict:
            files.append(self.images())
            return handle_file(files[-1])

        label = self.values[MODEL_LISTS[tab]]
        if tab == 'describe':
            return [label, upload(), self.inputs['text']]
        if tab == 'ask':
            return [label, upload(), self.inputs['question']]
        if tab == 'compare':
            return [label, upload(), upload(), self.inputs['statement']]
        if tab == 'search_images':
            return [label, self.inputs['text'], [upload()], 5]
        return [label, upload(), self.values['search-texts'], 5]

    def send(self, tab: str) -> Tuple[float, bool, str]:
        """One request of ``tab``.

        Returns:
            tuple: Seconds from sending (uploads included) to the answer,
            whether the page answered, and its status line or the error.
        """
        files: List[str] = []
        start = time.perf_counter()
        try:
            job = self.client.submit(*self._args(tab, files),
                                     api_name=ENDPOINTS[tab])
            status = str(job.result(timeout=self.timeout)[0])
        except Exception as exc:  # a lost request, reported as such
            return time.perf_counter() - start, False, repr(exc)
        finally:
            for path in files:
                os.remove(path)
        return (time.perf_counter() - start, status.startswith(ANSWERED),
                status.splitlines()[0])


def simultaneous(users: Sequence[User], tab: str) -> List[Tuple]:
    """Every user sends one ``tab`` request at the same moment."""
    barrier = threading.Barrier(len(users))

    def send(user: User) -> Tuple:
        barrier.wait()
        return user.send(tab)

    with ThreadPoolExecutor(len(users)) as pool:
        return list(pool.map(send, users))


def in_a_row(users: Sequence[User],
             tabs: Sequence[str],
             num_requests: int,
             deadline: float,
             every: Optional[Callable[[int], None]] = None
             ) -> Dict[str, List[Tuple]]:
    """``num_requests`` requests, the tabs in turn, each user sending its
    next as soon as its last is answered; none is sent after
    ``deadline`` (``time.monotonic()``). ``every(n)`` runs after each
    100th answer."""
    results: Dict[str, List[Tuple]] = {tab: [] for tab in tabs}
    counter = iter(range(num_requests))
    lock = threading.Lock()

    def work(user: User) -> None:
        while time.monotonic() < deadline:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            tab = tabs[i % len(tabs)]
            result = user.send(tab)
            with lock:
                results[tab].append(result)
                done = sum(map(len, results.values()))
            if every is not None and done % 100 == 0:
                every(done)

    with ThreadPoolExecutor(len(users)) as pool:
        list(pool.map(work, users))
    return results


def upload_status(url: str, num_bytes: int) -> int:
    """HTTP status of uploading a ``num_bytes`` file to the page."""
    import httpx
    data = os.urandom(num_bytes)
    reply = httpx.post(f'{check_local(url)}/gradio_api/upload',
                       files={'files': ('big.png', data, 'image/png')},
                       timeout=120)
    return reply.status_code
