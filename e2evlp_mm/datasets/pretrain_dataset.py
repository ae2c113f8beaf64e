# Copyright (c) e2evlp-mm contributors. All rights reserved.
import os.path as osp
from typing import List, Optional

import mmengine
import numpy as np
from mmdet.datasets import CocoDataset
from mmdet.registry import DATASETS

from .coco_style import group_texts, parse_coco_style
from .text_pool import E2EVLPTextPool
from .transforms.load_image_from_file import configure_image_skipping
from .validation import load_json, require_keys


@DATASETS.register_module()
class E2EVLPPretrainDataset(CocoDataset):
    """Image-text pairs with the image's objects, from COCO or VG.

    One dataset reads one source; configs join sources with mmengine's
    ``ConcatDataset``. Training yields one sample per (image, text) pair:
    the image's boxes, labels and attributes plus ``text`` = ``caption`` =
    one caption (COCO) or region description (VG). Test mode yields one
    sample per image (for ``CocoMetric``). Every training sample also gets
    ``text_pool`` (:class:`E2EVLPTextPool`) for ``E2EVLPSampleITMNegative``.

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
        **kwargs: Arguments of :class:`mmdet.datasets.CocoDataset`
            (``data_root``, ``data_prefix=dict(img=...)``, ``metainfo``,
            ``pipeline``, ``test_mode``, ``filter_cfg``, ...). ``max_refetch``
            defaults to 1000 so skipped images are replaced.
    """

    METAINFO: dict = dict()

    def __init__(self, *args, source: str = 'coco',
                 caption_file: Optional[str] = None,
                 max_texts_per_image: Optional[int] = None, **kwargs) -> None:
        if source not in ('coco', 'vg'):
            raise ValueError(f'source must be "coco" or "vg", got {source!r}')
        if (source == 'coco') != (caption_file is not None):
            raise ValueError('caption_file is required for (and only for) '
                             'source="coco"')
        if kwargs.get('indices') is not None:
            raise NotImplementedError('`indices` is not supported.')
        self.source = source
        self.caption_file = caption_file
        self.max_texts_per_image = max_texts_per_image
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
        images, classes, attributes = parse_coco_style(
            raw, self.ann_file, self.data_prefix.get('img', ''),
            self._metainfo.get('classes'), self._metainfo.get('attributes'))
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
        data_list = []
        for img_id, info in images.items():
            info['texts'] = texts.get(img_id, [])[:self.max_texts_per_image]
            if info['texts'] or self.test_mode:
                data_list.append(info)
        return data_list

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
        self._pairs = np.array(
            [(i, t) for i, d in enumerate(data_list)
             for t in range(1 if self.test_mode else len(d['texts']))],
            dtype=np.int64).reshape(-1, 2)
        return data_list

    def __len__(self) -> int:
        return len(self._pairs)

    def get_data_info(self, idx: int) -> dict:
        """Return the ``idx``-th pair: the image's info with its text."""
        image_idx, text_idx = self._pairs[idx]
        info = super().get_data_info(int(image_idx))
        texts = info.pop('texts')
        info['text'] = info['caption'] = texts[text_idx] if texts else ''
        info['sample_idx'] = idx
        return info

    def text_at(self, idx: int) -> tuple:
        """Return ``(img_id, text)`` of the ``idx``-th pair."""
        info = self.get_data_info(idx)
        return info['img_id'], info['text']

    def prepare_data(self, idx: int) -> Optional[dict]:
        """Run the pipeline; training samples carry ``text_pool``."""
        info = self.get_data_info(idx)
        if not self.test_mode:
            info['text_pool'] = E2EVLPTextPool(len(self), self.text_at)
        return self.pipeline(info)
