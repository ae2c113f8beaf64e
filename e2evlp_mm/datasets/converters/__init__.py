# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Converters from published dataset files to what e2evlp-mm reads."""
from .coco_vg_names import COCO_TO_VG, map_coco_to_vg
from .vg_stream import VGDetConversion, convert_vg_to_det
from .vg_to_det import (
    load_vg,
    locate_vg_images,
    pick_val_ids,
    split_det,
)
from .vqa_answers import (
                          answer_soft_scores,
                          build_answer_vocab,
                          normalize_vqa_answer,
)

__all__ = [
    'COCO_TO_VG', 'map_coco_to_vg', 'convert_vg_to_det', 'VGDetConversion',
    'load_vg',
    'locate_vg_images', 'pick_val_ids', 'split_det', 'answer_soft_scores',
    'build_answer_vocab', 'normalize_vqa_answer'
]
