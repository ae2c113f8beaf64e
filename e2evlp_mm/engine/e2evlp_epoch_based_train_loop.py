# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""mmengine's epoch-based loop that can resume in the middle of an epoch."""
from mmdet.registry import LOOPS
from mmengine.logging import print_log
from mmengine.runner import EpochBasedTrainLoop

from .resumed_data import remaining_loader, restore_saved_rng
from .seeded_samples_loop import SeededSamplesLoopMixin


@LOOPS.register_module()
class E2EVLPEpochBasedTrainLoop(SeededSamplesLoopMixin, EpochBasedTrainLoop):
    """:class:`~mmengine.runner.EpochBasedTrainLoop` with mid-epoch resume.

    A checkpoint taken within an epoch (:class:`E2EVLPCheckpointHook`'s
    ``iter_interval``, or a preemption) stores the current epoch and the
    iterations done. mmengine would restart that epoch from its first
    batch; this loop continues the epoch's sample order from the first
    batch not yet trained (earlier ones are skipped by index, never
    loaded), with the random states saved in the checkpoint.

    Arguments are mmengine's, plus ``seed_samples`` (default True, see
    :class:`SeededSamplesLoopMixin`): each sample's random transforms
    draw from generators seeded by (seed, epoch, sample index).
    """

    def run_epoch(self) -> None:
        """Iterate the (rest of the) current epoch."""
        restore_saved_rng(self.runner, 'epoch')
        self.runner.call_hook('before_train_epoch')
        self.runner.model.train()
        done = self._iter - self._epoch * len(self.dataloader)
        loader = self.dataloader
        if done > 0:
            print_log(
                f'Epoch {self._epoch + 1} continues after its batch {done} '
                f'of {len(self.dataloader)}.', logger='current')
            loader = remaining_loader(self.dataloader, done)
        batches = iter(loader)
        restore_saved_rng(self.runner, 'iter')
        for idx, data_batch in enumerate(batches, start=max(done, 0)):
            self.run_iter(idx, data_batch)
        self.runner.call_hook('after_train_epoch')
        self._epoch += 1
