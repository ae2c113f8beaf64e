"""E2EVLPRetrievalTestLoop on 2 processes (gloo) equals 1 process."""
import os
import os.path as osp
import re
import sys

import pytest
import torch

from e2evlp_mm.testing.commands import run_checked

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
    tools = osp.join(ROOT, 'tools')
    run_checked([sys.executable,
                 osp.join(tools, 'dataset_converters', 'make_shapes_world.py'),
                 '--out', 'data/shapes_world', '--num-images', '8',
                 '--num-nlvr2', '4', '--num-flickr', '50'], tmp_path)
    work = tmp_path / 'work'
    run_checked([sys.executable, osp.join(tools, 'train.py'), CONFIG,
                 '--work-dir', str(work), '--cfg-options'] + TINY, tmp_path)
    ckpt = str(work / 'iter_2.pth')
    one = _recalls(run_checked(
        [sys.executable, osp.join(tools, 'test.py'), CONFIG, ckpt,
         '--work-dir', str(tmp_path / 'one'), '--cfg-options'] + TINY,
        tmp_path))
    two = _recalls(run_checked(
        ['bash', osp.join(tools, 'dist_test.sh'), CONFIG, ckpt, '2',
         '--work-dir', str(tmp_path / 'two'), '--cfg-options'] + TINY,
        tmp_path, PORT=str(29600 + os.getpid() % 1000),
        PYTHON=sys.executable))
    assert two == one
    # not a degenerate ranking: some image misses at R@1, not all at R@10
    assert float(one['tr_r1']) < 100 and float(one['tr_r10']) > 0
