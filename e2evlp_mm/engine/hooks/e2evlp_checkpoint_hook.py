# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Checkpoints that are complete or absent, also within an epoch."""
import os.path as osp
import time
from typing import Optional

from mmdet.registry import HOOKS
from mmengine.dist import is_main_process
from mmengine.hooks import CheckpointHook
from mmengine.model import is_model_wrapper

from ..atomic_file import ATOMIC_BACKEND, E2EVLPCheckpointError, atomic_write
from ..checkpoint_paths import resolve_checkpoint
from ..rng_state import RNG_KEY, gather_rng_states


@HOOKS.register_module()
class E2EVLPCheckpointHook(CheckpointHook):
    """mmengine's :class:`~mmengine.hooks.CheckpointHook`, made safe.

    * Every checkpoint is written to a temporary name, synced and renamed
      (:mod:`..atomic_file`); ``last_checkpoint`` is replaced the same way
      and only after; outdated checkpoints are removed only after the new
      one is complete (mmengine removes first).
    * A full disk stops the run with a message naming the previous,
      intact checkpoint.
    * ``iter_interval``: an epoch-based run also saves ``iter_N.pth``
      every ``iter_interval`` iterations, keeping only the newest of
      these; :class:`E2EVLPEpochBasedTrainLoop` resumes it mid-epoch.
    * Each checkpoint carries the random states of all ranks, restored by
      the E2E-VLP train loops on resume.
    * ``--resume`` with a checkpoint whose weights do not fit the model
      (another config) is refused, naming the file.

    Args:
        iter_interval (int): Mid-epoch checkpoint interval in iterations;
            -1 (default) for none. Only used when ``by_epoch``.
        **kwargs: :class:`~mmengine.hooks.CheckpointHook`'s arguments
            (``backend_args`` defaults to the atomic local backend).
    """

    def __init__(self, *, iter_interval: int = -1, **kwargs) -> None:
        if kwargs.get('backend_args') is None and \
                kwargs.get('file_client_args') is None:
            kwargs['backend_args'] = dict(backend=ATOMIC_BACKEND)
        super().__init__(**kwargs)
        self.iter_interval = iter_interval
        self._mid_epoch_ckpt: Optional[str] = None

    def _write(self, runner, filename: str, meta: dict, by_epoch: bool,
               point: str) -> str:
        """Save a checkpoint (on every rank), then point to it."""
        path = self.file_backend.join_path(self.out_dir, filename)
        start = time.perf_counter()
        runner.message_hub.update_info(
            RNG_KEY, dict(point=point, states=gather_rng_states()))
        try:
            runner.save_checkpoint(
                self.out_dir, filename, self.file_client_args,
                save_optimizer=self.save_optimizer,
                save_param_scheduler=self.save_param_scheduler,
                meta=meta, by_epoch=by_epoch,
                backend_args=self.backend_args, **self.args)
        except E2EVLPCheckpointError as error:
            raise E2EVLPCheckpointError(
                f'{error} {self._previous(runner)}') from error
        finally:
            runner.message_hub.pop_info(RNG_KEY)
        self.last_ckpt = path
        runner.message_hub.update_info('last_ckpt', path)
        if is_main_process():
            atomic_write(osp.join(runner.work_dir, 'last_checkpoint'), path)
            runner.logger.info(
                f'Saved {path} ({osp.getsize(path) / 2**20:.1f} MiB) in '
                f'{time.perf_counter() - start:.2f} s')
        return path

    def _previous(self, runner) -> str:
        previous = self.last_ckpt or runner.message_hub.get_info('last_ckpt')
        if previous is None:
            return 'No earlier checkpoint of this run exists.'
        try:
            previous = resolve_checkpoint(previous, runner.work_dir)
        except FileNotFoundError:
            pass
        return (f'The previous checkpoint {previous} is intact; free space, '
                f'then resume with --resume {previous}')

    def _save_checkpoint_with_step(self, runner, step, meta) -> None:
        outdated = None
        keep = getattr(self, 'keep_ckpt_ids', None)
        if self.max_keep_ckpts > 0 and not (keep and keep[-1] == step):
            if len(keep) == self.max_keep_ckpts:
                outdated = keep.popleft()
            keep.append(step)
            # saved with the checkpoint: a resumed run removes what it
            # replaces
            runner.message_hub.update_info('keep_ckpt_ids', list(keep))
        self._write(runner, self.filename_tmpl.format(step), meta,
                    self.by_epoch, 'epoch' if self.by_epoch else 'iter')
        if outdated is not None:
            self._remove(self.filename_tmpl.format(outdated))

    def _remove(self, filename: str) -> None:
        path = self.file_backend.join_path(self.out_dir, filename)
        if is_main_process() and self.file_backend.isfile(path):
            self.file_backend.remove(path)

    def save_iteration(self, runner) -> str:
        """Save the state after the current iteration (mid-epoch).

        Called within ``after_train_iter``. An iteration-based run saves
        a regular checkpoint; an epoch-based one ``iter_N.pth``, replacing
        the previous mid-epoch checkpoint.

        Returns:
            str: The checkpoint's path.
        """
        step = runner.iter + 1
        name = (self.filename_tmpl if not self.by_epoch else
                'iter_{}.pth').format(step)
        if self.last_ckpt is not None and \
                osp.basename(self.last_ckpt) == name:
            return self.last_ckpt  # this iteration is saved already
        if not self.by_epoch:
            self._save_checkpoint(runner)
            return self.last_ckpt
        path = self._write(runner, name, dict(epoch=runner.epoch, iter=step),
                           False, 'iter')
        previous, self._mid_epoch_ckpt = self._mid_epoch_ckpt, path
        if previous is not None and previous != path:
            self._remove(osp.basename(previous))
        return path

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        """Save the iteration- or mid-epoch checkpoint when it is due."""
        super().after_train_iter(runner, batch_idx, data_batch, outputs)
        if (self.by_epoch and self.iter_interval > 0
                and self.every_n_train_iters(runner, self.iter_interval)
                and not self.end_of_epoch(runner.train_dataloader,
                                          batch_idx)):
            runner.logger.info(
                f'Saving mid-epoch checkpoint at {runner.iter + 1} '
                'iterations')
            self.save_iteration(runner)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Refuse to resume from a checkpoint of another model."""
        if not getattr(runner, '_resume', False):
            return  # load_from may initialize another model on purpose
        model = runner.model.module if is_model_wrapper(runner.model) \
            else runner.model
        own = {k: tuple(v.shape) for k, v in model.state_dict().items()}
        theirs = {
            k[len('module.'):] if k.startswith('module.') else k:
            tuple(getattr(v, 'shape', ()))
            for k, v in checkpoint.get('state_dict', {}).items()
        }
        missing = sorted(own.keys() - theirs.keys())
        unexpected = sorted(theirs.keys() - own.keys())
        shaped = sorted(k for k in own.keys() & theirs.keys()
                        if own[k] != theirs[k])
        if not (missing or unexpected or shaped):
            return
        parts = [f'{len(missing)} weights of the model missing '
                 f'(e.g. {missing[0]})' if missing else '',
                 f'{len(unexpected)} unknown to it (e.g. {unexpected[0]})'
                 if unexpected else '',
                 f'{len(shaped)} of another shape (e.g. {shaped[0]}: '
                 f'{theirs[shaped[0]]} in the checkpoint, {own[shaped[0]]} '
                 'in the model)' if shaped else '']
        raise E2EVLPCheckpointError(
            f'{runner._load_from or "the checkpoint"}: not a checkpoint of '
            'this config, cannot resume from it: ' +
            '; '.join(p for p in parts if p) +
            '. To start from its weights use load_from instead of --resume.')
