"""3 gloo processes give the metrics and contrastive training of 1.

One ``torchrun`` group of 3 ranks evaluates every metric on a 7-sample
split (the sampler pads it to 9) and takes one contrastive step with 2
pairs per rank; the values must equal this process's with the whole split
and the whole batch of 6.
"""
import json
import os
import subprocess
import sys

import pytest
import torch

from e2evlp_mm.testing.dist_parity import run_all

WORLD_SIZE = 3


@pytest.fixture(scope='module')
def parity(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp('parity')
    one = run_all(str(data_dir))  # also writes the annotation files
    out = data_dir / 'ranks.json'
    proc = subprocess.run(
        [sys.executable, '-m', 'torch.distributed.run', '--standalone',
         f'--nproc_per_node={WORLD_SIZE}', '-m',
         'e2evlp_mm.testing.dist_parity', str(out), str(data_dir)],
        capture_output=True, text=True, timeout=300,
        env=dict(os.environ, OMP_NUM_THREADS='1'))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return one, json.loads(out.read_text())


pytestmark = pytest.mark.skipif(
    not torch.distributed.is_gloo_available(), reason='needs gloo')


@pytest.mark.parametrize('case', [
    'pretrain', 'det', 'vqa', 'nlvr2', 'caption', 'retrieval'])
def test_metric_of_three_ranks_equals_one(parity, case):
    one, ranks = parity
    assert ranks[case] == one[case]


def test_pretrain_metrics_are_all_there_and_not_trivial(parity):
    one, _ = parity
    pretrain = one['pretrain']
    for key in ('coco/bbox_mAP', 'vg/bbox_mAP', 'pretrain/mlm_acc',
                'pretrain/itm_acc'):
        assert 0 < pretrain[key] < (1 if 'bbox' in key else 100), key
    assert {'caption/Bleu_4', 'caption/CIDEr'} <= set(one['caption'])
    assert {'retrieval/tr_r1', 'retrieval/ir_r1'} <= set(one['retrieval'])


def test_contrastive_loss_and_grads_of_three_ranks_equal_one(parity):
    one, ranks = parity
    # every rank's loss is the loss of the whole batch
    assert ranks['itc']['loss'] == pytest.approx(
        one['itc']['loss'] * WORLD_SIZE, rel=1e-6)
    assert ranks['itc']['grads'] == pytest.approx(
        one['itc']['grads'], rel=1e-5, abs=1e-7)
    # without the gather each query sees only its rank's 2 candidates
    assert ranks['itc_per_rank']['grads'] != pytest.approx(
        one['itc']['grads'], rel=1e-2)
