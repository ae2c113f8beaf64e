"""tools/train.py --amp and tools/dist_test.sh --out on a machine without a
GPU, with no config overrides."""
import json
import os
import os.path as osp
import sys
from collections import Counter

import pytest
import torch

from e2evlp_mm.datasets.shapes_world import make_shapes_world
from e2evlp_mm.testing import tiny_shapes_checkpoint
from e2evlp_mm.testing.commands import run_checked

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
TOY = osp.join(ROOT, 'tests', 'data', 'configs', 'toy_regression.py')

pytestmark = pytest.mark.skipif(torch.cuda.is_available(),
                                reason='checks the machine without a GPU')


def test_train_amp_bf16_runs_cpu_autocast(tmp_path):
    log = run_checked(
        [sys.executable, osp.join(ROOT, 'tools', 'train.py'), TOY, '--amp',
         'bf16', '--work-dir', str(tmp_path), '--cfg-options',
         'train_cfg.max_iters=2', 'default_hooks.checkpoint.interval=2'],
        tmp_path)
    assert 'mixed precision runs as CPU autocast (bfloat16)' in log
    ckpt = torch.load(tmp_path / 'iter_2.pth', map_location='cpu',
                      weights_only=False)
    assert 'loss_scaler' in ckpt['optimizer']  # AmpOptimWrapper's state
    start = torch.load(tmp_path / 'start_rank0.pth', weights_only=False)
    assert not torch.equal(start['state_dict']['linear.weight'],
                           ckpt['state_dict']['linear.weight'])


@pytest.mark.skipif(
    not torch.distributed.is_gloo_available(), reason='needs gloo')
def test_dist_test_out_two_ranks_write_one_complete_file(tmp_path):
    world = str(tmp_path / 'world')
    # 20 scenes: 3 val images, which 2 ranks split 2 + 2 (the sampler
    # repeats the first one)
    make_shapes_world(world, num_images=20, num_nlvr2=8, num_flickr=4)
    config, ckpt = tiny_shapes_checkpoint('pretrain', world,
                                          str(tmp_path / 'work'))
    out = tmp_path / 'dets.json'
    run_checked(
        ['bash', osp.join(ROOT, 'tools', 'dist_test.sh'), config, ckpt, '2',
         '--work-dir', str(tmp_path / 'test'), '--out', str(out),
         # every query kept, so each image has exactly max_per_img boxes
         '--cfg-options', 'model.test_cfg.nms=None'],
        tmp_path, PORT=str(29700 + os.getpid() % 1000),
        PYTHON=sys.executable)
    dets = json.loads(out.read_text())
    assert not (tmp_path / 'dets.bbox.json').exists()
    val = json.loads((tmp_path / 'world' / 'coco' / 'annotations' /
                      'instances_val2017.json').read_text())
    assert len(val['images']) == 3
    per_image = Counter(d['image_id'] for d in dets)
    # every image once: max_per_img (10) detections each, no padding copy
    assert per_image == {img['id']: 10 for img in val['images']}
