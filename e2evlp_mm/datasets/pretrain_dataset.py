# Copyright (c) e2evlp-mm contributors. All rights reserved.
import os.path as osp
from typing import Dict, List, Optional

import mmengine
import numpy as np
from mmdet.datasets import CocoDataset
from mmdet.registry import DATASETS
from mmengine.logging import print_log

from .coco_style import group_texts, parse_coco_style
from .exclusions import load_exclusions
from .text_pool import E2EVLPTextPool
from .transforms.load_image_from_file import configure_image_skipping
from .validation import load_json, require_keys


@DATASETS.register_module()
class E2EVLPPretrainDataset(CocoDataset):
    """Image-text pairs with the image's objects, from COCO or VG.

    One dataset reads one source; configs join sources with mmengine's
    ``ConcatDataset``. A sample is the image's boxes, labels and attributes
    plus ``text`` = ``caption`` = one caption (COCO) or region description
    (VG). With ``text_sampling='image'`` (the paper configs) an epoch visits
    every image once and each visit draws one of its texts (``np.random``,
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
    """

    METAINFO: dict = dict()

    def __init__(self, *args, source: str = 'coco',
                 caption_file: Optional[str] = None,
                 max_texts_per_image: Optional[int] = None,
                 text_sampling: str = 'pair',
                 class_aliases: Optional[str] = None,
                 exclude_file: Optional[str] = None, **kwargs) -> None:
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
        self._pairs = np.zeros((0, 2), dtype=np.int64)
        kwargs.setdefault('max_refetch', 1000)
        kwargs.setdefault('data_prefix', dict(img=''))
        super().__init__(*args, **kwargs)
        configure_image_skipping(self.pipeline, self.test_mode)

    def _join_prefix(self) -> None:
        if self.caption_file and not mmengine.is_abs(self.caption_file):
            self.caption_file = osp.join(self.data_root, self.caption_file)
        super()._join_prefix()

    def load_data_list(self) -> List[dict]:
        """Check and load the annotation files (one entry per image)."""
        raw = load_json(self.ann_file, self.backend_args)
        aliases = load_json(self.class_aliases) \
            if self.class_aliases else None
        images, classes, attributes = parse_coco_style(
            raw, self.ann_file, self.data_prefix.get('img', ''),
            self._metainfo.get('classes'), self._metainfo.get('attributes'),
            aliases)
        self._metainfo.update(classes=classes, attributes=attributes)
        if self.source == 'vg':
            require_keys(raw, ('region_descriptions', ), self.ann_file, None)
            texts = group_texts(raw['region_descriptions'], self.ann_file,
                                images, 'phrase')
        else:
            caps = load_json(self.caption_file, self.backend_args)
            require_keys(caps, ('annotations', ), self.caption_file, None)
            texts = group_texts(caps['annotations'], self.caption_file,
                                images, 'caption')
        self._drop_excluded(images)
        data_list = []
        for img_id, info in images.items():
            info['texts'] = texts.get(img_id, [])[:self.max_texts_per_image]
            if info['texts'] or self.test_mode:
                data_list.append(info)
        return data_list

    def _drop_excluded(self, images: Dict[int, dict]) -> None:
        """Remove the images of ``exclude_file`` from ``images``."""
        if not self.exclude_file:
            return
        excluded = set(load_exclusions(self.exclude_file))
        drop = [i for i, info in images.items()
                if info['coco_id'] in excluded]
        for img_id in drop:
            del images[img_id]
        print_log(f'{self.ann_file}: left out {len(drop)} images listed in '
                  f'{self.exclude_file} ({len(images)} remain)',
                  logger='current')

    def filter_data(self) -> List[dict]:
        """Apply ``filter_cfg`` (training only) and index the text pairs."""
        data_list = self.data_list
        cfg = self.filter_cfg or {}
        if not self.test_mode:
            min_size = cfg.get('min_size', 0)
            data_list = [
                d for d in data_list
                if (d['instances'] or not cfg.get('filter_empty_gt', False))
                and min(d['width'], d['height']) >= min_size]
        # (image index, text index) of every sample; one per image in test
        # and with image sampling (text index -1: drawn at each visit)
        per_image = self.test_mode or self.text_sampling == 'image'
        self._pairs = np.array(
            [(i, t) for i, d in enumerate(data_list)
             for t in ([0 if self.test_mode else -1] if per_image else
                       range(len(d['texts'])))],
            dtype=np.int64).reshape(-1, 2)
        return data_list

    def __len__(self) -> int:
        return len(self._pairs)

    def get_data_info(self, idx: int) -> dict:
        """Return the ``idx``-th pair: the image's info with its text."""
        image_idx, text_idx = self._pairs[idx]
        info = super().get_data_info(int(image_idx))
        texts = info.pop('texts')
        if text_idx < 0 and texts:
            text_idx = np.random.randint(len(texts))
        info['text'] = info['caption'] = texts[text_idx] if texts else ''
        info['sample_idx'] = idx
        info['source'] = self.source
        return info

    def text_at(self, idx: int) -> tuple:
        """Return ``(img_id, text)`` of the ``idx``-th pair."""
        info = self.get_data_info(idx)
        return info['img_id'], info['text']

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
