# Copyright (c) e2evlp-mm contributors. All rights reserved.
from typing import List, Sequence, Union

from mmdet.registry import DATASETS
from mmpretrain.datasets import BaseDataset

from .karpathy import load_karpathy
from .mmpretrain_mixin import E2EVLPMMPretrainMixin


@DATASETS.register_module()
class E2EVLPRetrievalDataset(E2EVLPMMPretrainMixin, BaseDataset):
    """Image-text retrieval on a Karpathy split (Flickr30k or COCO).

    Follows mmpretrain's ``Flickr30kRetrieval`` convention (whose
    constructor takes one of train/val/test only, hence not derived from
    it). Training yields
    one sample per sentence: ``text``, ``text_id`` (running sentence
    index), ``image_id`` (running image index, also ``img_id``) and
    ``image_ori_id``; the retrieval head draws its negatives in the batch.
    Test mode yields one sample per image: ``image_id``, ``text`` (its
    sentences), ``gt_text_id`` and ``gt_image_id``; ``img_size`` and
    ``text_size`` give the gallery sizes for the recall metric.

    Args:
        ann_file (str): ``dataset_flickr30k.json`` or ``dataset_coco.json``.
        split (str | Sequence[str]): Karpathy split(s).
        **kwargs: Arguments of :class:`mmpretrain.datasets.BaseDataset`;
            ``data_prefix`` is the folder holding ``filepath/filename``
            (see :class:`E2EVLPMMPretrainMixin`).
    """

    def __init__(self, ann_file: str, split: Union[str, Sequence[str]],
                 **kwargs) -> None:
        self.split = split  # Flickr30kRetrieval only takes one split
        super().__init__(ann_file=ann_file, **kwargs)

    def load_data_list(self) -> List[dict]:
        """Check and load the split."""
        images = load_karpathy(self.ann_file, self.data_prefix['img_path'],
                               self.split)
        texts, gallery = [], []
        for image_id, m in enumerate(images):
            ids = list(range(len(texts), len(texts) + len(m['texts'])))
            texts += [
                dict(text=t, text_id=j, ori_id=s, image_id=image_id,
                     img_id=image_id, image_ori_id=m['img_id'],
                     img_path=m['img_path'], is_matched=True)
                for t, j, s in zip(m['texts'], ids, m['sent_ids'])]
            gallery.append(dict(
                img_id=image_id, image_id=image_id, ori_id=m['img_id'],
                img_path=m['img_path'], text=m['texts'], gt_text_id=ids,
                gt_image_id=[image_id] * len(ids)))
        self.img_size, self.text_size = len(gallery), len(texts)
        return gallery if self.test_mode else texts
