# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""The ``seed_samples`` switch of the E2E-VLP train loops."""
from ..datasets.seeded_samples import seeded_loader_cfg


class SeededSamplesLoopMixin:
    """Train-loop ``__init__`` that seeds each sample's randomness.

    Args:
        runner (Runner): The runner.
        dataloader (dict | DataLoader): The training loader.
        *args: The loop's (``max_iters`` / ``max_epochs`` ...).
        seed_samples (bool): Draw each sample's random transforms from
            generators seeded by (seed, epoch, sample index), see
            :func:`~e2evlp_mm.datasets.seeded_loader_cfg` (only for a
            loader config). A run without ``randomness.seed`` uses seed
            0 for its sampler (and so for the samples), so that a resume
            continues the same order and draws. Defaults to True.
        **kwargs: The loop's.
    """

    def __init__(self, runner, dataloader, *args,
                 seed_samples: bool = True, **kwargs) -> None:
        if seed_samples:
            randomness = getattr(runner, '_randomness_cfg', None) or {}
            dataloader = seeded_loader_cfg(
                dataloader,
                default_seed=0 if randomness.get('seed') is None else None)
        super().__init__(runner, dataloader, *args, **kwargs)
