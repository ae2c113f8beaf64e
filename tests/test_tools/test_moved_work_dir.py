"""A work dir moved after training: its last_checkpoint names a path that
is gone; tools/test.py and demo/image_demo.py find the checkpoint beside
it (``--resume`` is covered in test_long_runs.py)."""
import json
import os
import os.path as osp

import pytest

from e2evlp_mm.apis.work_dir import resolve_work_dir
from e2evlp_mm.testing import make_tiny_shapes_world, tiny_shapes_checkpoint
from e2evlp_mm.testing.runs import run_tool


@pytest.fixture(scope='module')
def moved(tmp_path_factory):
    root = tmp_path_factory.mktemp('moved')
    world = make_tiny_shapes_world(str(root / 'shapes_world'))
    tiny_shapes_checkpoint('vqa', world, str(root / 'w'))
    os.rename(root / 'w', root / 'moved')
    return root


def test_inferencer_finds_the_checkpoint_of_a_moved_work_dir(moved):
    work = str(moved / 'moved')
    stale = (moved / 'moved' / 'last_checkpoint').read_text()
    assert not osp.exists(stale)
    config, ckpt = resolve_work_dir(work)
    assert ckpt == osp.join(work, 'iter_1.pth')
    assert config == osp.join(work, 'e2evlp_shapes_vqa.py')


def test_image_demo_and_test_tool_on_a_moved_work_dir(moved):
    work = str(moved / 'moved')
    image = sorted((moved / 'shapes_world' / 'coco' / 'val2014').iterdir())[0]
    proc = run_tool(['demo/image_demo.py', str(image), work, '--texts',
                     'what color is the circle?', '--out-dir',
                     str(moved / 'out'), '--device', 'cpu',
                     '--print-result'], str(moved))
    line = next(x for x in proc.stdout.splitlines() if x.startswith('{'))
    assert json.loads(line)['question'] == 'what color is the circle?'
    # tools/test.py takes the work dir, or the stale absolute path
    stale = (moved / 'moved' / 'last_checkpoint').read_text()
    config = osp.join(work, 'e2evlp_shapes_vqa.py')
    proc = run_tool(['tools/test.py', config, stale, '--work-dir',
                     str(moved / 'test')], str(moved))
    assert 'VQA/acc' in proc.stdout
