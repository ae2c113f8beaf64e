# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Tasks read off the joint encoder by a single head (VQA, NLVR2)."""
from typing import Dict

from mmdet.structures import OptSampleList, SampleList
from torch import Tensor, nn

from ..predictions import write_predictions
from .e2evlp_base import E2EVLPBase


class E2EVLPEncoderTask(E2EVLPBase):
    """An understanding task: encoder features -> one head.

    .. code:: text

        images + text -> head_input (subclass: trunk encoder -> h_CLS ...)
            loss:    head.loss(features, samples)
            predict: head.predict(features, samples) -> sample fields
            tensor:  head(features)

    A subclass builds its head under the attribute ``head_name`` and
    implements :meth:`head_input`; the head follows the sibling contract
    ``forward(feats)``, ``loss(feats, samples)`` (dict of ``loss_*`` and
    logged ``acc_*``), ``predict(feats, samples)`` (one dict of ``pred_*``
    fields per sample). No decoder, no queries, so every parameter gets a
    gradient.
    """
    head_name = ''

    def __init__(self, **kwargs) -> None:
        """Build the trunk without decoder and detection queries.

        Args:
            **kwargs: The trunk arguments of :class:`E2EVLPBase` other than
                ``decoder`` and ``bbox_head`` (an unused weight would stall
                DDP; passing either is a ``TypeError``).
        """
        super().__init__(decoder=None, bbox_head=None, **kwargs)

    @property
    def task_head(self) -> nn.Module:
        """The head under ``head_name``."""
        return getattr(self, self.head_name)

    def head_input(self, batch_inputs: Tensor,
                   batch_data_samples: SampleList) -> Tensor:
        """Encoder features the head reads, (B, C); see the subclass."""
        raise NotImplementedError

    def loss(self, batch_inputs: Tensor,
             batch_data_samples: SampleList) -> Dict[str, Tensor]:
        """The head's loss (and logged accuracy).

        Args:
            batch_inputs (Tensor): Images as the subclass reads them.
            batch_data_samples (list[:obj:`DetDataSample`]): B samples
                with the task's targets (``docs/data_contract.md``).

        Returns:
            dict[str, Tensor]: The head's ``loss_*`` and ``acc_*``.
        """
        return self.task_head.loss(
            self.head_input(batch_inputs, batch_data_samples),
            batch_data_samples)

    def predict(self,
                batch_inputs: Tensor,
                batch_data_samples: SampleList,
                rescale: bool = True) -> SampleList:
        """The head's prediction of each sample.

        Args:
            batch_inputs (Tensor): Images as the subclass reads them.
            batch_data_samples (list[:obj:`DetDataSample`]): B samples.
            rescale (bool): Unused (no boxes).

        Returns:
            list[:obj:`DetDataSample`]: The samples with the head's
            ``pred_*`` fields.
        """
        return write_predictions(
            batch_data_samples,
            self.task_head.predict(
                self.head_input(batch_inputs, batch_data_samples),
                batch_data_samples))

    def _forward(self,
                 batch_inputs: Tensor,
                 batch_data_samples: OptSampleList = None) -> Tensor:
        """Tensor mode: the head's logits (B, num_classes)."""
        return self.task_head(
            self.head_input(batch_inputs, batch_data_samples))
