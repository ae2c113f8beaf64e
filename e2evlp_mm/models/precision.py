# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Losses, matching and box decoding in fp32 under mixed precision.

Under ``torch.autocast`` (``--amp``: fp16 on GPUs, or bf16) the network
runs in half precision, but what follows the last layer must not: box
areas of an 800x1333 image exceed fp16's 65504 (GIoU turns inf / NaN),
bf16 moves coordinates above 1024 px in steps of 8, and softmax /
log-sum-exp losses lose their small terms. :func:`fp32` wraps such a
function: its floating-point tensor arguments arrive as fp32 and autocast
is off inside, so it computes exactly what it computes without autocast.
"""
import functools
from contextlib import ExitStack
from typing import Any, Callable, TypeVar

import torch
from torch import Tensor

Fn = TypeVar('Fn', bound=Callable[..., Any])
# the device types torch.autocast may be enabled for here
_DEVICE_TYPES = ('cpu', 'cuda')


def to_fp32(value: Any) -> Any:
    """Cast floating-point tensors to fp32, also inside lists, tuples and
    dicts; everything else (integer / bool tensors, ``None``, data
    samples) is returned as it is.

    Args:
        value (Any): A tensor or a container of tensors.

    Returns:
        Any: The same structure with fp32 floating-point tensors.
    """
    if isinstance(value, Tensor):
        return value.float() if value.is_floating_point() else value
    if isinstance(value, (list, tuple)) and not hasattr(value, '_fields'):
        return type(value)(to_fp32(v) for v in value)
    if type(value) is dict:
        return {k: to_fp32(v) for k, v in value.items()}
    return value


def fp32(fn: Fn) -> Fn:
    """Decorate a loss, matching or decoding function to run in fp32.

    Floating-point tensor arguments (also in lists / tuples / dicts) are
    cast to fp32 and every enabled autocast is disabled for the call, so
    the result is the fp32 computation on the half-precision inputs'
    values; gradients flow back to the inputs in their own dtype. Without
    autocast and with fp32 inputs it changes nothing.

    Args:
        fn (callable): Function or method.

    Returns:
        callable: The wrapped function.
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with ExitStack() as stack:
            for device_type in _DEVICE_TYPES:
                if torch.is_autocast_enabled(device_type):
                    stack.enter_context(
                        torch.autocast(device_type, enabled=False))
            return fn(*to_fp32(args), **to_fp32(kwargs))

    return wrapper
