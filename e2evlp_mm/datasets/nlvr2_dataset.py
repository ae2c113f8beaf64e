# Copyright (c) e2evlp-mm contributors. All rights reserved.
import os.path as osp
import re
from typing import List

from mmdet.registry import DATASETS
from mmengine import fileio
from mmpretrain.datasets import NLVR2

from .mmpretrain_mixin import E2EVLPMMPretrainMixin
from .validation import (
    E2EVLPDataError,
    check_images_exist,
    check_text,
    decode_utf8,
    require_keys,
    where,
)

# split-set-pair-sentence, e.g. 'train-10171-0-0', 'test1-0-1-3'
_IDENTIFIER = re.compile(r'[^-\s]+-\d+-\d+-\d+')


@DATASETS.register_module()
class E2EVLPNLVR2Dataset(E2EVLPMMPretrainMixin, NLVR2):
    """NLVR2 from the official json-lines files.

    Each sample: ``img_path`` = ``[left, right]``, ``img_id`` (the
    identifier), ``text`` (the statement) and ``nlvr_label`` (1 "True", 0
    "False"). The official layout is followed: a record with a
    ``directory`` (train) finds its images in ``<prefix>/<directory>/``,
    others (dev, test) in ``<prefix>/``; the file names are the identifier
    without its last ``-N`` plus ``-img0.png`` / ``-img1.png``. Load the
    pair with ``E2EVLPApplyToImagePair``.

    Args:
        ann_file (str): ``train.json`` / ``dev.json`` / ``test1.json``.
        data_prefix (str | dict): Image folder, e.g. ``'images/train'``.
        **kwargs: Arguments of :class:`mmpretrain.datasets.BaseDataset`
            (see :class:`E2EVLPMMPretrainMixin` for ``data_prefix`` and
            ``pipeline``).
    """

    def load_data_list(self) -> List[dict]:
        """Check and load the examples."""
        file, prefix = self.ann_file, self.data_prefix['img_path']
        data_list, paths, records = [], [], []
        lines = fileio.get(self.ann_file).split(b'\n')
        for i, line in enumerate(lines):
            if not line.strip():
                continue
            ex = decode_utf8(line, file, i)
            require_keys(ex, ('identifier', 'sentence', 'label'), file, i,
                         'identifier')
            uid = ex['identifier']
            if not isinstance(uid, str) or not _IDENTIFIER.fullmatch(uid):
                raise E2EVLPDataError(
                    f"{where(file, i, uid)}: field 'identifier' is "
                    "malformed: expected '<split>-<set>-<pair>-<sentence>' "
                    "(e.g. 'dev-850-0-0'; the images are "
                    "'<split>-<set>-<pair>-img0.png' / '-img1.png')")
            text = check_text(ex['sentence'], file, i, uid, 'sentence')
            if ex['label'] not in ('True', 'False'):
                raise E2EVLPDataError(
                    f"{where(file, i, uid)}: field 'label' must be 'True' "
                    f"or 'False', got {ex['label']!r}")
            folder = osp.join(prefix, str(ex.get('directory', '')))
            stem = uid.rsplit('-', 1)[0]
            pair = [osp.join(folder, f'{stem}-img{k}.png') for k in (0, 1)]
            paths += pair
            records += [(i, uid)] * 2
            data_list.append(dict(img_path=pair, img_id=uid, text=text,
                                  nlvr_label=int(ex['label'] == 'True')))
        check_images_exist(paths, file, records, field='identifier')
        return data_list
