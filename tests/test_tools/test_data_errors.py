"""Data errors reach the user of tools/train.py and tools/test.py as one
clear message (no traceback, exit status 1), also from a dataloader worker,
and a training run they stop keeps what it trained."""
import json
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch

from e2evlp_mm.datasets import E2EVLPDataError
from e2evlp_mm.engine.cli import data_error_message

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
TOY = osp.join(ROOT, 'tests', 'data', 'configs', 'toy_regression.py')
DEMO = osp.join(ROOT, 'configs', 'demo', 'e2evlp_shapes_pretrain.py')
DET = osp.join(ROOT, 'configs', 'demo', 'e2evlp_shapes_det.py')
# Raises a data error for every sample from index `fail_from` on.
FAILING = """
from mmdet.registry import DATASETS
from e2evlp_mm.datasets import E2EVLPDataError
from e2evlp_mm.testing.toy import E2EVLPToyRegression


@DATASETS.register_module()
class FailingToy(E2EVLPToyRegression):
    def __init__(self, fail_from, **kwargs):
        super().__init__(**kwargs)
        self.fail_from = fail_from

    def __getitem__(self, idx):
        if idx >= self.fail_from:
            raise E2EVLPDataError(f"'ann.json', record {idx}: field 'x' bad")
        return super().__getitem__(idx)
"""


def _run(args, cwd, extra_path=''):
    env = dict(os.environ, OMP_NUM_THREADS='1',
               PYTHONPATH=os.pathsep.join(p for p in (ROOT, extra_path) if p))
    return subprocess.run([sys.executable] + args, cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def _assert_alone(proc, *needles):
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert 'Traceback' not in proc.stderr, proc.stderr[-3000:]
    for needle in needles:
        assert needle in proc.stderr, proc.stderr[-3000:]


def test_worker_wrapped_message_is_unwrapped():
    inner = "'cap.json', record 3 (id 202): field 'caption' must be ..."
    wrapped = E2EVLPDataError(
        'Caught E2EVLPDataError in DataLoader worker process 0.\nOriginal '
        'Traceback (most recent call last):\n  File "x.py", line 1\n'
        'e2evlp_mm.datasets.validation.E2EVLPDataError: class '
        '`ConcatDataset` in mmengine/dataset/dataset_wrapper.py: class '
        f'`E2EVLPPretrainDataset` in e2evlp_mm/datasets/p.py: {inner}\n')
    assert data_error_message(wrapped) == inner


def test_train_worker_error_is_shown_alone_and_state_is_saved(tmp_path):
    (tmp_path / 'failing_toy.py').write_text(FAILING)
    # Toy batches of 4, samples in order: iterations 1-2 run, the third
    # batch (index 8) fails inside the worker.
    config = tmp_path / 'failing.py'
    config.write_text(
        f'_base_ = [{TOY!r}]\n'
        "custom_imports = dict(imports=['e2evlp_mm', 'e2evlp_mm.testing.toy',"
        " 'failing_toy'])\ncustom_hooks = []\n"
        'train_dataloader = dict(num_workers=1, sampler=dict(shuffle=False),'
        " dataset=dict(type='FailingToy', fail_from=8))\n")
    proc = _run([osp.join(ROOT, 'tools', 'train.py'), str(config),
                 '--work-dir', str(tmp_path / 'w')], tmp_path, str(tmp_path))
    _assert_alone(proc, "'ann.json', record 8: field 'x' bad",
                  'data_error_iter_2.pth')
    assert 'DataLoader worker' not in proc.stderr
    saved = tmp_path / 'w' / 'data_error_iter_2.pth'
    meta = torch.load(saved, map_location='cpu', weights_only=False)['meta']
    assert meta['iter'] == 2  # resumes with the third iteration
    # The saved state resumes (with the data fixed).
    proc = _run([osp.join(ROOT, 'tools', 'train.py'), TOY, '--work-dir',
                 str(tmp_path / 'w'), '--resume', str(saved),
                 '--cfg-options', 'custom_hooks=[]'], tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (tmp_path / 'w' / 'last_checkpoint').read_text().endswith(
        'iter_6.pth')


@pytest.fixture(scope='module')
def shapes(tmp_path_factory):
    root = tmp_path_factory.mktemp('shapes')
    proc = _run([osp.join(ROOT, 'tools', 'dataset_converters',
                          'make_shapes_world.py'), '--out',
                 'data/shapes_world', '--num-images', '12', '--num-nlvr2',
                 '4', '--num-flickr', '4'], root)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return root


def test_train_load_error_is_shown_alone(shapes, tmp_path):
    caps = (shapes / 'data/shapes_world/coco/annotations/'
            'captions_train2017.json')
    bad = tmp_path / 'captions.json'
    raw = json.loads(caps.read_text())
    raw['annotations'][1]['caption'] = '  '
    bad.write_text(json.dumps(raw))
    proc = _run([osp.join(ROOT, 'tools', 'train.py'), DEMO, '--work-dir',
                 str(tmp_path / 'w'), '--cfg-options',
                 f'train_dataloader.dataset.datasets.0.caption_file={bad}'],
                shapes)
    _assert_alone(proc, f"{bad}', record 1",
                  "field 'caption' must be a non-empty string")


def test_truncated_image_at_test_time_is_named(shapes, tmp_path):
    """Fault 11: not mmengine's "Test time pipeline should not get None
    data_sample", and not wrapped by the dataloader worker."""
    coco = shapes / 'data/shapes_world/coco'
    first = json.loads((coco / 'annotations/instances_val2017.json')
                       .read_text())['images'][0]
    path = coco / 'val2017' / first['file_name']
    data = path.read_bytes()
    ckpt = tmp_path / 'empty.pth'
    torch.save(dict(state_dict={}), ckpt)
    try:
        path.write_bytes(data[:len(data) // 2])
        proc = _run([osp.join(ROOT, 'tools', 'test.py'), DET, str(ckpt),
                     '--work-dir', str(tmp_path / 'w'), '--cfg-options',
                     'test_dataloader.num_workers=1'], shapes)
    finally:
        path.write_bytes(data)
    _assert_alone(proc, f"{first['file_name']}' is a truncated",
                  f"img_id {first['id']}", "field 'img_path'")
    assert 'should not get' not in proc.stderr
    assert 'DataLoader worker' not in proc.stderr
