# Copyright (c) e2evlp-mm contributors. All rights reserved.
from typing import List, Sequence, Union

from mmdet.registry import DATASETS, TRANSFORMS
from mmpretrain.datasets import Flickr30kRetrieval

from .karpathy import load_karpathy
from .transforms.load_image_from_file import configure_image_skipping


@DATASETS.register_module()
class E2EVLPRetrievalDataset(Flickr30kRetrieval):
    """Image-text retrieval on a Karpathy split (Flickr30k or COCO).

    Follows mmpretrain's ``Flickr30kRetrieval`` convention. Training yields
    one sample per sentence: ``text``, ``text_id`` (running sentence
    index), ``image_id`` (running image index, also ``img_id``) and
    ``image_ori_id``; the retrieval head draws its negatives in the batch.
    Test mode yields one sample per image: ``image_id``, ``text`` (its
    sentences), ``gt_text_id`` and ``gt_image_id``; ``img_size`` and
    ``text_size`` give the gallery sizes for the recall metric.

    Args:
        ann_file (str): ``dataset_flickr30k.json`` or ``dataset_coco.json``.
        split (str | Sequence[str]): Karpathy split(s).
        data_prefix (str | dict): Folder holding ``filepath/filename``.
        data_root (str): Root of the other paths. Defaults to ''.
        **kwargs: Arguments of :class:`mmpretrain.datasets.BaseDataset`.
            The pipeline is built from mmdet's ``TRANSFORMS``.
    """

    def __init__(self, ann_file: str, split: Union[str, Sequence[str]],
                 data_prefix: Union[str, dict] = '', data_root: str = '',
                 pipeline: list = (), **kwargs) -> None:
        if isinstance(data_prefix, dict):
            data_prefix = data_prefix.get('img', data_prefix.get('img_path'))
        pipeline = [
            TRANSFORMS.build(t) if isinstance(t, dict) else t
            for t in pipeline
        ]
        kwargs.setdefault('max_refetch', 1000)
        self.split = split  # parent asserts one of train/val/test
        super(Flickr30kRetrieval, self).__init__(
            ann_file=ann_file, data_root=data_root,
            data_prefix=dict(img_path=data_prefix), pipeline=pipeline,
            **kwargs)
        configure_image_skipping(self.pipeline, self.test_mode)

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
