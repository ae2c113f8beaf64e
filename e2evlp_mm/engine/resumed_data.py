# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Continue an epoch's sample order after a mid-epoch resume.

The sampler's order of an epoch depends only on its seed and epoch, so
the batches not yet trained are the sampler's batches after the first
``done``: :func:`remaining_loader` drops those index lists (no sample is
loaded for them) and loads the rest with the original loader's settings.
"""
import itertools
from typing import Callable, Iterator, List

import torch
from mmengine.dataset import InfiniteSampler
from mmengine.logging import print_log
from mmengine.runner.loops import _InfiniteDataloaderIterator
from torch.utils.data import DataLoader

from .rng_state import RNG_KEY, restore_rng_states


class _SkipBatches:
    """A batch sampler without its first ``skip`` batches."""

    def __init__(self, batch_sampler, skip: int) -> None:
        self.batch_sampler = batch_sampler
        self.skip = skip

    def __iter__(self) -> Iterator[List[int]]:
        return itertools.islice(iter(self.batch_sampler), self.skip, None)

    def __len__(self) -> int:
        return max(len(self.batch_sampler) - self.skip, 0)


def remaining_loader(dataloader: DataLoader, done: int) -> DataLoader:
    """``dataloader`` for the current epoch without its first batches.

    Args:
        dataloader (DataLoader): The training loader (its sampler already
            set to the epoch).
        done (int): Batches of this epoch already trained.

    Returns:
        DataLoader: A loader yielding batches ``done, done + 1, ...`` of
        the epoch, with the same dataset, collate function, workers and
        worker seeding.
    """
    if dataloader.batch_sampler is None:
        raise ValueError('a mid-epoch resume needs a batched DataLoader '
                         '(batch_size set), not batch_size=None')
    workers = dataloader.num_workers
    return DataLoader(
        dataloader.dataset,
        batch_sampler=_SkipBatches(dataloader.batch_sampler, done),
        num_workers=workers,
        collate_fn=dataloader.collate_fn,
        pin_memory=dataloader.pin_memory,
        timeout=dataloader.timeout,
        worker_init_fn=dataloader.worker_init_fn,
        multiprocessing_context=dataloader.multiprocessing_context,
        generator=dataloader.generator,
        prefetch_factor=dataloader.prefetch_factor if workers else None,
        persistent_workers=False)


def restore_saved_rng(runner, point: str) -> None:
    """Restore the random states saved with the resumed checkpoint.

    Args:
        runner (Runner): The runner (its message hub holds the states).
        point (str): Where the caller is: ``'iter'`` (between two
            iterations, just before the next batch is loaded) or
            ``'epoch'`` (before the next epoch starts). States saved at
            another point are left for that point.
    """
    saved = runner.message_hub.get_info(RNG_KEY)
    if not saved or saved.get('point') != point:
        return
    runner.message_hub.pop_info(RNG_KEY)
    if restore_rng_states(saved['states']):
        print_log('Random states restored from the checkpoint.',
                  logger='current')


class ResumedInfiniteIterator(_InfiniteDataloaderIterator):
    """mmengine's infinite iterator, resumed after ``done`` batches.

    :class:`~mmengine.runner.IterBasedTrainLoop` advances its iterator
    ``done`` times on resume; here those calls return None without
    loading anything, and the first real one starts the sampler's order
    where the checkpoint left it (then calls ``on_start``). The loader
    is iterated (its workers started) only then, after the
    ``before_train`` hooks.

    Args:
        dataloader (DataLoader): The training loader.
        done (int): Iterations already trained.
        on_start (callable): Called once the loader of the remaining
            batches exists, before its first batch is loaded.
    """

    def __init__(self, dataloader: DataLoader, done: int,
                 on_start: Callable[[], None]) -> None:
        self._dataloader = dataloader
        self._skip = done
        self._on_start = on_start
        self._iterator = None
        sampler = getattr(dataloader.sampler, 'sampler', dataloader.sampler)
        if isinstance(sampler, InfiniteSampler):
            self._epoch, self._offset = 0, done
        else:  # a finite sampler restarts every len(dataloader) batches
            self._epoch, self._offset = divmod(done, len(dataloader))

    def __next__(self):
        if self._skip:
            self._skip -= 1
            return None
        if self._iterator is None:
            if hasattr(self._dataloader.sampler, 'set_epoch'):
                self._dataloader.sampler.set_epoch(self._epoch)
            # mmengine's iterator drew its worker base seed from the
            # global generator at build time; this one must not draw
            # again (a fresh run stays identical to mmengine's loop).
            with torch.random.fork_rng(devices=[]):
                self._iterator = iter(
                    remaining_loader(self._dataloader, self._offset)
                    if self._offset else self._dataloader)
            self._on_start()
        return super().__next__()
