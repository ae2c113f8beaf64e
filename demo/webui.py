# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""A web page for every E2E-VLP task (Gradio), like mmpretrain's
``projects/gradio_demo``.

Examples (from the repository root; ``make webui`` runs the first)::

    # the checkpoints `make demo` and `make demo-downstream` write
    python demo/webui.py
    # any work dirs, or a config and a checkpoint
    python demo/webui.py --model work_dirs/demo_vqa \\
        --model configs/demo/e2evlp_shapes_nlvr2.py my_nlvr2.pth \\
        --gallery photos/ --port 7860

Tabs: *Detect and describe* (boxes, caption, ITM score), *Ask* (VQA top-5),
*Compare two images* (NLVR2), *Search* (text -> images, image -> texts).
A tab shows which checkpoint answers; a tab without one is not shown.
See docs/webui.md.
"""
import os
import os.path as osp
import threading
import types
from argparse import ArgumentParser, Namespace
from typing import List, Optional, Union

os.environ.setdefault('GRADIO_ANALYTICS_ENABLED', 'False')

import gradio as gr  # noqa: E402

from e2evlp_mm.apis.webui_cache import start_sweeper  # noqa: E402
from e2evlp_mm.apis.webui_handlers import Handlers  # noqa: E402
from e2evlp_mm.apis.webui_inputs import read_texts  # noqa: E402
from e2evlp_mm.apis.webui_models import ModelServer  # noqa: E402

DEMO_GALLERY = 'data/shapes_world/flickr30k/flickr30k-images'
DEMO_TEXTS = 'data/shapes_world/karpathy/dataset_flickr30k.json'
# How often the upload cache is swept for files past --cache-max-age.
CACHE_CHECK_S = 60
LOOPBACK = ('127.0.0.1', 'localhost', '::1')
# System fonts: the page needs no font server (works offline).
THEME = gr.themes.Default(
    font=['ui-sans-serif', 'system-ui', 'sans-serif'],
    font_mono=['ui-monospace', 'monospace'])


def _path_unopened(image: gr.Image, payload) -> Optional[str]:
    """``gr.Image.preprocess`` that hands the handler the uploaded file
    unopened, so that a file that is not an image reaches the handler's
    check (and its message) instead of failing inside Gradio."""
    if payload is None or (payload.url or '').startswith('data:'):
        return gr.Image.preprocess(image, payload)  # pasted: Gradio saves it
    return payload.path


def upload(label: str, elem_id: str) -> gr.Image:
    """An image upload whose handler receives the file path.

    (Not a ``gr.Image`` subclass: Gradio writes a ``.pyi`` file beside
    the module of every component class.)
    """
    image = gr.Image(label=label, elem_id=elem_id, type='filepath')
    image.preprocess = types.MethodType(_path_unopened, image)
    return image


def file_size(text: str) -> Union[int, str]:
    """``--max-file-size``: bytes, or Gradio's ``'<n><unit>'``."""
    return int(text) if text.isdigit() else text


def parse_args(argv: Optional[List[str]] = None) -> Namespace:
    parser = ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--model',
        nargs='+',
        action='append',
        metavar='PATH',
        help='a work dir, or a config and a checkpoint; repeat for more '
        'models (default: work_dirs/demo and its downstream work dirs)')
    parser.add_argument(
        '--gallery',
        nargs='*',
        help=f'image folders of the Search tab (default: {DEMO_GALLERY} '
        'if it exists)')
    parser.add_argument(
        '--gallery-texts',
        help='texts ranked for an image query: a .txt (one per line) or '
        f'a Karpathy json (its test split; default: {DEMO_TEXTS} if it '
        'exists)')
    parser.add_argument(
        '--gallery-cache',
        metavar='DIR',
        help='save encoded image galleries here and read them on the next '
        'start (default: encode them again)')
    parser.add_argument('--device', default='cpu', help='cpu, cuda:0, ...')
    parser.add_argument(
        '--pred-score-thr',
        type=float,
        default=0.3,
        help='minimum score of a drawn box')
    parser.add_argument(
        '--host',
        default='127.0.0.1',
        help='address (default: this machine only; see docs/webui.md '
        'before serving others)')
    parser.add_argument('--port', type=int, default=7860, help='port')
    parser.add_argument(
        '--max-file-size',
        type=file_size,
        default='20mb',
        help='larger uploads are refused before they are stored (HTTP '
        '413), e.g. 5mb, 1gb (default: 20mb)')
    parser.add_argument(
        '--cache-max-age',
        type=int,
        default=900,
        metavar='SECONDS',
        help='uploads and answer pictures older than this are deleted '
        f'(checked every {CACHE_CHECK_S} s at most; default: 900)')
    args = parser.parse_args(argv)
    if args.gallery is None:
        args.gallery = [DEMO_GALLERY] if osp.isdir(DEMO_GALLERY) else []
    if args.gallery_texts is None and osp.isfile(DEMO_TEXTS):
        args.gallery_texts = DEMO_TEXTS
    return args


def on_click(trigger, handler, inputs: list, outputs: list) -> None:
    """Run ``handler`` on ``trigger``; the previous answer is cleared at
    once, so the page never shows an old answer beside a new input."""
    trigger(lambda: [None] * len(outputs), None, outputs,
            queue=False).then(handler, inputs, outputs)


def model_list(server: ModelServer, tab: str) -> gr.Dropdown:
    """The tab's checkpoint list (its first answers by default)."""
    labels = [m.label for m in server.for_tab(tab)]
    return gr.Dropdown(
        labels, value=labels[0], label='Checkpoint that answers',
        elem_id=f'{tab}-model', interactive=len(labels) > 1)


def status_box(tab: str) -> gr.Markdown:
    """Who answered and how fast, or what was wrong with the input."""
    return gr.Markdown(elem_id=f'{tab}-status')


def describe_tab(server: ModelServer, handlers: Handlers) -> None:
    with gr.Tab('Detect and describe', id='describe'):
        model = model_list(server, 'describe')
        with gr.Row():
            with gr.Column():
                image = upload(label='Image', elem_id='describe-image')
                text = gr.Textbox(
                    label='Text to match (optional, ITM)',
                    elem_id='describe-text')
                button = gr.Button('Describe', variant='primary',
                                   elem_id='describe-run')
            with gr.Column():
                status = status_box('describe')
                picture = gr.Image(label='Boxes: attribute class: score',
                                   elem_id='describe-picture')
                caption = gr.Textbox(label='Caption (beam search)',
                                     elem_id='describe-caption')
                itm = gr.Markdown(elem_id='describe-itm')
                boxes = gr.Markdown(elem_id='describe-boxes')
        on_click(button.click, handlers.describe, [model, image, text],
                 [status, picture, caption, itm, boxes])


def ask_tab(server: ModelServer, handlers: Handlers) -> None:
    with gr.Tab('Ask', id='ask'):
        model = model_list(server, 'ask')
        with gr.Row():
            with gr.Column():
                image = upload(label='Image', elem_id='ask-image')
                question = gr.Textbox(label='Question', elem_id='ask-question')
                button = gr.Button('Ask', variant='primary', elem_id='ask-run')
            with gr.Column():
                status = status_box('ask')
                answers = gr.Markdown(elem_id='ask-answers')
        for trigger in (button.click, question.submit):
            on_click(trigger, handlers.ask, [model, image, question],
                     [status, answers])


def compare_tab(server: ModelServer, handlers: Handlers) -> None:
    with gr.Tab('Compare two images', id='compare'):
        model = model_list(server, 'compare')
        with gr.Row():
            left = upload(label='Left image', elem_id='compare-left')
            right = upload(label='Right image', elem_id='compare-right')
        statement = gr.Textbox(label='Statement about the two images',
                               elem_id='compare-statement')
        button = gr.Button('Is it true?', variant='primary',
                           elem_id='compare-run')
        status = status_box('compare')
        verdict = gr.Markdown(elem_id='compare-verdict')
        picture = gr.Image(label='The pair', elem_id='compare-picture')
        on_click(button.click, handlers.compare,
                 [model, left, right, statement], [status, picture, verdict])


def search_tab(server: ModelServer, handlers: Handlers,
               texts: List[str]) -> None:
    folders = ', '.join(handlers.gallery_dirs) or 'none'
    with gr.Tab('Search', id='search'):
        with gr.Row():
            model = model_list(server, 'search')
            topk = gr.Slider(1, 20, value=5, step=1, label='Top k',
                             elem_id='search-topk')
        status = status_box('search')
        with gr.Tab('Text -> images'):
            uploads = gr.File(
                file_count='multiple', file_types=['image'],
                label=f'Gallery: the folders ({folders}) and these uploads',
                elem_id='search-uploads')
            query = gr.Textbox(label='Text query', elem_id='search-query')
            button = gr.Button('Search images', variant='primary',
                               elem_id='search-images-run')
            view = gr.Gallery(label='Best matches', columns=5,
                              elem_id='search-view')
            ranks = gr.Markdown(elem_id='search-images-ranks')
        with gr.Tab('Image -> texts'):
            image = upload(label='Image query', elem_id='search-image')
            gallery = gr.Textbox('\n'.join(texts), lines=6,
                                 label='Texts to rank, one per line',
                                 elem_id='search-texts')
            text_button = gr.Button('Search texts', variant='primary',
                                    elem_id='search-texts-run')
            text_ranks = gr.Markdown(elem_id='search-texts-ranks')
        on_click(button.click, handlers.search_images,
                 [model, query, uploads, topk], [status, view, ranks])
        on_click(text_button.click, handlers.search_texts,
                 [model, image, gallery, topk], [status, text_ranks])


def sweep_every(cache_max_age: int) -> int:
    """Seconds between two sweeps of the upload cache."""
    return max(1, min(CACHE_CHECK_S, cache_max_age))


def build_app(server: ModelServer,
              handlers: Handlers,
              texts: List[str],
              cache_max_age: int = 900) -> gr.Blocks:
    """The page: a tab per task that has a checkpoint.

    Files in Gradio's cache (uploads, answer pictures) older than
    ``cache_max_age`` seconds are to be deleted (and all of them when the
    page stops), so that the cache holds at most what the page received
    in that time.
    """
    delete_cache = (sweep_every(cache_max_age), cache_max_age)
    with gr.Blocks(title='E2E-VLP demo', theme=THEME,
                   delete_cache=delete_cache) as app:
        gr.Markdown('# E2E-VLP: detect, describe, ask, compare, search')
        gr.Markdown('\n'.join(f'- ⚠️ {p}' for p in server.problems),
                    elem_id='problems', visible=bool(server.problems))
        if not server.models:
            gr.Markdown('No checkpoint could be loaded: give work dirs with '
                        '`--model` (see `python demo/webui.py --help`).',
                        elem_id='no-models')
        tabs = dict(describe=describe_tab, ask=ask_tab, compare=compare_tab)
        with gr.Tabs():
            for tab, build in tabs.items():
                if server.for_tab(tab):
                    build(server, handlers)
            if server.for_tab('search'):
                search_tab(server, handlers, texts)
    return app


def warm_up(handlers: Handlers) -> None:
    """Encode the search galleries and say so in the log."""
    for line in handlers.warm_up():
        print(f'[webui] {line}', flush=True)
    print('[webui] search galleries ready', flush=True)


def main() -> None:
    args = parse_args()
    server = ModelServer(args.model, device=args.device)
    for problem in server.problems:
        print(f'[webui] {problem}', flush=True)
    handlers = Handlers(server, args.gallery, args.pred_score_thr,
                        args.gallery_cache)
    # the folders' galleries are encoded while the page starts
    threading.Thread(target=warm_up, args=(handlers, ), daemon=True).start()
    texts = read_texts(args.gallery_texts) if args.gallery_texts else []
    app = build_app(server, handlers, texts, args.cache_max_age)
    # Gradio's own sweep stops under load (see webui_cache.py)
    start_sweeper(app, gr.utils.get_upload_folder(),
                  sweep_every(args.cache_max_age), args.cache_max_age)
    if args.host not in LOOPBACK:
        print(f'[webui] serving on {args.host}: anyone who reaches this '
              'port can use the page; put a reverse proxy with '
              'authentication and TLS in front (docs/webui.md)', flush=True)
    app.queue().launch(
        server_name=args.host,
        server_port=args.port,
        # only the gallery folders, nothing else on the disk, are served
        allowed_paths=[osp.abspath(d) for d in args.gallery],
        max_file_size=args.max_file_size,
        show_api=False,
        share=False)


if __name__ == '__main__':
    main()
