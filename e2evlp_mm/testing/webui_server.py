# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Serve demo/webui.py on a free local port, until stopped.

Used by the web demo's tests and by ``tools/analysis_tools/webui_*.py``
(latency in a browser, load over HTTP): the server, its arguments and
what the measurements record about the machine.
"""
import datetime
import json
import os
import os.path as osp
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from typing import Dict, List, Optional, Sequence

from e2evlp_mm.apis.webui_models import DEMO_WORK_DIRS
from e2evlp_mm.engine.machine import cpu_model

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
ENCODED = re.compile(r'search gallery of (\d+) images encoded in ([\d.]+) s')
READY = '[webui] search galleries ready'


def free_port() -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def server_args(models: Optional[Sequence[Sequence[str]]],
                gallery: Sequence[str]) -> List[str]:
    """demo/webui.py's arguments for ``models`` (each a work dir, or a
    config and a checkpoint; None: the demo work dirs) and ``gallery``
    folders."""
    args = ['--gallery', *gallery]
    for spec in models or [[d] for d in DEMO_WORK_DIRS]:
        args += ['--model', *spec]
    return args


def measured_on() -> Dict[str, str]:
    """Date, commit, CPU model and load average of a measurement."""
    commit = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'],
                            cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    load = ', '.join(f'{x:.2f}' for x in os.getloadavg())
    return dict(date=datetime.date.today().isoformat(), commit=commit,
                cpu=cpu_model(), cores=str(os.cpu_count()), load=load)


def shapes_inputs(world: str) -> Dict[str, str]:
    """What the measurements send: the validation scene of a shapes world
    with the most objects (``image``), its first caption (``text``) and
    question, a second scene (``right``) and a test ``statement``."""
    coco = osp.join(world, 'coco')

    def load(path: str) -> dict:
        with open(osp.join(world, path)) as f:
            return json.load(f)

    objects = Counter(a['image_id'] for a in load(
        'coco/annotations/instances_val2017.json')['annotations'])
    images = {im['id']: im['file_name'] for im in load(
        'coco/annotations/instances_val2017.json')['images']}
    image_id = max(sorted(objects), key=objects.get)
    other = next(i for i in sorted(images) if i != image_id)
    caption = next(a['caption'] for a in load(
        'coco/annotations/captions_val2017.json')['annotations']
        if a['image_id'] == image_id)
    question = next(q['question'] for q in load(
        'vqa/v2_OpenEnded_mscoco_val2014_questions.json')['questions']
        if q['image_id'] == image_id)
    with open(osp.join(world, 'nlvr2', 'test1.json')) as f:
        statement = json.loads(f.readline())['sentence']
    return dict(image=osp.join(coco, 'val2017', images[image_id]),
                right=osp.join(coco, 'val2017', images[other]),
                question=question, statement=statement, text=caption)


class WebUIServer:
    """``demo/webui.py ARGS --port P`` in a subprocess, until :meth:`stop`.

    Args:
        args (Sequence[str]): Command-line arguments (models, gallery).
        log_file (str): Where its output goes.
        timeout (float): Seconds to wait for the page.
        threads (int, optional): ``OMP_NUM_THREADS`` of the server.
        env (dict, optional): More environment variables (e.g.
            ``GRADIO_TEMP_DIR``, where uploads are stored).
    """

    def __init__(self,
                 args: Sequence[str],
                 log_file: str,
                 timeout: float = 300,
                 threads: Optional[int] = 1,
                 env: Optional[Dict[str, str]] = None) -> None:
        self.port = free_port()
        self.url = f'http://127.0.0.1:{self.port}'
        self.log_file = log_file
        env = dict(os.environ, GRADIO_ANALYTICS_ENABLED='False',
                   PYTHONPATH=ROOT, **(env or {}))
        if threads is not None:
            env['OMP_NUM_THREADS'] = str(threads)
        with open(log_file, 'w') as log:
            self.proc = subprocess.Popen(
                [sys.executable, osp.join(ROOT, 'demo', 'webui.py'),
                 *args, '--port', str(self.port)],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        self._wait(timeout)

    def _wait(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f'demo/webui.py exited with '
                                   f'{self.proc.returncode}:\n{self.log()}')
            try:
                with urllib.request.urlopen(self.url, timeout=5) as reply:
                    if reply.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise TimeoutError(f'no page at {self.url} after {timeout} s:\n'
                           f'{self.log()}')

    def wait_galleries(self, timeout: float = 600) -> Dict[str, float]:
        """Wait until the search galleries are encoded.

        Returns:
            dict: ``gallery_images`` and ``gallery_encoding_s`` of the
            first search checkpoint (empty without one).
        """
        deadline = time.monotonic() + timeout
        while READY not in self.log(None):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise TimeoutError(f'galleries not encoded:\n{self.log()}')
            time.sleep(1)
        found = ENCODED.search(self.log(None))
        if not found:
            return {}
        return dict(gallery_images=int(found.group(1)),
                    gallery_encoding_s=float(found.group(2)))

    def log(self, last: Optional[int] = 5000) -> str:
        """The server's output so far (its ``last`` characters; None:
        all)."""
        with open(self.log_file) as f:
            text = f.read()
        return text if last is None else text[-last:]

    def stop(self) -> None:
        """End the server."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
