# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Random E2E-VLP batches for tests (no tokenizer, no files)."""
from typing import Dict, Optional, Sequence, Tuple

import torch
from mmdet.models.data_preprocessors import DetDataPreprocessor
from mmdet.structures import DetDataSample, SampleList
from mmengine.structures import InstanceData
from torch import Tensor

# ids below FIRST_WORD_ID are reserved for special tokens in random texts
FIRST_WORD_ID = 5


def _random_boxes(num: int, h: int, w: int, gen: torch.Generator) -> Tensor:
    """``num`` valid xyxy boxes inside an ``h`` x ``w`` image."""
    xy = torch.rand(num, 2, generator=gen) * torch.tensor([w, h]) * 0.6
    wh = (torch.rand(num, 2, generator=gen) * 0.3 + 0.1) * torch.tensor(
        [w, h])
    return torch.cat([xy, (xy + wh).minimum(torch.tensor([w, h]))], 1)


def _random_text(length: int, vocab_size: int, bos_id: int, eos_id: int,
                 gen: torch.Generator) -> Tensor:
    """``[BOS] w1..w(length-2) [EOS]`` with random word ids."""
    words = torch.randint(
        FIRST_WORD_ID, vocab_size, (length - 2, ), generator=gen)
    return torch.cat(
        [torch.tensor([bos_id]), words,
         torch.tensor([eos_id])]).long()


def make_e2evlp_batch(
    batch_size: int = 2,
    image_sizes: Sequence[Tuple[int, int]] = ((64, 64), ),
    num_classes: int = 5,
    num_attributes: int = 4,
    vocab_size: int = 50,
    pad_id: int = 0,
    bos_id: int = 1,
    eos_id: int = 2,
    mask_id: int = 3,
    num_gts: Sequence[int] = (3, ),
    text_lengths: Sequence[int] = (8, 6),
    caption_lengths: Sequence[int] = (7, 5),
    seed: int = 0,
    training: bool = True,
    data_preprocessor: Optional[DetDataPreprocessor] = None
) -> Tuple[Tensor, SampleList]:
    """A random batch following ``docs/data_contract.md``, preprocessed.

    Per-sample sequences (``image_sizes``, ``num_gts``, ``text_lengths``,
    ``caption_lengths``) are cycled over the batch. Every third object has
    no attribute (``-1``); each text has at least one masked token; ITM
    labels alternate 1, 0.

    Args:
        batch_size (int): Number of samples B.
        image_sizes (Sequence[tuple[int, int]]): ``(h, w)`` per sample.
        num_classes (int): Object classes.
        num_attributes (int): Attribute classes.
        vocab_size (int): Vocabulary size; words are drawn from
            ``[5, vocab_size)``.
        pad_id, bos_id, eos_id, mask_id (int): Special ids (pad is unused
            here: the model pads).
        num_gts (Sequence[int]): Objects per image (0 gives empty targets).
        text_lengths (Sequence[int]): ``len(text_ids)`` per sample, >= 3.
        caption_lengths (Sequence[int]): ``len(caption_ids)``, >= 2.
        seed (int): Seed of the private generator.
        training (bool): Passed to the data preprocessor.
        data_preprocessor (DetDataPreprocessor, optional): Defaults to
            mmdet's with DETR's ImageNet mean/std and no size divisor.

    Returns:
        tuple[Tensor, list[:obj:`DetDataSample`]]: Normalized, padded
        images (B, 3, H, W) and their samples (with ``batch_input_shape``).
    """
    del pad_id
    gen = torch.Generator().manual_seed(seed)
    images, samples = [], []
    for i in range(batch_size):
        h, w = image_sizes[i % len(image_sizes)]
        images.append(torch.randint(0, 256, (3, h, w), generator=gen).byte())
        ds = DetDataSample(
            metainfo=dict(
                img_id=i,
                img_path=f'random_{i}.jpg',
                ori_shape=(h, w),
                img_shape=(h, w),
                scale_factor=(1.0, 1.0),
                text=f'random text {i}',
                caption=f'random caption {i}'))
        n = num_gts[i % len(num_gts)]
        attributes = torch.randint(
            0, num_attributes, (n, ), generator=gen).long()
        attributes[::3] = -1
        ds.gt_instances = InstanceData(
            bboxes=_random_boxes(n, h, w, gen),
            labels=torch.randint(0, num_classes, (n, ), generator=gen),
            attributes=attributes)
        text = _random_text(text_lengths[i % len(text_lengths)], vocab_size,
                            bos_id, eos_id, gen)
        masked = torch.rand(len(text), generator=gen) < 0.3
        masked[1] = True
        masked[0] = masked[-1] = False
        ds.mlm_labels = torch.where(masked, text, torch.full_like(text, -100))
        ds.text_ids = text.masked_fill(masked, mask_id)
        ds.itm_label = torch.tensor(1 - i % 2)
        ds.caption_ids = _random_text(
            caption_lengths[i % len(caption_lengths)], vocab_size, bos_id,
            eos_id, gen)
        samples.append(ds)
    if data_preprocessor is None:
        data_preprocessor = DetDataPreprocessor(
            mean=[123.675, 116.28, 103.53],
            std=[58.395, 57.12, 57.375],
            bgr_to_rgb=True,
            pad_size_divisor=1)
    data: Dict = data_preprocessor(
        dict(inputs=images, data_samples=samples), training=training)
    return data['inputs'], data['data_samples']
