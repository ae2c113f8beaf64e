# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Distributed runs (``tools/dist_*.sh``) on a machine without a GPU."""
from mmdet.registry import MODEL_WRAPPERS
from mmengine.config import Config
from mmengine.device import get_device
from torch.nn.parallel import DistributedDataParallel


def fit_model_wrapper_to_device(cfg: Config) -> None:
    """Give DDP no device ids when the model stays on the CPU.

    mmengine 0.10.7 wraps the model in ``MMDistributedDataParallel`` with
    ``device_ids=[LOCAL_RANK]``, which DDP refuses for a module on the
    CPU (``ValueError: DistributedDataParallel device_ids and
    output_device arguments only work with single-device/multiple-device
    GPU modules``). Without a GPU the wrapper gets ``device_ids=None``;
    the rest of its config is kept, and without one it is mmengine's
    default (``broadcast_buffers=False``, ``find_unused_parameters`` from
    the config). The ``gloo`` backend is chosen in
    :mod:`e2evlp_mm.compat`. With a GPU nothing changes.

    Args:
        cfg (Config): The loaded config (with ``launcher``), changed in
            place.
    """
    if cfg.get('launcher', 'none') == 'none' or get_device() != 'cpu':
        return
    wrapper = cfg.get('model_wrapper_cfg') or dict(
        broadcast_buffers=False,
        find_unused_parameters=cfg.get('find_unused_parameters', False))
    wrapper.setdefault('type', 'MMDistributedDataParallel')
    wrapper_type = MODEL_WRAPPERS.get(wrapper['type'])
    if isinstance(wrapper_type, type) and issubclass(
            wrapper_type, DistributedDataParallel):
        wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper
