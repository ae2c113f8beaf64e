# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Per-sample random states: a function of (seed, epoch, sample index).

Random transforms (ITM negatives, token masking, flips, multi-scale
resize, the text drawn per image visit) read Python's ``random``,
NumPy's global generator or torch's CPU generator. In loader workers
these are per-worker streams, so the draws of a sample depend on which
worker loads it and on how many samples that worker loaded before: a
mid-epoch resume (or another ``num_workers``) changes them. Here each
sample's draws come from generators seeded by ``(seed, epoch, index)``
(fairseq's ``numpy_seed(seed, epoch, index)``) and are the same whatever
the workers and wherever a run resumes:

- :class:`E2EVLPSeededSampler` wraps the run's sampler and yields each
  index as a :class:`SeededIndex` carrying the sampler's seed and the
  epoch (for an ``InfiniteSampler``: the pass over the dataset);
- :class:`E2EVLPSeededDataset` wraps the dataset and loads a
  :class:`SeededIndex` inside :func:`seeded_sample`;
- :func:`seeded_loader_cfg` wraps both in a ``train_dataloader`` config
  (the E2E-VLP train loops do it unless ``seed_samples=False``).
"""
import copy
import hashlib
import random
from contextlib import contextmanager
from typing import Any, Iterator, Optional, Union

import numpy as np
import torch
from mmdet.registry import DATA_SAMPLERS, DATASETS
from mmengine.dataset import InfiniteSampler
from torch.utils.data import Dataset, Sampler


class SeededIndex(int):
    """A sample index that carries the seed and epoch of its draw.

    Args:
        index (int): The sample index.
        seed (int): The run's seed.
        epoch (int): The epoch (or pass over the dataset).
    """

    def __new__(cls, index: int, seed: int, epoch: int) -> 'SeededIndex':
        obj = super().__new__(cls, index)
        obj.seed, obj.epoch = int(seed), int(epoch)
        return obj

    def __reduce__(self):
        return SeededIndex, (int(self), self.seed, self.epoch)


def sample_seed(seed: int, epoch: int, index: int) -> int:
    """A 63-bit seed that depends on all of ``seed``, ``epoch``, ``index``.
    """
    digest = hashlib.blake2b(f'{seed}/{epoch}/{index}'.encode(),
                             digest_size=8).digest()
    return int.from_bytes(digest, 'little') >> 1


@contextmanager
def seeded_sample(seed: int, epoch: int, index: int) -> Iterator[None]:
    """Seed ``random``, NumPy's global and torch's CPU generators for one
    sample; restore their previous states afterwards.

    Restoring keeps model-side draws (dropout) of a main-process loader
    (``num_workers=0``) the same as without per-sample seeding.
    """
    states = (random.getstate(), np.random.get_state(),
              torch.random.get_rng_state())
    value = sample_seed(seed, epoch, index)
    random.seed(value)
    np.random.seed(value % 2**32)
    torch.manual_seed(value)
    try:
        yield
    finally:
        random.setstate(states[0])
        np.random.set_state(states[1])
        torch.random.set_rng_state(states[2])


@DATASETS.register_module()
class E2EVLPSeededDataset(Dataset):
    """Loads each :class:`SeededIndex` with per-sample seeded generators.

    Plain ``int`` indices load unchanged. Other attributes (``metainfo``,
    ``get_data_info``, ``full_init`` ...) are the wrapped dataset's.

    Args:
        dataset (Dataset | dict): The dataset, or its config.
    """

    def __init__(self, dataset: Union[Dataset, dict]) -> None:
        self.dataset = DATASETS.build(dataset) if isinstance(
            dataset, dict) else dataset

    def __getattr__(self, name: str) -> Any:
        if name == 'dataset':  # not set yet (unpickling)
            raise AttributeError(name)
        return getattr(self.dataset, name)

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, idx: int) -> Any:
        if not isinstance(idx, SeededIndex):
            return self.dataset[idx]
        with seeded_sample(idx.seed, idx.epoch, int(idx)):
            return self.dataset[int(idx)]


@DATA_SAMPLERS.register_module()
class E2EVLPSeededSampler(Sampler):
    """The wrapped sampler's indices as :class:`SeededIndex` es.

    The seed is the wrapped sampler's (mmengine gives it the run's
    ``randomness.seed``); the epoch is the one set by ``set_epoch``, or,
    for an :class:`~mmengine.dataset.InfiniteSampler`, the pass over the
    dataset the index belongs to.

    Args:
        sampler (dict): Config of the wrapped sampler.
        dataset (Dataset): The dataset (given by mmengine's runner).
        seed (int, optional): Given to the wrapped sampler.
    """

    def __init__(self, sampler: dict, dataset: Dataset,
                 seed: Optional[int] = None) -> None:
        self.sampler = DATA_SAMPLERS.build(
            sampler, default_args=dict(dataset=dataset, seed=seed))
        self.seed = getattr(self.sampler, 'seed', None)
        if self.seed is None:
            self.seed = 0 if seed is None else seed
        self.epoch = 0

    def __getattr__(self, name: str) -> Any:
        if name == 'sampler':
            raise AttributeError(name)
        return getattr(self.sampler, name)

    def __iter__(self) -> Iterator[SeededIndex]:
        inner = self.sampler
        if isinstance(inner, InfiniteSampler):
            # This rank's k-th index is the global position
            # rank + k * world_size of the endless permutation sequence.
            for k, idx in enumerate(inner):
                epoch = (inner.rank + k * inner.world_size) // inner.size
                yield SeededIndex(idx, self.seed, epoch)
        else:
            for idx in inner:
                yield SeededIndex(idx, self.seed, self.epoch)

    def __len__(self) -> int:
        return len(self.sampler)

    def set_epoch(self, epoch: int) -> None:
        """Set the epoch of the following indices (and the wrapped
        sampler's)."""
        self.epoch = epoch
        if hasattr(self.sampler, 'set_epoch'):
            self.sampler.set_epoch(epoch)


def seeded_loader_cfg(dataloader: Any,
                      default_seed: Optional[int] = None) -> Any:
    """A ``train_dataloader`` config with per-sample seeded randomness.

    Args:
        dataloader (dict | DataLoader): The loader config. A built loader
            is returned as it is.
        default_seed (int, optional): Seed of the sampler when its config
            names none (for a run without ``randomness.seed``, whose seed
            would otherwise be drawn anew by every start, a resume
            included).

    Returns:
        dict | DataLoader: A copy whose ``dataset`` is wrapped in
        :class:`E2EVLPSeededDataset` and ``sampler`` in
        :class:`E2EVLPSeededSampler` (each unless already wrapped).
    """
    if not isinstance(dataloader, dict):
        return dataloader
    cfg = copy.deepcopy(dataloader)
    if not isinstance(cfg.get('sampler'), dict):
        raise ValueError('per-sample seeding needs train_dataloader.sampler '
                         f'as a config dict, got {cfg.get("sampler")!r}')
    if cfg['sampler'].get('type') != 'E2EVLPSeededSampler':
        if default_seed is not None:
            cfg['sampler'].setdefault('seed', default_seed)
        cfg['sampler'] = dict(type='E2EVLPSeededSampler',
                              sampler=cfg['sampler'])
    dataset = cfg['dataset']
    if not (isinstance(dataset, E2EVLPSeededDataset) or (isinstance(
            dataset, dict) and dataset.get('type') == 'E2EVLPSeededDataset')):
        cfg['dataset'] = dict(type='E2EVLPSeededDataset', dataset=dataset)
    return cfg
