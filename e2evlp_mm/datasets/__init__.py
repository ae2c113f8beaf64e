# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Datasets and transforms of e2evlp-mm (registered in mmdet's registries).

See ``docs/data_contract.md`` for the fields every pipeline produces. The
synthetic-world generator (``shapes_world``) and the converters register
nothing: the tools import them directly, so registering this package does
not load them.
"""
from . import transforms  # noqa: F401  (registers the transforms)
from .caption_dataset import E2EVLPCaptionDataset
from .nlvr2_dataset import E2EVLPNLVR2Dataset
from .pretrain_dataset import E2EVLPPretrainDataset
from .retrieval_dataset import E2EVLPRetrievalDataset
from .scene_label_dataset import E2EVLPSceneLabelDataset
from .seeded_samples import (
    E2EVLPSeededDataset,
    E2EVLPSeededSampler,
    seeded_loader_cfg,
)
from .text_pool import E2EVLPTextPool
from .tokenizer import build_tokenizer
from .validation import (
    E2EVLPBadImageError,
    E2EVLPDataError,
    E2EVLPMissingImageError,
)
from .vqa_dataset import E2EVLPVQADataset

__all__ = [
    'E2EVLPCaptionDataset', 'E2EVLPNLVR2Dataset', 'E2EVLPPretrainDataset',
    'E2EVLPRetrievalDataset', 'E2EVLPSceneLabelDataset',
    'E2EVLPTextPool', 'E2EVLPVQADataset',
    'E2EVLPDataError', 'E2EVLPMissingImageError', 'E2EVLPBadImageError',
    'build_tokenizer', 'E2EVLPSeededDataset', 'E2EVLPSeededSampler',
    'seeded_loader_cfg'
]
