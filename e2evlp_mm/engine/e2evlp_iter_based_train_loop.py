# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""mmengine's iteration-based loop with an exact resume."""
from mmdet.registry import LOOPS
from mmengine.runner import IterBasedTrainLoop

from ..datasets.seeded_samples import seeded_loader_cfg
from .resumed_data import ResumedInfiniteIterator, restore_saved_rng


@LOOPS.register_module()
class E2EVLPIterBasedTrainLoop(IterBasedTrainLoop):
    """:class:`~mmengine.runner.IterBasedTrainLoop` that resumes exactly.

    mmengine resumes by loading (and discarding) every batch already
    trained, with the random generators re-seeded: slow, and random
    masking / ITM negatives / flips / dropout then differ from the run
    that was interrupted. This loop skips the trained batches' indices
    without loading them and restores the random states saved with the
    checkpoint (:class:`E2EVLPCheckpointHook`), so an interrupted and
    resumed run trains on the same batches with the same random draws as
    one that never stopped.

    Args:
        runner (Runner): The runner.
        dataloader (dict | DataLoader): The training loader.
        *args: mmengine's (``max_iters``, ``val_begin`` ...).
        seed_samples (bool): Draw each sample's random transforms from
            generators seeded by (seed, pass over the dataset, sample
            index), see :func:`~e2evlp_mm.datasets.seeded_loader_cfg`
            (only for a loader config). Defaults to True.
        **kwargs: mmengine's.
    """

    def __init__(self, runner, dataloader, *args,
                 seed_samples: bool = True, **kwargs) -> None:
        if seed_samples:
            dataloader = seeded_loader_cfg(dataloader)
        super().__init__(runner, dataloader, *args, **kwargs)

    def run(self) -> None:
        """Launch (or continue) training."""
        # Also from iteration 0: the loader's workers then start after the
        # before_train hooks (E2EVLPPreemptionHook sets them up).
        self.dataloader_iterator = ResumedInfiniteIterator(
            self.dataloader, self._iter,
            lambda: restore_saved_rng(self.runner, 'iter'))
        return super().run()
