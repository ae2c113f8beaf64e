# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Batch NLVR2 image pairs as one batch of images."""
from typing import List, Sequence

from mmdet.models.data_preprocessors import DetDataPreprocessor
from mmdet.registry import MODELS
from torch import Tensor


@MODELS.register_module()
class E2EVLPNLVR2DataPreprocessor(DetDataPreprocessor):
    """mmdet's ``DetDataPreprocessor`` for samples that hold two images.

    ``PackE2EVLPInputs`` packs an NLVR2 example as a list of two uint8
    ``(3, H, W)`` tensors (left, right) with list-valued ``img_shape``,
    ``ori_shape``, ``scale_factor`` and ``img_path``; mmengine's
    ``pseudo_collate`` then transposes a batch of B examples into
    ``inputs = [lefts, rights]`` (two lists of B tensors). This preprocessor
    flattens them **interleaved**, ``left0, right0, left1, right1, ...``,
    so image ``2i + k`` is image ``k`` of example ``i`` and a ``(2B, d)``
    tensor of per-image features reshapes to ``(B, 2d)`` =
    ``[left, right]`` per example. All 2B images are normalized and padded
    to one ``(H, W)`` exactly as mmdet pads a detection batch.

    The B data samples stay B (one per example, for the head and the
    metric); each gets ``batch_input_shape`` (the padded ``(H, W)`` shared
    by all 2B images) and ``pad_shape`` (a list of two, like
    ``img_shape``). The model builds one view per image from ``img_shape``
    and ``batch_input_shape`` to mask the padding of each image.

    Args:
        **kwargs: Arguments of :class:`DetDataPreprocessor`; batch
            augmentations are not supported (they would need per-image
            samples).
    """

    def __init__(self, **kwargs) -> None:
        if kwargs.get('batch_augments') is not None:
            raise ValueError('E2EVLPNLVR2DataPreprocessor does not support '
                             'batch_augments.')
        super().__init__(**kwargs)

    @staticmethod
    def flatten_pairs(inputs: Sequence[Sequence[Tensor]],
                      num_samples: int) -> List[Tensor]:
        """Interleave the collated ``[lefts, rights]`` image lists.

        Args:
            inputs (Sequence[Sequence[Tensor]]): ``[lefts, rights]``, each
                a sequence of B ``(3, H_i, W_i)`` tensors.
            num_samples (int): B, the number of data samples.

        Returns:
            list[Tensor]: ``[left0, right0, left1, right1, ...]`` (2B).
        """
        if (len(inputs) != 2 or isinstance(inputs[0], Tensor)
                or any(len(side) != num_samples for side in inputs)):
            raise ValueError(
                'NLVR2 inputs must be the collated [lefts, rights]: two '
                f'lists of {num_samples} images (one pair per sample); got '
                f'{len(inputs)} entries.')
        return [img for pair in zip(*inputs) for img in pair]

    def forward(self, data: dict, training: bool = False) -> dict:
        """Normalize and pad the 2B images; annotate the B samples.

        Args:
            data (dict): ``inputs`` = ``[lefts, rights]`` and
                ``data_samples`` (B samples, list-valued ``img_shape``).
            training (bool): Training mode (unused beyond mmdet's).

        Returns:
            dict: ``inputs`` (2B, 3, H, W), interleaved as above, and the
            B ``data_samples`` with ``batch_input_shape`` and
            ``pad_shape``.
        """
        samples = data['data_samples']
        images = self.flatten_pairs(data['inputs'], len(samples))
        pad_shapes = self._get_pad_shape(dict(inputs=images))
        inputs = super().forward(
            dict(inputs=images, data_samples=None), training)['inputs']
        samples = self.cast_data(samples)
        batch_input_shape = tuple(inputs.shape[-2:])
        for i, sample in enumerate(samples):
            if len(sample.img_shape) != 2:
                raise ValueError(
                    f'sample {i}: img_shape must list two shapes (left, '
                    f'right), got {sample.img_shape!r}')
            sample.set_metainfo(
                dict(batch_input_shape=batch_input_shape,
                     pad_shape=pad_shapes[2 * i:2 * i + 2]))
        return dict(inputs=inputs, data_samples=samples)
