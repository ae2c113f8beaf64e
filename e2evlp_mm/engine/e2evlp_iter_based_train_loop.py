# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""mmengine's iteration-based loop with an exact resume."""
from mmdet.registry import LOOPS
from mmengine.runner import IterBasedTrainLoop

from .resumed_data import ResumedInfiniteIterator, restore_saved_rng
from .seeded_samples_loop import SeededSamplesLoopMixin


@LOOPS.register_module()
class E2EVLPIterBasedTrainLoop(SeededSamplesLoopMixin, IterBasedTrainLoop):
    """:class:`~mmengine.runner.IterBasedTrainLoop` that resumes exactly.

    mmengine resumes by loading (and discarding) every batch already
    trained, with the random generators re-seeded: slow, and random
    masking / ITM negatives / flips / dropout then differ from the run
    that was interrupted. This loop skips the trained batches' indices
    without loading them and restores the random states saved with the
    checkpoint (:class:`E2EVLPCheckpointHook`), so an interrupted and
    resumed run trains on the same batches with the same random draws as
    one that never stopped.

    Arguments are mmengine's, plus ``seed_samples`` (default True, see
    :class:`SeededSamplesLoopMixin`): each sample's random transforms
    draw from generators seeded by (seed, epoch, sample index).
    """

    def run(self) -> None:
        """Launch (or continue) training."""
        # Also from iteration 0: the loader's workers then start after the
        # before_train hooks (E2EVLPPreemptionHook sets them up).
        self.dataloader_iterator = ResumedInfiniteIterator(
            self.dataloader, self._iter,
            lambda: restore_saved_rng(self.runner, 'iter'))
        return super().run()
