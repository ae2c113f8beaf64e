# Copyright (c) e2evlp-mm contributors. All rights reserved.
import os.path as osp
from typing import Optional, Tuple

import mmengine
import numpy as np
from mmdet.datasets import CocoDataset
from mmdet.registry import DATASETS
from mmengine.logging import print_log

from .compact_annotations import CompactAnnotations, open_coco_style
from .exclusions import load_exclusions
from .text_pool import E2EVLPTextPool
from .transforms.load_image_from_file import configure_image_skipping
from .validation import load_json


@DATASETS.register_module()
class E2EVLPPretrainDataset(CocoDataset):
    """Image-text pairs with the image's objects, from COCO or VG.

    One dataset reads one source; configs join sources with mmengine's
    ``ConcatDataset``. A sample is the image's boxes, labels and attributes
    plus ``text`` = ``caption`` = one caption (COCO) or region description
    (VG); a region description's box rides along as ``text_bbox`` (cx, cy,
    w, h in [0, 1] of the image, for a grounding loss). With
    ``text_sampling='image'`` (the paper configs) an epoch visits every
    image once and each visit draws one of its texts (``np.random``,
    which mmengine seeds per worker, so draws differ between epochs); with
    ``'pair'`` an epoch visits every (image, text) pair. Test mode yields
    one sample per image (its first text, for ``CocoMetric``), and its ITM
    negatives and masks are a fixed function of the sample index, so test
    scores are reproducible. Every sample gets ``text_pool``
    (:class:`E2EVLPTextPool`) for ``E2EVLPSampleITMNegative``.

    Classes and attributes are matched *by name* to ``metainfo['classes']``
    / ``metainfo['attributes']`` when given (so COCO and VG share one
    list), else taken from the file; unknown names raise. COCO objects have
    no attribute (-1).

    The annotations are read as streams into arrays, cached beside the
    annotation file (``.e2evlp_cache/``) and memory-mapped by later starts
    and every loader worker (:mod:`.compact_annotations`); a sample's dict
    is built when it is drawn. docs/data_preparation.md, "At the real
    corpus size", gives the times and memory.

    Args:
        ann_file (str): COCO ``instances_*.json`` or the converted VG json
            (with ``attribute_categories`` and ``region_descriptions``).
        source (str): ``'coco'`` or ``'vg'``. Defaults to ``'coco'``.
        caption_file (str, optional): COCO ``captions_*.json`` (COCO only),
            relative to ``data_root``.
        max_texts_per_image (int, optional): Keep at most this many texts
            per image (the first ones). None keeps all.
        text_sampling (str): ``'image'`` (one sample per image and epoch,
            a random text each visit) or ``'pair'`` (one sample per text).
            Defaults to ``'pair'``.
        class_aliases (str, optional): Json file ``{file category name:
            class name}`` written by ``vg_to_det.py`` (``coco_to_vg.json``)
            to read COCO boxes with the VG vocabulary.
        exclude_file (str, optional): Json ``{"coco_ids": [...]}`` written
            by ``build_exclusion_list.py``: images (or VG images whose
            ``coco_id`` is) in it are dropped, e.g. downstream val/test
            images. The number dropped is logged.
        **kwargs: Arguments of :class:`mmdet.datasets.CocoDataset`
            (``data_root``, ``data_prefix=dict(img=...)``, ``metainfo``,
            ``pipeline``, ``test_mode``, ``filter_cfg``, ...). ``max_refetch``
            defaults to 1000 so skipped images are replaced.
        cache_dir (str, optional): Folder for the annotation cache files
            (default: ``.e2evlp_cache/`` beside ``ann_file``, else
            ``~/.cache/e2evlp_mm``).
    """

    METAINFO: dict = dict()

    def __init__(self, *args, source: str = 'coco',
                 caption_file: Optional[str] = None,
                 max_texts_per_image: Optional[int] = None,
                 text_sampling: str = 'pair',
                 class_aliases: Optional[str] = None,
                 exclude_file: Optional[str] = None,
                 cache_dir: Optional[str] = None, **kwargs) -> None:
        if source not in ('coco', 'vg'):
            raise ValueError(f'source must be "coco" or "vg", got {source!r}')
        if text_sampling not in ('image', 'pair'):
            raise ValueError('text_sampling must be "image" or "pair", got '
                             f'{text_sampling!r}')
        if (source == 'coco') != (caption_file is not None):
            raise ValueError('caption_file is required for (and only for) '
                             'source="coco"')
        if kwargs.get('indices') is not None:
            raise NotImplementedError('`indices` is not supported.')
        self.source = source
        self.caption_file = caption_file
        self.max_texts_per_image = max_texts_per_image
        self.text_sampling = text_sampling
        self.class_aliases = class_aliases
        self.exclude_file = exclude_file
        self.cache_dir = cache_dir
        self._pairs = np.zeros((0, 2), dtype=np.int64)
        self._images = np.zeros(0, dtype=np.int64)
        self.annotations: Optional[CompactAnnotations] = None
        kwargs.setdefault('max_refetch', 1000)
        kwargs.setdefault('data_prefix', dict(img=''))
        super().__init__(*args, **kwargs)
        configure_image_skipping(self.pipeline, self.test_mode)

    def _join_prefix(self) -> None:
        if self.caption_file and not mmengine.is_abs(self.caption_file):
            self.caption_file = osp.join(self.data_root, self.caption_file)
        super()._join_prefix()

    def full_init(self) -> None:
        """Open the compact annotations and index the samples (instead of
        a list of per-image dicts: :meth:`get_data_info` builds one)."""
        if self._fully_initialized:
            return
        aliases = load_json(self.class_aliases) \
            if self.class_aliases else None
        vg = self.source == 'vg'
        self.annotations = ann = open_coco_style(
            self.ann_file, self.ann_file if vg else self.caption_file,
            'phrase' if vg else 'caption', self.data_prefix.get('img', ''),
            self.backend_args, self.cache_dir,
            classes=self._metainfo.get('classes'),
            attributes=self._metainfo.get('attributes'),
            class_aliases=aliases)
        self._metainfo.update(classes=ann.classes,
                              attributes=ann.attributes)
        keep = self._kept_images()
        self._images = np.flatnonzero(keep)
        self._index_pairs()
        self._fully_initialized = True

    def _kept_images(self) -> np.ndarray:
        """Images left after ``exclude_file``, those without texts (but in
        test mode) and ``filter_cfg`` (training only)."""
        ann = self.annotations
        boxes, texts = ann.counts()
        keep = np.ones(len(ann), bool)
        if self.exclude_file:
            excluded = np.array(sorted(set(load_exclusions(
                self.exclude_file))), np.int64)
            keep = ~np.isin(ann.coco_ids(), excluded)
            print_log(f'{self.ann_file}: left out {len(keep) - keep.sum()} '
                      f'images listed in {self.exclude_file} '
                      f'({keep.sum()} remain)', logger='current')
        if not self.test_mode:
            keep &= texts > 0
            cfg = self.filter_cfg or {}
            if cfg.get('filter_empty_gt', False):
                keep &= boxes > 0
            keep &= ann.sizes().min(1) >= cfg.get('min_size', 0)
        return keep

    def _index_pairs(self) -> None:
        """(image index, text index) of every sample; one per image in
        test mode and with image sampling (text index -1: drawn at each
        visit)."""
        if self.test_mode or self.text_sampling == 'image':
            self._pairs = np.stack([
                np.arange(len(self._images)),
                np.full(len(self._images), 0 if self.test_mode else -1)],
                1).astype(np.int64)
            return
        _, texts = self.annotations.counts()
        per_image = texts[self._images]
        if self.max_texts_per_image is not None:
            per_image = np.minimum(per_image, self.max_texts_per_image)
        image = np.repeat(np.arange(len(self._images)), per_image)
        first = np.cumsum(per_image) - per_image
        self._pairs = np.stack([
            image, np.arange(len(image)) - np.repeat(first, per_image)],
            1).astype(np.int64)

    def __len__(self) -> int:
        return len(self._pairs)

    def get_data_info(self, idx: int) -> dict:
        """Return the ``idx``-th pair: the image's info with its text."""
        image, t = self._pair(idx)
        ann = self.annotations
        info = ann.info(image)
        info['text'] = info['caption'] = ann.text(t) if t >= 0 else ''
        box = ann.text_box(image, t) if t >= 0 else None
        if box is not None:
            info['text_bbox'] = box
        info['sample_idx'] = idx
        info['source'] = self.source
        return info

    def text_at(self, idx: int) -> tuple:
        """Return ``(img_id, text)`` of the ``idx``-th pair."""
        image, t = self._pair(idx)
        return self.annotations.img_id(image), \
            self.annotations.text(t) if t >= 0 else ''

    def _pair(self, idx: int) -> Tuple[int, int]:
        """The image (index in the file) and text (index in the file's
        texts, -1 for none) of the ``idx``-th pair; with image sampling
        the text is drawn here (``np.random``)."""
        if not self._fully_initialized:
            self.full_init()
        image_idx, text_idx = self._pairs[idx].tolist()
        image = int(self._images[image_idx])
        first, num = self.annotations.text_range(image,
                                                 self.max_texts_per_image)
        if text_idx < 0 and num:
            text_idx = np.random.randint(num)
        return image, first + text_idx if num else -1

    def prepare_data(self, idx: int) -> Optional[dict]:
        """Run the pipeline with ``text_pool``; in test mode with
        ``np.random`` seeded by ``idx`` (restored afterwards)."""
        if not self.test_mode:
            return self._run_pipeline(idx)
        state = np.random.get_state()
        np.random.seed(idx)
        try:
            return self._run_pipeline(idx)
        finally:
            np.random.set_state(state)

    def _run_pipeline(self, idx: int) -> Optional[dict]:
        info = self.get_data_info(idx)
        info['text_pool'] = E2EVLPTextPool(len(self), self.text_at)
        return self.pipeline(info)
