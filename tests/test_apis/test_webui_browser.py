"""demo/webui.py in headless Chromium: what the page shows is what
E2EVLPInferencer answers, bad uploads get a message, and the page keeps
serving. One server and one browser for the module; screenshots go to
``$E2EVLP_SCREENSHOT_DIR`` (else a temporary folder)."""
import os
import os.path as osp

import pytest

from e2evlp_mm.apis import E2EVLPInferencer
from e2evlp_mm.testing import tiny_shapes_work_dirs
from e2evlp_mm.testing.webui_browser import Browser, find_chromium
from e2evlp_mm.testing.webui_server import WebUIServer

CHROMIUM = find_chromium()

SCORE_THR = 0.05  # demo/webui.py --pred-score-thr


def _require_browser() -> None:
    """Skip without gradio, playwright or chromium (fail in CI)."""
    missing = [m for m in ('gradio', 'playwright') if not _importable(m)]
    if CHROMIUM is None:
        missing.append('chromium (tools/install_browser.sh)')
    if missing:
        message = f'browser test needs {", ".join(missing)}'
        if os.environ.get('E2EVLP_REQUIRE_BROWSER') == '1':
            pytest.fail(message)
        pytest.skip(message)


def _importable(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


@pytest.fixture(scope='module')
def world(tmp_path_factory):
    _require_browser()
    root = tmp_path_factory.mktemp('webui')
    tiny_shapes_work_dirs(str(root), ('pretrain', 'vqa', 'retrieval'))
    return root


@pytest.fixture(scope='module')
def scene(world):
    val = world / 'shapes_world' / 'coco' / 'val2017'
    return str(sorted(val.iterdir())[0])


@pytest.fixture(scope='module')
def gallery(world):
    return str(world / 'shapes_world' / 'flickr30k' / 'flickr30k-images')


@pytest.fixture(scope='module')
def browser(world, gallery):
    # no NLVR2 checkpoint: its tab must not show; one missing work dir
    args = ['--model', str(world / 'pretrain'), '--model',
            str(world / 'vqa'), '--model', str(world / 'retrieval'),
            '--model', str(world / 'missing_nlvr2'), '--gallery', gallery,
            # the tiny models are random: their boxes score ~1 / 9
            '--pred-score-thr', str(SCORE_THR), '--gallery-texts',
            str(world / 'shapes_world' / 'karpathy' /
                'dataset_flickr30k.json')]
    server = WebUIServer(args, str(world / 'webui.log'))
    chrome = Browser(CHROMIUM)
    try:
        chrome.page.goto(server.url)
        chrome.page.wait_for_selector('#describe-run', timeout=60000)
        chrome.server = server
        yield chrome
    finally:
        chrome.close()
        server.stop()


@pytest.fixture(scope='module')
def shots(tmp_path_factory):
    out = os.environ.get('E2EVLP_SCREENSHOT_DIR') or str(
        tmp_path_factory.mktemp('webui_screenshots'))
    os.makedirs(out, exist_ok=True)
    return out


def _close(rows, expected):
    """Table rows equal (names exactly, scores to 1e-4)."""
    assert [r[:-1] for r in rows] == [e[:-1] for e in expected]
    for row, exp in zip(rows, expected):
        assert float(row[-1]) == pytest.approx(exp[-1], abs=1e-4)


def test_page_serves_the_given_checkpoints(browser, shots):
    tabs = browser.page.get_by_role('tab').all_inner_texts()
    assert [t.strip() for t in tabs[:3]] == [
        'Detect and describe', 'Ask', 'Search']
    assert not any('Compare' in t for t in tabs)  # no NLVR2 checkpoint
    problems = browser.text('problems')
    assert 'missing_nlvr2' in problems and 'no such file' in problems
    # offline: the only other host asked is Gradio's unused iframe resizer
    assert all('iframeResizer' in url for url in browser.refused), \
        browser.refused
    browser.screenshot(osp.join(shots, 'webui_start.png'))


def test_ask_shows_the_inferencers_answers(browser, world, scene, shots):
    question = 'what color is the circle?'
    browser.open_tab('Ask')
    browser.upload('ask-image', scene)
    browser.wait_preview('ask-image')
    browser.fill('ask-question', question)
    browser.click_and_wait('ask-run', 'ask-status')
    assert f'{world / "vqa"} (iter_1.pth)' in browser.text('ask-status')
    pred = E2EVLPInferencer(str(world / 'vqa'), device='cpu')(
        scene, texts=question)['predictions'][0]
    expected = [[str(i), t['answer'], t['score']]
                for i, t in enumerate(pred['topk'], 1)]
    assert len(expected) == 5
    _close(browser.table('ask-answers'), expected)
    browser.screenshot(osp.join(shots, 'webui_ask.png'))


def test_describe_shows_the_inferencers_caption(browser, world, scene,
                                                shots):
    browser.open_tab('Detect and describe')
    browser.upload('describe-image', scene)
    browser.wait_preview('describe-image')
    browser.fill('describe-text', 'a red circle')
    browser.click_and_wait('describe-run', 'describe-status')
    pred = E2EVLPInferencer(str(world / 'pretrain'), device='cpu')(
        scene, texts='a red circle')['predictions'][0]
    assert browser.value('describe-caption') == pred['caption']
    assert f'{pred["itm_score"]:.4f}' in browser.text('describe-itm')
    boxes = browser.table('describe-boxes')
    assert boxes and all(float(r[2]) > SCORE_THR for r in boxes)
    assert browser.page.locator('#describe-picture img').count() == 1
    browser.screenshot(osp.join(shots, 'webui_describe.png'))


def test_search_shows_the_inferencers_ranking(browser, world, gallery,
                                              shots):
    browser.open_tab('Search')
    browser.fill('search-query', 'a red circle')
    browser.click_and_wait('search-images-run', 'search-status')
    images = sorted(osp.join(gallery, n) for n in os.listdir(gallery))
    pred = E2EVLPInferencer(str(world / 'retrieval'), device='cpu')(
        images, texts='a red circle', task='retrieve',
        topk=5)['predictions'][0]
    expected = [[str(i), osp.basename(h['name']), h['score']]
                for i, h in enumerate(pred['topk'], 1)]
    _close(browser.table('search-images-ranks'), expected)
    assert 'Gallery: 4 images' in browser.text('search-status')
    # encoded once while the page started, before this query
    assert 'search gallery of 4 images encoded' in browser.server.log()
    assert 'encoded before' in browser.text('search-status')
    assert browser.page.locator('#search-view img').count() == len(expected)
    browser.screenshot(osp.join(shots, 'webui_search.png'))


def test_bad_uploads_get_a_message(browser, world, scene, shots):
    not_image = world / 'photo.png'
    not_image.write_text('not a picture')
    browser.open_tab('Ask')
    browser.upload('ask-image', str(not_image))
    browser.fill('ask-question', 'what color is the circle?')
    browser.click_and_wait('ask-run', 'ask-status')
    assert 'photo.png is not an image' in browser.text('ask-status')
    assert 'Traceback' not in browser.page.inner_text('body')
    browser.screenshot(osp.join(shots, 'webui_bad_upload.png'))
    # a file that is not even named as an image: Gradio refuses it
    text_file = world / 'notes.txt'
    text_file.write_text('hello')
    browser.upload('ask-image', str(text_file))
    browser.page.get_by_text('Invalid file type').first.wait_for(
        timeout=30000)
    # an empty question, then a good request: the page keeps serving
    browser.upload('ask-image', scene)
    browser.wait_preview('ask-image')
    browser.fill('ask-question', '  ')
    browser.click_and_wait('ask-run', 'ask-status')
    assert 'Type a question first' in browser.text('ask-status')
    browser.fill('ask-question', 'how many shapes are there?')
    browser.click_and_wait('ask-run', 'ask-status')
    assert 'Answered by' in browser.text('ask-status')
    assert len(browser.table('ask-answers')) == 5
