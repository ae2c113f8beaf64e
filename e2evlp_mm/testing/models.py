# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Building tiny models and checking their gradients in tests."""
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
