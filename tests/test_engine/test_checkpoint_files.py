"""Atomic writes, checkpoint look-up and the rest of an epoch, in-process."""
import errno
import os
import os.path as osp

import pytest
import torch
from mmdet.registry import HOOKS, LOOPS
from mmengine.config import Config
from mmengine.dataset import DefaultSampler, pseudo_collate
from torch.utils.data import DataLoader

from e2evlp_mm.engine import (
    E2EVLPCheckpointError,
    E2EVLPCheckpointHook,
    E2EVLPEpochBasedTrainLoop,
    E2EVLPIterBasedTrainLoop,
    atomic_file,
    atomic_write,
    resolve_checkpoint,
    resume_checkpoint,
)
from e2evlp_mm.engine.checkpoint_paths import newest_complete_checkpoint
from e2evlp_mm.engine.resumed_data import remaining_loader

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))


def test_full_disk_leaves_the_old_file_and_no_temporary(tmp_path,
                                                         monkeypatch):
    path = tmp_path / 'iter_1.pth'
    atomic_write(str(path), b'old')

    def full(f, data):
        f.write(data[:1])
        raise OSError(errno.ENOSPC, 'No space left on device')

    monkeypatch.setattr(atomic_file, '_write_all', full)
    with pytest.raises(E2EVLPCheckpointError, match='no space left'):
        atomic_write(str(path), b'new content')
    assert path.read_bytes() == b'old'
    assert os.listdir(tmp_path) == ['iter_1.pth']


def test_checkpoints_of_a_moved_work_dir_and_incomplete_ones(tmp_path):
    work = tmp_path / 'moved'
    work.mkdir()
    torch.save({'state_dict': {}}, work / 'iter_2.pth')
    (work / 'last_checkpoint').write_text('/gone/w/iter_2.pth')
    assert resolve_checkpoint(str(work), 'x') == str(work / 'iter_2.pth')
    assert resolve_checkpoint('/gone/w/iter_2.pth', str(work)) == \
        str(work / 'iter_2.pth')
    with pytest.raises(FileNotFoundError, match='/gone/w/iter_9.pth'):
        resolve_checkpoint('/gone/w/iter_9.pth', str(work))
    # A newer, truncated checkpoint is passed over by --resume.
    data = (work / 'iter_2.pth').read_bytes()
    (work / 'iter_4.pth').write_bytes(data[:len(data) // 2])
    (work / 'last_checkpoint').write_text(str(work / 'iter_4.pth'))
    assert newest_complete_checkpoint(str(work)) == str(work / 'iter_2.pth')
    assert resume_checkpoint('auto', str(work)) == str(work / 'iter_2.pth')
    with pytest.raises(E2EVLPCheckpointError, match='iter_4.pth: cannot'):
        resume_checkpoint(str(work / 'iter_4.pth'), str(work))
    assert resume_checkpoint('auto', str(tmp_path / 'new')) is None


@pytest.mark.parametrize('workers', [0, 2])
def test_remaining_loader_continues_the_epoch_order(workers):
    loader = DataLoader(
        list(range(10)), batch_size=3, num_workers=workers,
        collate_fn=pseudo_collate,
        sampler=DefaultSampler(list(range(10)), shuffle=True, seed=3))
    loader.sampler.set_epoch(1)
    full = list(loader)
    assert list(remaining_loader(loader, 2)) == full[2:]
    assert len(remaining_loader(loader, 2)) == len(full) - 2


@pytest.mark.parametrize('path', ['configs/e2evlp_r152_pretrain.py',
                                  'configs/demo/e2evlp_shapes_pretrain.py'])
def test_paper_and_demo_configs_use_the_safe_hooks_and_loops(path):
    cfg = Config.fromfile(osp.join(ROOT, path))
    hook = HOOKS.build(cfg.default_hooks.checkpoint)
    assert isinstance(hook, E2EVLPCheckpointHook)
    assert hook.backend_args == dict(backend=atomic_file.ATOMIC_BACKEND)
    assert 'E2EVLPPreemptionHook' in [h.type for h in cfg.custom_hooks]
    loop = LOOPS.get(cfg.train_cfg.type)
    assert loop in (E2EVLPEpochBasedTrainLoop, E2EVLPIterBasedTrainLoop)
    if loop is E2EVLPEpochBasedTrainLoop:
        assert hook.iter_interval > 0
