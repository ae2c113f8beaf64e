# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Group DETR's query groups for a DETR-style trunk (see
:mod:`e2evlp_mm.models.layers.query_groups`)."""
from typing import Dict, Optional

from mmdet.structures import OptSampleList
from torch import Tensor

from ..layers import (
    group_self_attn_mask,
    repeat_per_group,
    split_query_groups,
)


class QueryGroupsMixin:
    """Queries, decoder mask and detection loss of ``num_query_groups``
    groups in training, of the first group otherwise.

    The host sets ``num_queries``, ``num_query_groups``,
    ``query_embedding`` (``num_queries * num_query_groups`` rows) and
    ``bbox_head``.
    """

    @property
    def training_groups(self) -> bool:
        """Whether the decoder runs every query group (training with
        ``num_query_groups > 1``) rather than the first."""
        return self.training and self.num_query_groups > 1

    def query_inputs(self, memory: Tensor) -> Dict[str, Tensor]:
        """The decoder's queries for a batch.

        Args:
            memory (Tensor): Encoder output, (B, L, d) (for B and device).

        Returns:
            dict[str, Tensor]: ``query`` (zeros) and ``query_pos`` (B, Q,
            d), ``Q`` = K * N in training with groups, else N; and then
            ``self_attn_mask`` (Q, Q), True across groups.
        """
        queries = self.query_embedding.weight
        if not self.training_groups:
            queries = queries[:self.num_queries]
        query_pos = queries.unsqueeze(0).expand(memory.size(0), -1, -1)
        inputs = dict(query=query_pos.new_zeros(query_pos.shape),
                      query_pos=query_pos)
        if self.training_groups:
            inputs['self_attn_mask'] = group_self_attn_mask(
                self.num_queries, self.num_query_groups, memory.device)
        return inputs

    def detection_loss(self, hidden_states: Tensor,
                       batch_data_samples: OptSampleList
                       ) -> Dict[str, Optional[Tensor]]:
        """The detection head's losses, each query group matched to the
        ground truth on its own and the groups averaged.

        Args:
            hidden_states (Tensor): (num_layers, B, Q, d), the decoder's
                output for :meth:`query_inputs`.
            batch_data_samples (list[:obj:`DetDataSample`]): Ground truth.

        Returns:
            dict[str, Tensor]: The head's loss dict.
        """
        if self.training_groups:
            hidden_states = split_query_groups(hidden_states,
                                               self.num_query_groups)
            batch_data_samples = repeat_per_group(batch_data_samples,
                                                  self.num_query_groups)
        return self.bbox_head.loss(hidden_states, batch_data_samples)
