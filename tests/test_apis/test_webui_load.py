"""demo/webui.py under abuse and load, over HTTP: an upload over the limit
is refused before it is stored, the upload cache empties itself, no file
outside the gallery folders is served, the page listens on 127.0.0.1
only, and a short run of tools/analysis_tools/webui_load.py answers every
request. One server for the module, its own upload cache."""
import importlib.util
import json
import os
import os.path as osp
import time
from types import SimpleNamespace

import httpx
import psutil
import pytest

from e2evlp_mm.apis.webui_cache import sweep_files, sweep_leftovers
from e2evlp_mm.testing import tiny_shapes_work_dirs
from e2evlp_mm.testing.runs import run_tool
from e2evlp_mm.testing.webui_load import tree_size, upload_status
from e2evlp_mm.testing.webui_server import ROOT, WebUIServer

pytest.importorskip('gradio')
LIMIT = 2**20  # --max-file-size 1mb
AGE = 2  # --cache-max-age: a sweep every 2 s


@pytest.fixture(scope='module')
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp('webui_load')
    tiny_shapes_work_dirs(str(root), ('vqa', 'retrieval'))
    return root


@pytest.fixture(scope='module')
def gallery(world):
    return str(world / 'shapes_world' / 'flickr30k' / 'flickr30k-images')


@pytest.fixture(scope='module')
def page(world, gallery):
    cache = world / 'cache'
    args = ['--model', str(world / 'vqa'), '--model',
            str(world / 'retrieval'), '--gallery', gallery,
            '--gallery-texts',
            str(world / 'shapes_world' / 'karpathy' /
                'dataset_flickr30k.json'),
            '--max-file-size', '1mb', '--cache-max-age', str(AGE)]
    server = WebUIServer(args, str(world / 'webui.log'),
                         env=dict(GRADIO_TEMP_DIR=str(cache)))
    try:
        server.wait_galleries()
        server.cache = str(cache)
        yield server
    finally:
        server.stop()


def _upload(page, data: bytes) -> httpx.Response:
    return httpx.post(f'{page.url}/gradio_api/upload',
                      files={'files': ('scene.png', data, 'image/png')},
                      timeout=60)


def test_page_listens_on_this_machine_only(page):
    spec = importlib.util.spec_from_file_location(
        'webui_script', osp.join(ROOT, 'demo', 'webui.py'))
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    args = script.parse_args([])
    assert args.host == '127.0.0.1'
    assert args.max_file_size == '20mb' and args.cache_max_age == 900
    listening = {c.laddr.ip for c in psutil.Process(
        page.proc.pid).net_connections('tcp') if c.status == 'LISTEN'}
    assert listening == {'127.0.0.1'}


def test_oversize_upload_is_refused_before_it_is_stored(page):
    before = tree_size(page.cache)
    assert upload_status(page.url, LIMIT + 1) == 413
    size, files, largest = tree_size(page.cache)
    assert largest <= LIMIT and files <= before[1], (before, files)
    reply = _upload(page, os.urandom(LIMIT))  # at the limit: stored
    assert reply.status_code == 200
    path, = reply.json()
    assert osp.getsize(path) == LIMIT
    assert osp.realpath(path).startswith(osp.realpath(page.cache))


def test_upload_cache_empties_itself(page):
    reply = _upload(page, os.urandom(1000))
    path, = reply.json()
    assert osp.isfile(path)
    deadline = time.monotonic() + 4 * AGE + 10
    while osp.exists(osp.dirname(path)) and time.monotonic() < deadline:
        time.sleep(0.5)
    # the file and its folder are gone
    assert not osp.exists(osp.dirname(path))


def test_sweeper_deletes_old_files_and_leftovers(tmp_path):
    def cached(folder: str, name: str, data: bytes = b'x') -> str:
        path = tmp_path / folder / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        return str(path)

    old, kept = cached('a' * 64, 'old.png'), cached('c' * 64, 'kept.png')
    empty = cached('.', 'tmpabc_1234', b'')
    (tmp_path / 'vibe_edit_history').mkdir()  # Gradio's: not a hash
    time.sleep(1.2)
    new = cached('b' * 64, 'new.png')
    files = {old, new, kept}
    app = SimpleNamespace(temp_file_sets=[files], blocks=dict(
        image=SimpleNamespace(keep_in_cache={kept})))
    assert sweep_files(app, max_age=1) == 1
    assert files == {new, kept} and not osp.exists(old)
    time.sleep(1.2)  # the emptied folder's age starts anew
    assert sweep_leftovers(str(tmp_path), max_age=1) == 2
    assert sorted(os.listdir(tmp_path)) == [
        'b' * 64, 'c' * 64, 'vibe_edit_history']
    assert not osp.exists(empty)


@pytest.mark.parametrize('route', ['/gradio_api/file=', '/file='])
def test_only_the_gallery_folders_are_served(page, world, gallery, route):
    inside = osp.join(gallery, sorted(os.listdir(gallery))[0])
    reply = httpx.get(f'{page.url}/gradio_api/file={inside}', timeout=30)
    assert reply.status_code == 200 and reply.content[:2] == b'\xff\xd8'
    # (Gradio 5 serves files under /gradio_api only: /file= is a 404)
    val = world / 'shapes_world' / 'coco' / 'val2017'
    outside = [
        str(world / 'vqa' / 'iter_1.pth'),  # a checkpoint
        str(val / sorted(os.listdir(val))[0]),  # an image, another folder
        osp.join(gallery, '..', '..', 'vqa', 'iter_1.pth'),  # ../ escape
        str(world / 'webui.log'),
    ]
    for path in outside:
        reply = httpx.get(f'{page.url}{route}{path}', timeout=30)
        assert reply.status_code in (403, 404), (path, reply.status_code)
        assert b'state_dict' not in reply.content


def test_load_tool_answers_every_request(page, world, tmp_path):
    out = tmp_path / 'load.json'
    proc = run_tool([
        'tools/analysis_tools/webui_load.py', '--url', page.url,
        '--server-pid', str(page.proc.pid), '--cache-dir', page.cache,
        '--world', str(world / 'shapes_world'), '--users', '3',
        '--requests', '6', '--max-file-size', '1mb', '--cache-max-age',
        str(AGE), '--timeout', '300', '--out', str(out)], cwd=ROOT)
    results = json.loads(out.read_text())
    assert set(results['simultaneous']) == {'ask', 'search_images',
                                            'search_texts'}
    for answers in results['simultaneous'].values():
        assert len(answers) == 3 and all(a[1] for a in answers), answers
    row = results['in_a_row']
    assert sum(map(len, row.values())) == 6
    assert all(a[1] for answers in row.values() for a in answers), row
    assert results['oversize']['status'] == 413
    assert results['oversize']['stored'] is False
    assert [m[0] for m in results['memory']][-1] == 6
    cache = results['cache']
    assert cache['peak']['files'] > 0
    assert cache['after_max_age']['files'] < cache['peak']['files']
    assert '| ask | 3/3 |' in proc.stdout
    assert 'HTTP 413, not stored' in proc.stdout
