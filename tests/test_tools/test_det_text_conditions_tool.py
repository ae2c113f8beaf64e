# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""tools/analysis_tools/det_text_conditions.py on a tiny generated shapes
world with a tiny demo checkpoint: the samples each condition feeds the
model, the encoder it runs and the table it prints."""
import json
import os.path as osp
import re
import runpy
import sys

import pytest
from mmdet.registry import DATASETS
from mmengine.config import Config
from mmengine.registry import init_default_scope

from e2evlp_mm.evaluation import text_condition_config
from e2evlp_mm.models.detectors.e2evlp_base import E2EVLPBase
from e2evlp_mm.testing import make_tiny_shapes_world, tiny_shapes_checkpoint

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
TOOL = osp.join(ROOT, 'tools', 'analysis_tools', 'det_text_conditions.py')
ROW = re.compile(r'^\| (\w+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \|$', re.M)


@pytest.fixture(scope='module')
def work(tmp_path_factory):
    """The tiny world, and a work dir with its dumped config and a tiny
    random-init pre-training checkpoint."""
    root = tmp_path_factory.mktemp('det_text')
    world = make_tiny_shapes_world(str(root / 'shapes_world'))
    config, ckpt = tiny_shapes_checkpoint('pretrain', world,
                                          str(root / 'work'))
    return root, config, ckpt


def _samples(config, condition):
    """Every packed test sample under ``condition``."""
    init_default_scope('mmdet')
    cfg = text_condition_config(Config.fromfile(config), condition)
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    return [dataset[i]['data_samples'] for i in range(len(dataset))]


def test_samples_carry_the_condition_text(work):
    _, config, _ = work
    matched = _samples(config, 'matched')
    assert len(matched) == 4  # the tiny world's val scenes
    for sample in matched:
        assert sample.text == sample.caption and sample.itm_label == 1
        assert 'mlm_labels' not in sample  # unmasked
    mismatched = _samples(config, 'mismatched')
    assert all(s.itm_label == 0 and 'mlm_labels' not in s
               for s in mismatched)
    assert any(s.text != s.caption for s in mismatched)
    own = {s.img_id: s.text_ids.tolist() for s in matched}
    assert all(s.text_ids.tolist() != own[s.img_id] for s in mismatched)
    assert not any('text_ids' in s for s in _samples(config, 'none'))
    # the config's own pipeline masks tokens
    assert all('mlm_labels' in s
               for s in _samples(config, 'as_configured'))


def test_table_of_every_condition(work, monkeypatch, capsys):
    root, config, ckpt = work
    encoded = []  # per encoder call: whether text came with the image
    forward_encoder = E2EVLPBase.forward_encoder

    def spy(self, *args, **kwargs):
        encoded.append(kwargs.get('text_ids') is not None)
        return forward_encoder(self, *args, **kwargs)

    monkeypatch.setattr(E2EVLPBase, 'forward_encoder', spy)
    out_dir = root / 'conditions'
    monkeypatch.setattr(sys, 'argv', [
        TOOL, config, ckpt, '--work-dir', str(out_dir), '--cfg-options',
        'test_dataloader.batch_size=2'
    ])
    runpy.run_path(TOOL, run_name='__main__')
    printed = capsys.readouterr().out

    rows = ROW.findall(printed)
    assert [r[0] for r in rows] == ['as_configured', 'matched',
                                    'mismatched', 'none']
    assert '| condition | AP | AP50 | AP75 |' in printed
    for row in rows:
        assert all(0 <= float(v) <= 100 for v in row[1:]), row
    saved = json.loads((out_dir / 'det_text_conditions.json').read_text())
    assert saved['checkpoint'] == ckpt
    assert [(r['condition'], f'{r["AP"]:.1f}', f'{r["AP50"]:.1f}',
             f'{r["AP75"]:.1f}') for r in saved['rows']] == rows
    for condition in ('as_configured', 'none'):
        assert (out_dir / condition).is_dir()
    # 4 scenes in batches of 2 per condition; only `none` is image-only
    assert encoded == [True] * 6 + [False] * 2


def test_conditions_option_and_unknown_condition(work, monkeypatch,
                                                 capsys):
    root, config, ckpt = work
    out_dir = root / 'none_only'
    monkeypatch.setattr(sys, 'argv', [
        TOOL, config, ckpt, '--work-dir', str(out_dir), '--conditions',
        'none'
    ])
    runpy.run_path(TOOL, run_name='__main__')
    assert [r[0] for r in ROW.findall(capsys.readouterr().out)] == ['none']
    monkeypatch.setattr(sys, 'argv', [TOOL, config, ckpt, '--conditions',
                                      'masked'])
    with pytest.raises(SystemExit) as error:
        runpy.run_path(TOOL, run_name='__main__')
    assert error.value.code == 2
    assert "invalid choice: 'masked'" in capsys.readouterr().err
