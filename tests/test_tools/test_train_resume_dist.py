"""tools/train.py, --resume and tools/dist_train.sh on the real Runner."""
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch

import e2evlp_mm  # noqa: F401  (lets weights_only loads read checkpoints)

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
CONFIG = osp.join(ROOT, 'tests', 'data', 'configs', 'toy_regression.py')


def _run(cmd, cwd):
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1')
    proc = subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def _load(path):
    return torch.load(path, map_location='cpu', weights_only=True)


def _assert_same_tree(a, b):
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for key in a:
            _assert_same_tree(a[key], b[key])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _assert_same_tree(x, y)
    elif isinstance(a, torch.Tensor):
        assert torch.equal(a, b)
    else:
        assert a == b


def test_resume_restores_iter_optimizer_and_weights(tmp_path):
    train = [sys.executable, osp.join(ROOT, 'tools', 'train.py'), CONFIG]
    _run(train + ['--work-dir', str(tmp_path / 'full')], tmp_path)
    ckpt = tmp_path / 'full' / 'iter_3.pth'
    _run(train + ['--work-dir', str(tmp_path / 'resumed'), '--resume',
                  str(ckpt)], tmp_path)

    saved = _load(ckpt)
    start = _load(tmp_path / 'resumed' / 'start_rank0.pth')
    assert start['iter'] == saved['meta']['iter'] == 3
    _assert_same_tree(start['optimizer'], saved['optimizer'])
    _assert_same_tree(start['state_dict'], saved['state_dict'])
    # Training on from the checkpoint ends exactly where the run that was
    # never interrupted ended.
    _assert_same_tree(
        _load(tmp_path / 'resumed' / 'rank0.pth'),
        _load(tmp_path / 'full' / 'rank0.pth'))
    initial = _load(tmp_path / 'full' / 'start_rank0.pth')['state_dict']
    assert not torch.equal(initial['linear.weight'],
                           saved['state_dict']['linear.weight'])


@pytest.mark.skipif(
    not torch.distributed.is_gloo_available(), reason='needs gloo')
def test_dist_train_two_ranks_keep_identical_weights(tmp_path):
    env_port = str(29500 + os.getpid() % 1000)
    proc = subprocess.run(
        ['bash', osp.join(ROOT, 'tools', 'dist_train.sh'), CONFIG, '2',
         '--work-dir', str(tmp_path)],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
        env=dict(os.environ, PORT=env_port, PYTHON=sys.executable,
                 OMP_NUM_THREADS='1'))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    rank0 = _load(tmp_path / 'rank0.pth')
    rank1 = _load(tmp_path / 'rank1.pth')
    _assert_same_tree(rank0, rank1)
    start = _load(tmp_path / 'start_rank0.pth')['state_dict']
    assert not torch.equal(start['linear.weight'], rank0['linear.weight'])
    assert (tmp_path / 'iter_6.pth').exists()
