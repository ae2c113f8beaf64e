# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""What each tab of the web demo does on a click (no Gradio here).

Every handler returns ``(status, *outputs)``: ``status`` is Markdown that
names the checkpoint that answered and the time it took, or, for bad
input or a failing model, a message instead of a stack trace (the
traceback goes to the server's log).
"""
import functools
import logging
import os.path as osp
import time
from typing import Callable, List, Optional, Sequence, Tuple

from .webui_inputs import (
    InputError,
    check_image,
    check_text,
    gallery_images,
    gallery_texts,
)
from .webui_models import ModelServer, ServedModel
from .webui_search import GalleryCache, prefilter_topk
from .webui_search import search_images as search_galleries

logger = logging.getLogger(__name__)
WARNING = '⚠️ '


def shows_errors(num_outputs: int) -> Callable:
    """Turn an exception of a handler into a status message and
    ``num_outputs`` empty outputs."""

    def wrap(handler: Callable) -> Callable:

        @functools.wraps(handler)
        def run(*args, **kwargs) -> tuple:
            try:
                return handler(*args, **kwargs)
            except (InputError, LookupError) as e:
                message = str(e)
            except Exception as e:  # the page keeps serving
                logger.exception('%s failed', handler.__name__)
                message = (f'The model could not answer: '
                           f'{type(e).__name__}: {e}')
            return (WARNING + message, ) + (None, ) * num_outputs

        return run

    return wrap


def answered_by(model: ServedModel, start: float, notes: Sequence[str] = ()
                ) -> str:
    """Status line: checkpoint, seconds since ``start`` and notes."""
    status = (f'Answered by `{model.label}` in '
              f'{time.perf_counter() - start:.2f} s.')
    return '  \n'.join([status] + [WARNING + n for n in notes if n])


def table(header: Sequence[str], rows: Sequence[Sequence]) -> str:
    """A Markdown table (``|`` in cells escaped)."""

    def cell(value) -> str:
        text = f'{value:.4f}' if isinstance(value, float) else str(value)
        return text.replace('|', '\\|')

    lines = ['| ' + ' | '.join(header) + ' |',
             '|' + '---|' * len(header)]
    lines += ['| ' + ' | '.join(cell(v) for v in row) + ' |' for row in rows]
    return '\n'.join(lines)


def joint_passes(joint: Optional[int]) -> str:
    """How many items of a gallery the joint pass scored per query."""
    if joint is None:
        return 'every item scored by the joint pass'
    return f'joint pass on the top {joint} of the pre-filter per query'


class Handlers:
    """The tabs' click handlers over the served models.

    Args:
        server (ModelServer): The loaded checkpoints.
        gallery_dirs (Sequence[str]): Image folders of the search gallery.
        pred_score_thr (float): Minimum score of a drawn or listed box.
        gallery_cache (str, optional): Folder where encoded image
            galleries are saved (see :class:`GalleryCache`).
    """

    def __init__(self,
                 server: ModelServer,
                 gallery_dirs: Sequence[str] = (),
                 pred_score_thr: float = 0.3,
                 gallery_cache: Optional[str] = None) -> None:
        self.server = server
        self.gallery_dirs = list(gallery_dirs)
        self.pred_score_thr = pred_score_thr
        self.galleries = GalleryCache(gallery_cache)

    def warm_up(self) -> List[str]:
        """Encode the folders' galleries for every search checkpoint now,
        so that the first query does not wait for it (errors are left
        for the query to report).

        Returns:
            list[str]: A line per checkpoint: images and seconds.
        """
        lines = []
        for model in self.server.for_tab('search'):
            try:
                sources = gallery_images(self.gallery_dirs)
                start = time.perf_counter()
                with model.lock:
                    for paths in sources:
                        self.galleries.images(model, paths)
            except Exception:
                logger.exception('encoding the search gallery failed')
                continue
            lines.append(
                f'{model.label}: search gallery of '
                f'{sum(map(len, sources))} images encoded in '
                f'{time.perf_counter() - start:.1f} s')
        return lines

    @shows_errors(num_outputs=4)
    def describe(self, label: Optional[str], image: Optional[str],
                 text: Optional[str] = None) -> Tuple:
        """Boxes, caption and (given ``text``) the ITM score.

        Returns:
            tuple: status, picture (RGB array), caption, ITM Markdown,
            boxes Markdown table (None for what the model does not do).
        """
        start = time.perf_counter()
        model = self.server.by_label('describe', label)
        source, note = check_image(image)
        text = (text or '').strip() or None
        tasks = [t for t in ('detect', 'caption') if t in model.tasks]
        notes = [note]
        if text is not None:
            if 'itm' in model.tasks:
                tasks.append('itm')
            else:
                notes.append(f'{model.name} has no ITM head: the text is '
                             'not scored.')
        with model.lock:
            out = model.inferencer(
                source, texts=text if 'itm' in tasks else None,
                task='+'.join(tasks), return_vis=True, no_save_vis=True,
                pred_score_thr=self.pred_score_thr)
        pred = out['predictions'][0]
        itm = boxes = None
        if 'itm_score' in pred:
            itm = (f'ITM: "{pred["text"]}" matches the image with '
                   f'probability **{pred["itm_score"]:.4f}**.')
        if 'bboxes' in pred:
            attrs = pred.get('attr_names', [''] * len(pred['scores']))
            rows = [(n, a, s, ', '.join(f'{v:.0f}' for v in b))
                    for n, a, s, b in zip(pred['label_names'], attrs,
                                          pred['scores'], pred['bboxes'])
                    if s > self.pred_score_thr]
            boxes = table(('class', 'attribute', 'score', 'box (x1, y1, '
                           'x2, y2)'), rows) if rows else (
                               f'No box scores above {self.pred_score_thr}.')
        return (answered_by(model, start, notes), out['visualization'][0],
                pred.get('caption'), itm, boxes)

    @shows_errors(num_outputs=1)
    def ask(self, label: Optional[str], image: Optional[str],
            question: Optional[str]) -> Tuple:
        """Top-5 answers (VQA).

        Returns:
            tuple: status, Markdown table of answers and scores.
        """
        start = time.perf_counter()
        model = self.server.by_label('ask', label)
        source, note = check_image(image)
        question = check_text(question, 'question')
        with model.lock:
            pred = model.inferencer(source, texts=question)['predictions'][0]
        rows = [(i, t['answer'], t['score'])
                for i, t in enumerate(pred['topk'], 1)]
        return (answered_by(model, start, [note]),
                table(('#', 'answer', 'score'), rows))

    @shows_errors(num_outputs=2)
    def compare(self, label: Optional[str], left: Optional[str],
                right: Optional[str], statement: Optional[str]) -> Tuple:
        """NLVR2 verdict on two images and a statement.

        Returns:
            tuple: status, the pair (RGB array), verdict Markdown.
        """
        start = time.perf_counter()
        model = self.server.by_label('compare', label)
        left, left_note = check_image(left, 'left image')
        right, right_note = check_image(right, 'right image')
        statement = check_text(statement, 'statement')
        with model.lock:
            out = model.inferencer((left, right), texts=statement,
                                   return_vis=True, no_save_vis=True)
        pred = out['predictions'][0]
        verdict = (f'**{pred["verdict"]}** with probability '
                   f'{pred["probability"]:.4f} (P(true) = '
                   f'{pred["true_probability"]:.4f}).')
        return (answered_by(model, start, [left_note, right_note]),
                out['visualization'][0], verdict)

    @shows_errors(num_outputs=2)
    def search_images(self, label: Optional[str], query: Optional[str],
                      uploads: Optional[List[str]], topk: int = 5) -> Tuple:
        """The gallery images that best match a text.

        Returns:
            tuple: status, ``[(path, caption)]`` for a gallery view,
            Markdown table of ranks, names and scores.
        """
        start = time.perf_counter()
        model = self.server.by_label('search', label)
        query = check_text(query, 'text query')
        sources = gallery_images(self.gallery_dirs, uploads or [])
        with model.lock:
            hits, encoding, num, joint = search_galleries(
                model, self.galleries, sources, query, int(topk),
                num_folders=len(self.gallery_dirs))
        view = [(h['name'], f'{i}. {osp.basename(h["name"])} '
                 f'({h["score"]:.2f})') for i, h in enumerate(hits, 1)]
        rows = [(i, osp.basename(h['name']), h['score'])
                for i, h in enumerate(hits, 1)]
        status = answered_by(model, start)
        status += f'  \nGallery: {num} images'
        status += (f', encoded now in {encoding:.1f} s (later queries reuse '
                   'it)' if encoding else ', encoded before')
        status += f'; {joint_passes(joint)}.'
        return status, view, table(('#', 'image', 'score'), rows)

    @shows_errors(num_outputs=1)
    def search_texts(self, label: Optional[str], image: Optional[str],
                     texts: Optional[str], topk: int = 5) -> Tuple:
        """The gallery texts that best match an image.

        Returns:
            tuple: status, Markdown table of ranks, texts and scores.
        """
        start = time.perf_counter()
        model = self.server.by_label('search', label)
        source, note = check_image(image)
        texts = gallery_texts(texts)
        with model.lock:
            gallery = self.galleries.texts(model, texts)
            joint = prefilter_topk(model, gallery.text_embed)
            hits = model.inferencer.search(
                gallery, images=source, topk=int(topk),
                prefilter_topk=joint)[0]['topk']
        rows = [(i, h['name'], h['score']) for i, h in enumerate(hits, 1)]
        status = answered_by(model, start, [note])
        status += f'  \n{len(texts)} texts; {joint_passes(joint)}.'
        return status, table(('#', 'text', 'score'), rows)
