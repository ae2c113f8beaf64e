"""tools/train.py stops with the expected layout when data is missing."""
import os.path as osp
import subprocess
import sys

import pytest
from mmengine.config import Config

from e2evlp_mm.engine import MissingDataError, check_data_exists

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))


def _cfg(tmp_path, ann_file):
    return Config(dict(train_dataloader=dict(dataset=dict(
        type='ConcatDataset',
        datasets=[dict(data_root=str(tmp_path), ann_file=ann_file,
                       pipeline=[dict(type='E2EVLPTokenize',
                                      tokenizer_path=str(tmp_path))])]))))


def test_missing_file_is_named_with_its_config_key(tmp_path):
    with pytest.raises(MissingDataError) as err:
        check_data_exists(_cfg(tmp_path, 'annotations/x.json'))
    msg = str(err.value)
    assert osp.join(str(tmp_path), 'annotations/x.json') in msg
    assert 'train_dataloader.dataset.datasets[0].ann_file' in msg
    assert 'make_shapes_world.py' in msg and 'vg_to_det.py' in msg


def test_present_files_pass(tmp_path):
    (tmp_path / 'a.json').write_text('{}')
    check_data_exists(_cfg(tmp_path, 'a.json'))


def test_train_tool_exits_with_message_not_traceback(tmp_path):
    proc = subprocess.run(
        [sys.executable, osp.join(ROOT, 'tools', 'train.py'),
         osp.join(ROOT, 'configs', 'e2evlp_r50_6l_pretrain.py'),
         '--work-dir', str(tmp_path), '--cfg-options',
         f'data_root={tmp_path}'],
        cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert 'Traceback' not in proc.stderr
    assert 'instances_train2017.json' in proc.stderr
    assert 'Expected layout' in proc.stderr
