# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Downstream evaluation images that pre-training must not see.

COCO train2017 holds most of val2014, so without a list the Karpathy
val/test images (captioning, COCO retrieval) and the VQA val2014 images
would be pre-trained on with their captions; Visual Genome shares images
with COCO through ``coco_id``. COCO ids are the same in the 2014 and 2017
releases, so one list of COCO image ids covers both sources. Flickr30K and
NLVR2 images are in neither COCO nor VG.
"""
import json
from typing import Dict, Iterable, List, Sequence

from .validation import E2EVLPDataError, require_keys


def karpathy_eval_ids(karpathy: dict, file: str,
                      splits: Sequence[str] = ('val', 'test')) -> List[int]:
    """COCO ids of a Karpathy ``dataset_coco.json``'s ``splits``."""
    require_keys(karpathy, ('images', ), file, None)
    ids = []
    for i, img in enumerate(karpathy['images']):
        require_keys(img, ('split', 'cocoid'), file, i, 'cocoid')
        if img['split'] in splits:
            ids.append(int(img['cocoid']))
    return ids


def vqa_image_ids(questions: dict, file: str) -> List[int]:
    """COCO ids of the images of a VQA v2 questions file."""
    require_keys(questions, ('questions', ), file, None)
    ids = []
    for i, q in enumerate(questions['questions']):
        require_keys(q, ('image_id', ), file, i, 'question_id')
        ids.append(int(q['image_id']))
    return ids


def build_exclusions(sources: Dict[str, Iterable[int]]) -> dict:
    """The exclusion json: the union of ``sources`` and a count per source.

    Args:
        sources (dict[str, Iterable[int]]): File name -> its COCO ids.

    Returns:
        dict: ``{"coco_ids": sorted ids, "sources": {file: count}}``.
    """
    ids, counts = set(), {}
    for name, source_ids in sources.items():
        source_ids = set(source_ids)
        counts[name] = len(source_ids)
        ids |= source_ids
    return dict(coco_ids=sorted(ids), sources=counts)


def load_exclusions(file: str) -> List[int]:
    """Read the COCO ids of an exclusion json, checking its schema."""
    with open(file) as f:
        raw = json.load(f)
    require_keys(raw, ('coco_ids', ), file, None)
    ids = raw['coco_ids']
    if not isinstance(ids, list) or not all(
            isinstance(i, int) for i in ids):
        raise E2EVLPDataError(
            f'{file!r}: field "coco_ids" must be a list of integer image '
            'ids (write it with tools/dataset_converters/'
            'build_exclusion_list.py)')
    return ids
