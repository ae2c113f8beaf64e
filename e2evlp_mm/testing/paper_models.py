# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Paper-config models shrunk in size only, and a random batch for each.

The model dict of ``configs/<name>.py`` goes through
:func:`~e2evlp_mm.testing.paper_path.shrink_config` (backbone depth,
layers, queries); the data-dependent sizes (vocabulary, classes,
attributes, answer list) come from small stand-ins so that no ``data/``
folder is needed. Heads, losses, assigners, match costs and dropout are
the paper config's.
"""
import os.path as osp
from typing import Tuple

import torch
from mmdet.registry import MODELS
from mmdet.structures import SampleList
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope
from torch import Tensor, nn

from .batch import make_e2evlp_batch
from .paper_path import ROOT, shrink_config

# every model type of the paper: pre-training (6 and 12 layers), the
# Table 3 ablations, detection with text and the downstream tasks
PAPER_MODELS = (
    'e2evlp_r50_6l_pretrain', 'e2evlp_r152_pretrain',
    'e2evlp_r50_6l_pretrain_no_attr', 'e2evlp_r50_6l_pretrain_no_caption',
    'e2evlp_r50_6l_pretrain_no_det', 'e2evlp_r152_coco_det',
    'e2evlp_r152_vqa', 'e2evlp_r152_nlvr2', 'e2evlp_r152_caption',
    'e2evlp_r152_retrieval_flickr30k')
ANSWER_LIST = osp.join(ROOT, 'tests', 'data', 'hand_made', 'vqa',
                       'answer_list.json')
VOCAB_SIZE, NUM_CLASSES, NUM_ATTRIBUTES = 50, 5, 4
# the paper's sizes: BERT's vocabulary, VG's 1600 objects / 400 attributes
PAPER_SIZES = dict(vocab_size=None, num_classes=1600, num_attributes=400)


def build_paper_model(name: str,
                      seed: int = 0,
                      shrink: bool = True,
                      answer_list: str = ANSWER_LIST,
                      **shrink_args) -> nn.Module:
    """Build ``configs/<name>.py``'s model, shrunk in size only.

    Args:
        name (str): Config name without ``.py``.
        seed (int): ``torch.manual_seed`` before building.
        shrink (bool): Apply :func:`shrink_config` and small vocabulary,
            class and attribute counts; False keeps the paper's model
            (its backbone without ImageNet weights, the vocabulary of the
            config, VG's 1600 / 400 classes for the vocabulary files).
        answer_list (str): VQA answer list (its length sizes the head).
        **shrink_args: Keyword arguments of :func:`shrink_config`
            (``depth``, ``layers``).

    Returns:
        nn.Module: The initialised model, in train mode.
    """
    init_default_scope('mmdet')
    cfg = Config.fromfile(osp.join(ROOT, 'configs', f'{name}.py'))
    model = (shrink_config(cfg, **shrink_args) if shrink else cfg).model
    model.backbone.init_cfg = None
    sizes = dict(vocab_size=VOCAB_SIZE, num_classes=NUM_CLASSES,
                 num_attributes=NUM_ATTRIBUTES) if shrink else PAPER_SIZES
    model.text_cfg.pop('tokenizer_path', None)
    if sizes['vocab_size']:
        model.text_cfg.update(vocab_size=sizes['vocab_size'], pad_id=0,
                              bos_id=1, eos_id=2)
    head = model.get('bbox_head')
    for key in ('num_classes', 'num_attributes'):
        if head and isinstance(head.get(key), str):  # a vocabulary file
            head[key] = sizes[key]
    if model.get('vqa_head'):
        model.vqa_head.answer_list_path = answer_list
    torch.manual_seed(seed)
    built = MODELS.build(model)
    built.init_weights()
    return built


def paper_batch(model: nn.Module, batch_size: int = 2,
                image_size: Tuple[int, int] = (32, 32),
                training: bool = True) -> Tuple[Tensor, SampleList]:
    """A preprocessed random batch with every field ``model`` trains on.

    Args:
        model (nn.Module): From :func:`build_paper_model`.
        batch_size (int): Samples (image pairs for NLVR2).
        image_size (tuple[int, int]): ``(h, w)`` of the first image; the
            others are smaller, so the batch is padded.
        training (bool): Passed to the data preprocessor.

    Returns:
        tuple[Tensor, list[:obj:`DetDataSample`]]: Inputs and samples.
    """
    h, w = image_size
    sizes = ((h, w), (h * 3 // 4, w))
    if type(model).__name__ == 'E2EVLPNLVR2':
        return _nlvr2_batch(model, batch_size, sizes, training)
    inputs, samples = make_e2evlp_batch(
        batch_size, image_sizes=sizes, num_classes=NUM_CLASSES,
        num_attributes=NUM_ATTRIBUTES,
        vocab_size=model.head_args['vocab_size'], training=training,
        data_preprocessor=model.data_preprocessor)
    vqa_head = getattr(model, 'vqa_head', None)
    for i, ds in enumerate(samples):
        if vqa_head is not None:
            ds.answer_scores = torch.zeros(vqa_head.num_answers)
            ds.answer_scores[i % vqa_head.num_answers] = 1.0
            ds.answer_scores[-1] = 0.3
    return inputs, samples


def _nlvr2_batch(model: nn.Module, batch_size: int, sizes: tuple,
                 training: bool) -> Tuple[Tensor, SampleList]:
    """Image pairs collated as the runner does, then preprocessed."""
    _, samples = make_e2evlp_batch(
        batch_size, image_sizes=sizes,
        vocab_size=model.head_args['vocab_size'])
    gen = torch.Generator().manual_seed(0)
    batch = []
    for i, ds in enumerate(samples):
        pair = (sizes[i % 2], sizes[(i + 1) % 2])
        ds.set_metainfo(dict(img_shape=list(pair), ori_shape=list(pair)))
        ds.nlvr_label = torch.tensor(i % 2)
        images = [
            torch.randint(0, 256, (3, *s), generator=gen).byte()
            for s in pair
        ]
        batch.append(dict(inputs=images, data_samples=ds))
    out = model.data_preprocessor(pseudo_collate(batch), training=training)
    return out['inputs'], out['data_samples']
