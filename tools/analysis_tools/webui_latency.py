# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Click-to-answer latency of every tab of demo/webui.py, measured in
headless Chromium, and a screenshot of each tab.

Serves the given checkpoints (default: what `make demo` and
`make demo-downstream` write) with ``--threads`` torch threads, waits for
the search gallery to be encoded, then for each tab uploads the inputs,
clicks and times until the answer is on the page (``--repeat`` clicks
after one unmeasured click). Prints a Markdown table with the date, the
commit and the CPU.

    python tools/analysis_tools/webui_latency.py --threads 2 \\
        --screenshots docs/images
    # search over a generated 1,000-image shapes gallery
    python tools/analysis_tools/webui_latency.py --synthetic-gallery 1000
"""
import argparse
import json
import os.path as osp
import shutil
import statistics
import tempfile
from typing import Dict, List, Optional

from e2evlp_mm.testing.webui_browser import Browser, find_chromium
from e2evlp_mm.testing.webui_server import (
    WebUIServer,
    measured_on,
    server_args,
    shapes_inputs,
)

WORLD = 'data/shapes_world'


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--model', nargs='+', action='append', metavar='PATH',
        help='as demo/webui.py (default: the demo work dirs)')
    parser.add_argument('--world', default=WORLD,
                        help='shapes world of the inputs')
    parser.add_argument(
        '--synthetic-gallery', type=int, metavar='N',
        help='search a freshly generated shapes world of N images instead '
        "of the world's Flickr-style folder")
    parser.add_argument('--threads', type=int, default=2,
                        help='torch threads of the server')
    parser.add_argument('--repeat', type=int, default=5,
                        help='measured clicks per tab')
    parser.add_argument('--screenshots', metavar='DIR',
                        help='write webui_<tab>.png here')
    parser.add_argument('--out', help='also write the results as json')
    return parser.parse_args(argv)


def _synthetic(num: int, out: str) -> List[str]:
    """Folders holding ``num`` generated shapes scenes."""
    from e2evlp_mm.datasets.shapes_world import make_shapes_world
    make_shapes_world(out, num_images=num, seed=1, num_nlvr2=8,
                      num_flickr=4)
    return [osp.join(out, 'coco', split) for split in ('train2017',
                                                       'val2017')]


def _steps(inputs: Dict[str, str]) -> List[Dict]:
    """What to upload, type and click in each measured tab."""
    image, text = inputs['image'], inputs['text']
    return [
        dict(key='describe', tab='Detect and describe',
             uploads=[('describe-image', image)],
             fills=[('describe-text', text)], button='describe-run',
             status='describe-status'),
        dict(key='ask', tab='Ask', uploads=[('ask-image', image)],
             fills=[('ask-question', inputs['question'])],
             button='ask-run', status='ask-status'),
        dict(key='compare', tab='Compare two images',
             uploads=[('compare-left', image),
                      ('compare-right', inputs['right'])],
             fills=[('compare-statement', inputs['statement'])],
             button='compare-run', status='compare-status'),
        dict(key='search_images', tab='Search', uploads=[],
             fills=[('search-query', text)], button='search-images-run',
             status='search-status'),
        dict(key='search_texts', tab='Image -> texts', needs='Search',
             uploads=[('search-image', image)], fills=[],
             button='search-texts-run', status='search-status'),
    ]


def run(args: argparse.Namespace) -> Dict:
    chromium = find_chromium()
    if chromium is None:
        raise SystemExit('no chromium: run tools/install_browser.sh')
    inputs = shapes_inputs(args.world)
    tmp = tempfile.mkdtemp(prefix='webui_latency_')
    gallery = (_synthetic(args.synthetic_gallery, osp.join(tmp, 'world'))
               if args.synthetic_gallery else
               [osp.join(args.world, 'flickr30k', 'flickr30k-images')])
    server = WebUIServer(server_args(args.model, gallery),
                         osp.join(tmp, 'webui.log'), threads=args.threads)
    browser = Browser(chromium)
    results = dict(measured_on(), threads=args.threads, gallery=gallery,
                   tabs={})
    try:
        results.update(server.wait_galleries())
        browser.page.goto(server.url)
        browser.page.wait_for_selector('[role=tab]', timeout=60000)
        shown = [t.strip() for t in
                 browser.page.get_by_role('tab').all_inner_texts()]
        for step in _steps(inputs):
            if step.get('needs', step['tab']) not in shown:
                continue  # no checkpoint for it
            browser.open_tab(step['tab'])
            for elem_id, path in step['uploads']:
                browser.upload(elem_id, path)
                browser.wait_preview(elem_id)
            for elem_id, text in step['fills']:
                browser.fill(elem_id, text)
            browser.click_and_wait(step['button'], step['status'])  # warm
            results['tabs'][step['key']] = [
                browser.click_and_wait(step['button'], step['status'])
                for _ in range(args.repeat)
            ]
            if args.screenshots:  # once the pictures have loaded
                browser.page.wait_for_load_state('networkidle')
                browser.page.wait_for_timeout(1000)
                browser.screenshot(
                    osp.join(args.screenshots, f'webui_{step["key"]}.png'))
    finally:
        browser.close()
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(results, f, indent=1)
    return results


def table(results: Dict) -> str:
    """The results as a Markdown table."""
    names = dict(
        describe='Detect and describe (boxes, caption, ITM)',
        ask='Ask (VQA top-5)',
        compare='Compare two images (NLVR2)',
        search_images='Search: text -> images',
        search_texts='Search: image -> texts')
    lines = [
        f'{results["date"]}, commit {results["commit"]}, '
        f'{results["cpu"]}, {results["threads"]} threads; gallery '
        f'{results.get("gallery_images", "?")} images encoded once in '
        f'{results.get("gallery_encoding_s", "?")} s', '',
        '| tab | median (s) | min (s) | max (s) | clicks |',
        '|---|---|---|---|---|'
    ]
    for key, times in results['tabs'].items():
        lines.append(f'| {names[key]} | {statistics.median(times):.2f} | '
                     f'{min(times):.2f} | {max(times):.2f} | {len(times)} |')
    return '\n'.join(lines)


def main() -> None:
    print(table(run(parse_args())))


if __name__ == '__main__':
    main()
