# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""tools/analysis_tools/demo_speed.py on a tiny shapes world."""
import importlib.util
import os.path as osp
import subprocess
import sys

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
CONFIG = osp.join(ROOT, 'configs', 'demo', 'e2evlp_shapes_pretrain.py')
TINY = [
    'model.encoder.num_layers=1', 'model.decoder.num_layers=1',
    'model.caption_head.max_length=4', 'train_dataloader.batch_size=2',
    'test_dataloader.batch_size=4'
]


def test_speed_probe_prints_cpu_measure_and_estimate(tmp_path, capsys,
                                                      monkeypatch):
    subprocess.run(
        [sys.executable,
         osp.join(ROOT, 'tools', 'dataset_converters',
                  'make_shapes_world.py'), '--out', 'data/shapes_world',
         '--num-images', '12', '--num-nlvr2', '4', '--num-flickr', '4'],
        cwd=tmp_path, check=True, capture_output=True)
    monkeypatch.chdir(tmp_path)  # the config reads data/ relative to cwd
    path = osp.join(ROOT, 'tools', 'analysis_tools', 'demo_speed.py')
    spec = importlib.util.spec_from_file_location('demo_speed', path)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    out = tool.main([
        CONFIG, '--threads', '1', '--iters', '1', '--warmup', '0',
        '--cfg-options'
    ] + TINY)
    printed = capsys.readouterr().out
    assert printed.startswith('CPU: ')
    assert 'training with 1 torch thread(s)' in printed
    assert '1400 iterations x' in printed  # the config's max_iters
    assert out['train_1'] > 0 and out['best_threads'] == 1
    assert out['test_batches'] >= 1 and out['test_batch'] > 0
    assert out['estimate_min'] > 1
