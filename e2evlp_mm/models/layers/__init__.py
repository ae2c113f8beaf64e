# Copyright (c) e2evlp-mm contributors. All rights reserved.
from .beam_search import beam_search, greedy_search, length_penalty
from .e2evlp_text_embedding import E2EVLPTextEmbedding
from .fused_attention import (
    FusedMultiheadAttention,
    FusedTransformerDecoder,
    FusedTransformerEncoder,
)
from .image_only_rows import with_image_only_rows
from .incremental_decoder import CaptionDecoder, IncrementalDecoder
from .itm_hard_negatives import sample_hard_texts
from .query_groups import (
    group_self_attn_mask,
    repeat_per_group,
    split_query_groups,
)

__all__ = [
    'CaptionDecoder', 'E2EVLPTextEmbedding', 'FusedMultiheadAttention',
    'FusedTransformerDecoder', 'FusedTransformerEncoder', 'IncrementalDecoder',
    'beam_search', 'greedy_search', 'group_self_attn_mask', 'length_penalty',
    'repeat_per_group', 'sample_hard_texts', 'split_query_groups',
    'with_image_only_rows'
]
