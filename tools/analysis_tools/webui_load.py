# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Load and abuse of demo/webui.py on 127.0.0.1: simultaneous users on
every tab, memory and upload cache over many requests, an oversize upload.

Serves the given checkpoints (default: what `make demo` and
`make demo-downstream` write), or loads a page already running on this
machine (``--url``), then:

1. ``--users`` users send one request each at the same moment, on each
   tab in turn: every request must be answered; median and 95th
   percentile latency per tab;
2. ``--requests`` requests, the tabs in turn, each with images the page
   has not seen, the users sending as fast as they are answered: the
   server's memory (RSS) and upload cache on the way;
3. an upload one byte over ``--max-file-size``: refused (HTTP 413) and
   not stored;
4. the upload cache after ``--cache-max-age`` more seconds (emptied).

Stops by itself: no request is sent after ``--timeout`` seconds.

    python tools/analysis_tools/webui_load.py --model work_dirs/demo_vqa
"""
import argparse
import json
import os.path as osp
import shutil
import tempfile
import threading
import time
from typing import Dict, List, Optional

from e2evlp_mm.testing.webui_load import (
    DistinctImages,
    User,
    in_a_row,
    parse_size,
    rss,
    simultaneous,
    stats,
    tree_size,
    upload_status,
)
from e2evlp_mm.testing.webui_server import (
    WebUIServer,
    measured_on,
    server_args,
    shapes_inputs,
)

WORLD = 'data/shapes_world'
MB = 2**20


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--model', nargs='+', action='append', metavar='PATH',
        help='as demo/webui.py (default: the demo work dirs)')
    parser.add_argument('--world', default=WORLD,
                        help='shapes world of the inputs and the gallery')
    parser.add_argument('--url', help='load this page (on 127.0.0.1) '
                        'instead of serving one')
    parser.add_argument('--server-pid', type=int,
                        help='with --url: its process, for memory')
    parser.add_argument('--cache-dir', help='with --url: its upload cache '
                        '(GRADIO_TEMP_DIR)')
    parser.add_argument('--users', type=int, default=16,
                        help='simultaneous users')
    parser.add_argument('--requests', type=int, default=1000,
                        help='requests in a row, distinct images')
    parser.add_argument('--max-file-size', default='20mb',
                        help="the page's upload limit")
    parser.add_argument('--cache-max-age', type=int, default=60,
                        help="the page's --cache-max-age (seconds)")
    parser.add_argument('--threads', type=int, default=2,
                        help='torch threads of the served page')
    parser.add_argument('--timeout', type=float, default=1800,
                        help='no request is sent after this many seconds')
    parser.add_argument('--out', help='also write the results as json')
    return parser.parse_args(argv)


def _cache(cache_dir: Optional[str]) -> Optional[Dict[str, float]]:
    if cache_dir is None:
        return None
    size, files, largest = tree_size(cache_dir)
    return dict(mb=size / MB, files=files, largest=largest)


class _Watch:
    """Server memory after every 100 answers, the largest upload cache
    seen (sampled each second) meanwhile."""

    def __init__(self, pid: Optional[int], cache_dir: Optional[str]) -> None:
        self.pid, self.cache_dir = pid, cache_dir
        self.memory: List[List[float]] = []
        self.peak = dict(mb=0.0, files=0, largest=0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __call__(self, done: int) -> None:
        if self.pid is not None:
            self.memory.append([done, rss(self.pid) / MB])
        self._sample_cache()

    def _sample_cache(self) -> None:
        now = _cache(self.cache_dir)
        if now is not None and now['mb'] > self.peak['mb']:
            self.peak = now

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            self._sample_cache()

    def __enter__(self) -> '_Watch':
        self(0)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def measure(args: argparse.Namespace, url: str, pid: Optional[int],
            cache_dir: Optional[str]) -> Dict:
    """Run the four steps against the page at ``url``."""
    deadline = time.monotonic() + args.timeout
    tmp = tempfile.mkdtemp(prefix='webui_load_')
    inputs = shapes_inputs(args.world)
    images = DistinctImages(inputs['image'], tmp)
    cache: Dict[str, Optional[Dict]] = dict(before=_cache(cache_dir))
    results = dict(measured_on(), users=args.users, cache=cache)
    try:
        users = [User(url, inputs, images) for _ in range(args.users)]
        tabs = users[0].tabs
        results['simultaneous'] = {
            tab: simultaneous(users, tab) for tab in tabs}
        start = time.monotonic()
        with _Watch(pid, cache_dir) as watch:
            results['in_a_row'] = in_a_row(
                users, tabs, args.requests, deadline, every=watch)
            results['in_a_row_s'] = time.monotonic() - start
            watch(sum(map(len, results['in_a_row'].values())))
        results['memory'] = watch.memory
        cache['peak'] = watch.peak if cache_dir else None
        cache['after_requests'] = _cache(cache_dir)
        limit = parse_size(args.max_file_size)
        status = upload_status(url, limit + 1)
        after = _cache(cache_dir)
        results['oversize'] = dict(
            bytes=limit + 1, status=status,
            stored=None if after is None else after['largest'] > limit)
        # the files' age passes, a sweep follows: the cache empties itself
        sweep = min(60, args.cache_max_age)  # demo/webui.py's sweep_every
        time.sleep(max(0.0, min(args.cache_max_age + sweep + 5,
                                deadline - time.monotonic())))
        cache['after_max_age'] = _cache(cache_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return results


def serve_and_measure(args: argparse.Namespace) -> Dict:
    """Serve the page with its own upload cache, measure, stop it."""
    tmp = tempfile.mkdtemp(prefix='webui_load_page_')
    cache_dir = osp.join(tmp, 'cache')
    gallery = [osp.join(args.world, 'flickr30k', 'flickr30k-images')]
    page_args = server_args(args.model, gallery) + [
        '--gallery-texts',
        osp.join(args.world, 'karpathy', 'dataset_flickr30k.json'),
        '--max-file-size', args.max_file_size,
        '--cache-max-age', str(args.cache_max_age)]
    server = WebUIServer(page_args, osp.join(tmp, 'webui.log'),
                         threads=args.threads,
                         env=dict(GRADIO_TEMP_DIR=cache_dir))
    try:
        server.wait_galleries()
        return measure(args, server.url, server.proc.pid, cache_dir)
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def table(results: Dict) -> str:
    """The results as Markdown."""
    lines = [
        f'{results["date"]}, commit {results["commit"]}, {results["cpu"]} '
        f'({results["cores"]} cores, load average {results["load"]})', '',
        f'| tab | {results["users"]} at once: answered | median (s) | '
        'p95 (s) | in a row: answered | median (s) | p95 (s) |',
        '|---|---|---|---|---|---|---|']
    for tab, burst in results['simultaneous'].items():
        row = results['in_a_row'].get(tab, [])
        b, r = stats([x[0] for x in burst]), stats([x[0] for x in row])
        lines.append(
            f'| {tab} | {sum(x[1] for x in burst)}/{len(burst)} | '
            f'{b["median"]:.2f} | {b["p95"]:.2f} | '
            f'{sum(x[1] for x in row)}/{len(row)} | '
            f'{r.get("median", 0):.2f} | {r.get("p95", 0):.2f} |')
    memory = results['memory']
    if memory:
        lines += ['', f'Server memory (RSS): {memory[0][1]:.0f} MB before '
                  f'{memory[-1][0]} requests in a row, '
                  f'{max(m[1] for m in memory):.0f} MB at most, '
                  f'{memory[-1][1]:.0f} MB after '
                  f'({results["in_a_row_s"]:.0f} s).']
    cache = results['cache']
    if cache.get('before'):
        lines.append('Upload cache: ' + ', '.join(
            f'{k.replace("_", " ")} {v["mb"]:.1f} MB in {v["files"]} files'
            for k, v in cache.items() if v is not None) + '.')
    over = results['oversize']
    stored = {None: 'cache not watched', True: 'stored',
              False: 'not stored'}[over['stored']]
    lines.append(f'Upload of {over["bytes"]} bytes: HTTP {over["status"]}, '
                 f'{stored}.')
    return '\n'.join(lines)


def main() -> None:
    args = parse_args()
    if args.url:
        results = measure(args, args.url, args.server_pid, args.cache_dir)
    else:
        results = serve_and_measure(args)
    results['simultaneous'] = {k: [list(x) for x in v] for k, v in
                               results['simultaneous'].items()}
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(results, f, indent=1)
    print(table(results))


if __name__ == '__main__':
    main()
