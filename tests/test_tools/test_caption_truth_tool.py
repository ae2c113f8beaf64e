# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""tools/analysis_tools/caption_truth.py on a tiny generated shapes world:
reference captions, a results json and a work dir's model."""
import json
import os.path as osp
import re
import runpy
import sys

import pytest

from e2evlp_mm.testing import make_tiny_shapes_world, tiny_shapes_checkpoint

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
TOOL = osp.join(ROOT, 'tools', 'analysis_tools', 'caption_truth.py')


def _tool(monkeypatch, capsys, *args) -> str:
    monkeypatch.setattr(sys, 'argv', [TOOL, *map(str, args)])
    runpy.run_path(TOOL, run_name='__main__')
    return capsys.readouterr().out


@pytest.fixture(scope='module')
def root(tmp_path_factory):
    """A folder with ``data/shapes_world`` (the tool's default scenes)."""
    root = tmp_path_factory.mktemp('truth')
    make_tiny_shapes_world(str(root / 'data' / 'shapes_world'))
    return root


def test_reference_captions_are_true(root, monkeypatch, capsys):
    monkeypatch.chdir(root)
    world = 'data/shapes_world/'
    out = _tool(monkeypatch, capsys,
                world + 'coco/annotations/captions_val2017.json')
    assert re.match(r'20 captions of 4 images: 100.0% true, \d+\.\d% true '
                    r'and naming a shape', out), out
    assert 'false captions (0 of 0)' in out
    out = _tool(monkeypatch, capsys, world + 'karpathy/dataset_coco.json',
                '--split', 'val')
    assert ': 100.0% true' in out


def test_results_json_shows_false_captions(root, monkeypatch, capsys):
    monkeypatch.chdir(root)
    with open('data/shapes_world/coco/annotations/'
              'captions_val2017.json') as f:
        image_id = json.load(f)['images'][0]['id']
    preds = root / 'results.json'
    preds.write_text(json.dumps([
        dict(image_id=image_id, caption='A nice picture.'),
        dict(image_id=image_id, caption='Ten shapes on a grey canvas.'),
    ]))
    out = _tool(monkeypatch, capsys, preds, '--examples', 1)
    assert '2 captions of 1 images: 50.0% true, 0.0% true and' in out
    assert ('captions with an error of each kind: absent 0.0%, count '
            '50.0%, repeated 0.0%, colour 0.0%, relation 0.0%, position '
            '0.0%') in out
    assert 'false captions (1 of 1):' in out
    assert 'ten shapes: the scene has' in out
    with pytest.raises(SystemExit, match='no scene for images'):
        _tool(monkeypatch, capsys, preds, '--scenes',
              'data/shapes_world/vg/annotations/vg_det_train.json')


def test_work_dir_captions_its_test_set(root, monkeypatch, capsys):
    monkeypatch.chdir(root)
    work = root / 'work_caption'
    tiny_shapes_checkpoint('caption', str(root / 'data' / 'shapes_world'),
                           str(work))
    out = _tool(monkeypatch, capsys, work)
    # the tiny world's Karpathy test split: 2 of the 4 val scenes
    assert re.search(r'^2 captions of 2 images: \d+\.\d% true', out, re.M)
