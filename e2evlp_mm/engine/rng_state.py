# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Random states of every rank, saved in checkpoints for exact resume.

Masking, ITM negatives, flips (in the main process with
``num_workers=0``) and dropout draw from Python's, NumPy's and PyTorch's
global generators. mmengine re-seeds them on resume, which restarts their
streams; saving the states where a checkpoint is taken and restoring them
where the resumed run takes over continues them instead.

The states ride in the message hub's runtime info (which mmengine saves
in every checkpoint and restores on resume) under :data:`RNG_KEY`, as
tensors and ints only, so ``torch.load(weights_only=True)`` reads them.
"""
import random
from typing import List, Optional

import numpy as np
import torch
from mmengine.dist import all_gather_object, get_rank, get_world_size
from mmengine.logging import print_log

RNG_KEY = 'e2evlp_rng_states'


def _get_state() -> dict:
    version, mt, gauss = random.getstate()
    name, keys, pos, has_gauss, cached = np.random.get_state()
    state = dict(
        python=(version, torch.tensor(mt, dtype=torch.int64), gauss),
        numpy=(name, torch.from_numpy(keys.astype(np.int64)), int(pos),
               int(has_gauss), float(cached)),
        torch=torch.get_rng_state())
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state['cuda'] = torch.cuda.get_rng_state_all()
    return state


def _set_state(state: dict) -> None:
    version, mt, gauss = state['python']
    random.setstate((version, tuple(mt.tolist()), gauss))
    name, keys, pos, has_gauss, cached = state['numpy']
    np.random.set_state(
        (name, keys.numpy().astype(np.uint32), pos, has_gauss, cached))
    torch.set_rng_state(state['torch'])
    if 'cuda' in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state['cuda'])


def gather_rng_states() -> List[dict]:
    """The random states of all ranks (a collective: call on every rank).

    Returns:
        list[dict]: One state per rank, in rank order.
    """
    state = _get_state()
    if get_world_size() == 1:
        return [state]
    return all_gather_object(state)


def restore_rng_states(states: Optional[List[dict]]) -> bool:
    """Restore this rank's state saved by :func:`gather_rng_states`.

    Args:
        states (list[dict] | None): The saved states.

    Returns:
        bool: Whether a state was restored (not when none was saved or
        the number of ranks changed).
    """
    if not states:
        return False
    if len(states) != get_world_size():
        print_log(
            f'The checkpoint holds random states of {len(states)} ranks, '
            f'this run has {get_world_size()}: random streams restart '
            'from the seed (the sample order is still continued).',
            logger='current', level=30)
        return False
    _set_state(states[get_rank()])
    return True
