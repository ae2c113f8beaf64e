# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Checked parsing of Karpathy split files (COCO and Flickr30k)."""
import os.path as osp
from typing import List, Sequence, Union

from .validation import (
    E2EVLPDataError,
    check_images_exist,
    check_text,
    load_json,
    require_keys,
)

KARPATHY_SPLITS = ('train', 'restval', 'val', 'test')


def load_karpathy(file: str, img_prefix: str,
                  split: Union[str, Sequence[str]]) -> List[dict]:
    """Load the images of ``split`` from ``dataset_{coco,flickr30k}.json``.

    Args:
        file (str): The Karpathy json.
        img_prefix (str): Folder that ``filepath/filename`` is relative to.
        split (str | Sequence[str]): One or more of ``train``, ``restval``,
            ``val``, ``test`` (COCO training uses ``('train', 'restval')``).

    Returns:
        list[dict]: Per image, in file order: ``img_id`` (``cocoid`` if
        present, else ``imgid``), ``ori_id`` (``imgid``), ``img_path``,
        ``texts`` (raw sentences) and ``sent_ids``.
    """
    splits = (split, ) if isinstance(split, str) else tuple(split)
    unknown = set(splits) - set(KARPATHY_SPLITS)
    if unknown:
        raise ValueError(f'Unknown Karpathy split(s) {sorted(unknown)}; '
                         f'choose from {KARPATHY_SPLITS}')
    raw = load_json(file)
    require_keys(raw, ('images', ), file, None)
    images, records = [], []
    for i, img in enumerate(raw['images']):
        require_keys(img, ('filename', 'imgid', 'split', 'sentences'), file,
                     i, 'imgid')
        if img['split'] not in splits:
            continue
        uid = img['imgid']
        if not img['sentences']:
            raise E2EVLPDataError(f'{file!r}, record {i} (id {uid!r}): '
                                  "field 'sentences' is empty")
        texts, sent_ids = [], []
        for s in img['sentences']:
            require_keys(s, ('raw', ), file, i, None)
            texts.append(check_text(s['raw'], file, i, uid,
                                    'sentences.raw').strip())
            sent_ids.append(s.get('sentid'))
        images.append(dict(
            img_id=img.get('cocoid', uid), ori_id=uid, texts=texts,
            sent_ids=sent_ids, img_path=osp.join(
                img_prefix, img.get('filepath', ''), img['filename'])))
        records.append((i, uid))
    check_images_exist([m['img_path'] for m in images], file, records,
                       field='filename')
    return images
