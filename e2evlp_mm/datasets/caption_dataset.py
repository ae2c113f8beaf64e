# Copyright (c) e2evlp-mm contributors. All rights reserved.
from typing import List, Sequence, Union

from mmdet.registry import DATASETS
from mmengine.dataset import BaseDataset

from .karpathy import load_karpathy
from .transforms.load_image_from_file import configure_image_skipping


@DATASETS.register_module()
class E2EVLPCaptionDataset(BaseDataset):
    """Image captioning on a Karpathy split (COCO or Flickr30k).

    Training (``test_mode=False``) yields one sample per sentence with
    ``text`` = ``caption`` = the sentence; test mode yields one sample per
    image with all reference sentences in ``gt_captions``.

    Args:
        ann_file (str): ``dataset_coco.json`` or ``dataset_flickr30k.json``.
        split (str | Sequence[str]): Karpathy split(s). Defaults to
            ``('train', 'restval')``.
        data_prefix (dict): ``dict(img=...)``, the folder holding
            ``filepath/filename``.
        **kwargs: Arguments of :class:`mmengine.dataset.BaseDataset`.
    """

    def __init__(self, ann_file: str,
                 split: Union[str, Sequence[str]] = ('train', 'restval'),
                 data_prefix: dict = dict(img=''), **kwargs) -> None:
        self.split = split
        kwargs.setdefault('max_refetch', 1000)
        super().__init__(ann_file=ann_file, data_prefix=data_prefix,
                         **kwargs)
        configure_image_skipping(self.pipeline, self.test_mode)

    def load_data_list(self) -> List[dict]:
        """Check and load the split."""
        images = load_karpathy(self.ann_file, self.data_prefix['img'],
                               self.split)
        if self.test_mode:
            return [dict(img_id=m['img_id'], img_path=m['img_path'],
                         gt_captions=m['texts']) for m in images]
        return [dict(img_id=m['img_id'], img_path=m['img_path'], text=t,
                     caption=t) for m in images for t in m['texts']]
