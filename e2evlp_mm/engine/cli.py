# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""What ``tools/train.py`` and ``tools/test.py`` share: arguments and the
config they build, so that both entry points stay thin."""
import argparse
import contextlib
import logging
import os
import os.path as osp
import re
import sys
from typing import Callable, Iterator, Optional

from mmengine.config import Config, DictAction
from mmengine.dist import get_rank, is_main_process
from mmengine.logging import print_log
from mmengine.runner import BaseLoop

from ..datasets.transforms.load_image_from_file import skipped_total
from ..datasets.validation import E2EVLPDataError
from .atomic_file import E2EVLPCheckpointError
from .cpu_distributed import fit_model_wrapper_to_device
from .data_check import MissingDataError
from .hooks.e2evlp_vocabulary_hook import add_vocabulary_hook
from .model_check import E2EVLPConfigError

# mmengine's build_from_cfg prefixes "class `X` in pkg/mod.py: " (once per
# nesting level, e.g. ConcatDataset -> dataset); the E2E-VLP message
# already names the file and record.
_BUILD_PREFIX = re.compile(r'^(class `\w+` in [\w/.]+\.py: )+')


def add_common_args(parser: argparse.ArgumentParser) -> None:
    """Add the arguments both tools take, named as in mmdet's tools."""
    parser.add_argument(
        '--work-dir', help='the directory for logs, checkpoints and metrics')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, e.g. '
        'train_dataloader.batch_size=4 or key="[a,b]"')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher (tools/dist_*.sh pass "pytorch")')
    # torch.distributed.launch passes --local-rank; torchrun sets the env.
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def load_config(path: str,
                cfg_options: Optional[dict] = None,
                work_dir: Optional[str] = None,
                launcher: str = 'none',
                local_rank: int = 0) -> Config:
    """Load a config and apply the command-line overrides.

    ``work_dir`` priority is CLI > config > ``./work_dirs/<config name>``,
    as in mmdet. A distributed run without a GPU gets a CPU-capable model
    wrapper (:func:`fit_model_wrapper_to_device`).
    :class:`E2EVLPVocabularyHook` is added (checkpoints keep and check
    their vocabularies).

    Args:
        path (str): Config file.
        cfg_options (dict, optional): ``--cfg-options`` key-value pairs.
        work_dir (str, optional): ``--work-dir``.
        launcher (str): ``--launcher``.
        local_rank (int): ``--local-rank``, exported as ``LOCAL_RANK`` when
            the launcher did not set it.

    Returns:
        Config: The merged config.
    """
    os.environ.setdefault('LOCAL_RANK', str(local_rank))
    cfg = Config.fromfile(path)
    cfg.launcher = launcher
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(path))[0])
    fit_model_wrapper_to_device(cfg)
    return add_vocabulary_hook(cfg)


def data_error_message(error: BaseException) -> str:
    """The message a data error was raised with, without wrappers.

    An error raised in a dataloader worker reaches the main process
    re-raised by PyTorch with the worker's whole traceback as its message
    ("Caught E2EVLPDataError in DataLoader worker process 0. Original
    Traceback ..."); the original message is the text after the last
    ``<module>.<class>: `` of that traceback.

    Args:
        error (BaseException): The caught error.

    Returns:
        str: The original message.
    """
    text = str(error)
    if 'in DataLoader worker process' in text and 'Traceback' in text:
        name = f'{type(error).__module__}.{type(error).__qualname__}: '
        if name in text:
            text = text[text.rfind(name) + len(name):]
    return _BUILD_PREFIX.sub('', text).strip()


@contextlib.contextmanager
def exit_on_data_error(
        config: str,
        on_error: Optional[Callable[[], Optional[str]]] = None
) -> Iterator[None]:
    """Turn data errors into one message on stderr and exit status 1.

    :class:`E2EVLPDataError` and :class:`MissingDataError` name the file,
    record and field (:class:`E2EVLPConfigError` the config keys,
    :class:`E2EVLPCheckpointError` the checkpoint); a
    traceback (21 frames of mmengine and PyTorch) would only bury that, so
    it is not shown. Other errors pass through.
    Images skipped on the way are summed up in the log either way.

    Args:
        config (str): The config path, printed first.
        on_error (callable, optional): Called before exiting (e.g. to save
            a checkpoint); the text it returns is added to the message.
    """
    try:
        yield
    # nothing ran yet, or the failure was saving itself: nothing to save
    except (E2EVLPConfigError, E2EVLPCheckpointError) as error:
        sys.exit(f'{config}: {error}')
    except (E2EVLPDataError, MissingDataError) as error:
        message = f'{config}: {data_error_message(error)}'
        try:
            extra = on_error() if on_error is not None else None
        except Exception as save_error:  # the data error comes first
            extra = f'(after it, {on_error} failed: {save_error!r})'
        sys.exit(message + (f'\n{extra}' if extra else ''))
    finally:
        if skipped_total():
            print_log(f'{skipped_total()} bad images were skipped in this '
                      'run (the warnings above name each file).',
                      logger='current', level=30)


def save_after_data_error(runner) -> Optional[str]:
    """Save the training state when a data error stops a started run.

    A data error comes while a batch is fetched (for training or
    validation), between iterations, so model, optimizer and schedulers
    are consistent: nothing trained since the last regular checkpoint is
    lost.

    Only rank 0 saves (mmengine's ``save_checkpoint`` is master-only);
    another rank that stops on a data error says so instead, since rank 0
    may not get as far as saving (torchrun stops it when this rank
    exits).

    Args:
        runner (mmengine.runner.Runner | None): The runner, if built.

    Returns:
        str | None: Where it was saved and how to resume, or None when no
        iteration had run.
    """
    # `runner.iter` would build the train loop if it is not built yet.
    loop = getattr(runner, '_train_loop', None)
    if not isinstance(loop, BaseLoop) or not loop.iter:
        return None
    if not is_main_process():
        return (f'Rank {get_rank()} saves no checkpoint (rank 0 does); '
                'unless rank 0 reports a saved file, resume from the last '
                f'checkpoint in {runner.work_dir} with --resume')
    done = loop.iter
    filename = f'data_error_iter_{done}.pth'
    # Saved as CheckpointHook does within iteration `done` (it stores
    # iter + 1); by_epoch=False: an epoch cut short is trained again from
    # its start.
    loop._iter = done - 1
    try:
        runner.save_checkpoint(runner.work_dir, filename, by_epoch=False)
    finally:
        loop._iter = done
    path = osp.join(runner.work_dir, filename)
    return (f'The training state after {done} iterations was saved to '
            f'{path}; fix the data, then resume with --resume {path}')


def close_distributed(exit_code: Optional[int] = None) -> None:
    """Tear the process group down before the interpreter exits.

    Left to interpreter shutdown, gloo's worker threads can be destroyed
    while still joinable ("terminate called without an active exception",
    SIGABRT in one rank), which fails a run that trained and saved
    everything. Every rank waits for the others, then the group goes. Even
    then one rank in a few aborted in the interpreter's teardown, so a
    command that has finished its work passes ``exit_code``: after the
    teardown the process flushes its logs and streams and leaves with that
    status, skipping the C++ destructors (as ``os._exit`` does).

    Args:
        exit_code (int, optional): Leave the process with this status once
            the group is down; None returns (the caller goes on, e.g. to
            raise its own exit). Without a process group it always returns.
    """
    import torch.distributed as dist
    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()
        if exit_code is not None:
            logging.shutdown()
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(exit_code)
