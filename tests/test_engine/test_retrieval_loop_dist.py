"""E2EVLPRetrievalTestLoop on 2 processes (gloo) equals 1 process."""
import os
import os.path as osp
import re
import subprocess
import sys

import pytest
import torch

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
CONFIG = osp.join(ROOT, 'configs', 'demo', 'e2evlp_shapes_retrieval.py')
# The demo retrieval model, shrunk; batch 1 so that each image's features
# are computed alike however the split is sharded; the pre-filter (top 3)
# needs the whole gallery's embeddings on every rank.
TINY = [
    'model.encoder.num_layers=1', 'train_cfg.max_iters=2',
    'train_dataloader.batch_size=4', 'default_hooks.checkpoint.interval=2',
    'default_hooks.logger.interval=1', 'test_dataloader.batch_size=1',
    'test_cfg.prefilter_topk=3'
]
METRIC = re.compile(r'retrieval/(\w+_r\d+): ([\d.]+)')


def _run(cmd, cwd, **env):
    proc = subprocess.run(
        cmd, cwd=cwd, capture_output=True, text=True, timeout=600,
        env=dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1', **env))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def _recalls(log):
    found = dict(METRIC.findall(log))
    assert set(found) == {f'{d}_r{k}' for d in ('tr', 'ir')
                          for k in (1, 5, 10)}, log[-3000:]
    return found


@pytest.mark.skipif(
    not torch.distributed.is_gloo_available(), reason='needs gloo')
def test_two_ranks_give_the_recalls_of_one(tmp_path):
    # 50 Flickr scenes: a 5-image, 25-sentence test split, which 2 ranks
    # split 3 + 3 (the sampler repeats one image).
    _run([sys.executable, osp.join(ROOT, 'tools', 'dataset_converters',
                                   'make_shapes_world.py'),
          '--out', 'data/shapes_world', '--num-images', '8',
          '--num-nlvr2', '4', '--num-flickr', '50'], tmp_path)
    work = tmp_path / 'work'
    _run([sys.executable, osp.join(ROOT, 'tools', 'train.py'), CONFIG,
          '--work-dir', str(work), '--cfg-options'] + TINY, tmp_path)
    ckpt = str(work / 'iter_2.pth')
    one = _recalls(
        _run([sys.executable, osp.join(ROOT, 'tools', 'test.py'), CONFIG,
              ckpt, '--work-dir', str(tmp_path / 'one'), '--cfg-options'] +
             TINY, tmp_path))
    two = _recalls(
        _run(['bash', osp.join(ROOT, 'tools', 'dist_test.sh'), CONFIG, ckpt,
              '2', '--work-dir', str(tmp_path / 'two'), '--cfg-options'] +
             TINY, tmp_path, PORT=str(29600 + os.getpid() % 1000),
             PYTHON=sys.executable))
    assert two == one
    # not a degenerate ranking: some image misses at R@1, not all at R@10
    assert float(one['tr_r1']) < 100 and float(one['tr_r10']) > 0
