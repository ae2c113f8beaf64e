# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Building tiny models and checking their gradients in tests; building
any config's model without its files (benchmarks, FLOPs)."""
import os.path as osp
from typing import List, Optional

import torch
from mmdet.registry import MODELS
from mmengine.config import Config
from mmengine.registry import init_default_scope
from torch import nn


def build_model_from(config: str,
                     seed: int = 0,
                     replace: Optional[dict] = None,
                     **overrides) -> nn.Module:
    """The ``model`` of a config file, built and initialised reproducibly.

    Args:
        config (str): Path of a config file (e.g. a tiny test config).
        seed (int): ``torch.manual_seed`` before building.
        replace (dict, optional): Top-level keys of the model dict to
            replace wholesale (e.g. another ``backbone``).
        **overrides: Top-level keys of the model dict to update (nested
            dicts are merged, as ``ConfigDict.update`` does).

    Returns:
        nn.Module: The model after ``init_weights()``.
    """
    init_default_scope('mmdet')
    cfg = Config.fromfile(config).model
    cfg.update(overrides)
    for key, value in (replace or {}).items():
        cfg[key] = value
    torch.manual_seed(seed)
    model = MODELS.build(cfg)
    model.init_weights()
    return model


def build_model_without_files(cfg: Config) -> nn.Module:
    """A config's model with random weights and no file to read.

    No pre-trained backbone or text weights are loaded; a tokenizer folder
    that is not here leaves the text embedding's base vocabulary size and
    ids, and head sizes given as missing vocabulary files become VG's
    (BUTD) 1600 classes / 400 attributes. The paper configs build on any
    machine this way.

    Args:
        cfg (Config): A full config (its ``model`` is changed in place).

    Returns:
        nn.Module: The model after ``init_weights()``.
    """
    model_cfg = cfg.model
    model_cfg.backbone.init_cfg = None
    text_cfg = model_cfg.get('text_cfg')
    if text_cfg is not None:
        text_cfg.init_from = None
        path = text_cfg.get('tokenizer_path')
        if path is not None and not osp.isdir(path):
            text_cfg.tokenizer_path = None  # base vocab_size and ids stay
    head = model_cfg.get('bbox_head')
    for key, size in (('num_classes', 1600), ('num_attributes', 400)):
        if head is not None and isinstance(head.get(key), str) and \
                not osp.isfile(head[key]):
            head[key] = size
    model = MODELS.build(model_cfg)
    model.init_weights()
    return model


def params_without_grad(model: nn.Module) -> List[str]:
    """Names of trainable parameters that got no gradient (after a
    backward): with DDP, each one is an "unused parameter" error.

    Args:
        model (nn.Module): A model after ``loss.backward()``.

    Returns:
        list[str]: Parameter names, empty when every one has a gradient.
    """
    return [
        name for name, param in model.named_parameters()
        if param.requires_grad and param.grad is None
    ]


def assert_every_param_has_grad(model: nn.Module) -> None:
    """Fail naming the trainable parameters without a gradient.

    Args:
        model (nn.Module): A model after ``loss.backward()``.

    Raises:
        AssertionError: If any trainable parameter has no gradient.
    """
    missing = params_without_grad(model)
    assert not missing, f'parameters without gradient: {missing}'
