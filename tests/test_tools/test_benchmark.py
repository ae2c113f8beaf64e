# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""tools/analysis_tools/benchmark.py on the tiny config (fields, no
timing assertions)."""
import importlib.util
import json
import os.path as osp

import torch

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
TINY = osp.join(ROOT, 'tests', 'data', 'configs', 'e2evlp_tiny.py')


def load_tool():
    path = osp.join(ROOT, 'tools', 'analysis_tools', 'benchmark.py')
    spec = importlib.util.spec_from_file_location('benchmark', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_reports_every_measure(tmp_path, capsys):
    out = tmp_path / 'bench.json'
    report = load_tool().main([
        TINY, '--sizes', '64x64,32x32', '--train-sizes', '32x32',
        '--caption-size', '32x32', '--tokens', '3', '--beam-size', '2',
        '--repeats', '1', '--warmup', '0', '--batch-size', '1', '--out',
        str(out), '--peer-cfg-options', 'model.encoder.num_layers=1',
        'model.decoder.num_layers=1'
    ])
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads(out.read_text()) == report
    assert report['peer'].endswith('(depth 18)')  # the tiny ResNet-18
    assert list(report['sizes']) == ['64x64', '32x32']
    big, small = report['sizes']['64x64'], report['sizes']['32x32']
    for row in (big, small):
        for key in ('forward', 'predict'):
            assert row[key + '_s'] > 0 and row['peer_' + key + '_s'] > 0
            assert row[key + '_ratio'] == row[key + '_s'] / row['peer_' +
                                                                key + '_s']
    assert 'train_step_s' not in big
    assert small['train_step_s'] > 0 and small['train_step_ratio'] > 0
    speedup = report['forward_speedup_vs_first_size']
    assert speedup['64x64'] == 1.0 and speedup['32x32'] > 0
    cap = report['caption']
    assert cap['ids_identical'] is True
    for key in ('image_pass_s', 'greedy_cached_s', 'greedy_uncached_s',
                'greedy_cached_decode_s', 'beam_uncached_per_token_s',
                'beam_cached_s', 'beam_uncached_s',
                'greedy_per_token_speedup', 'beam_over_greedy_cached'):
        assert isinstance(cap[key], float), key
    assert cap['tokens'] == 3 and cap['beam_size'] == 2


def test_paper_config_builds_without_vocabulary_files(tmp_path,
                                                      monkeypatch):
    """The paper configs size the head from VG vocabulary files; random-
    weight benchmarks must not need them (VG's 1600 / 400 instead)."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    from e2evlp_mm.testing import build_model_without_files
    init_default_scope('mmdet')
    monkeypatch.chdir(tmp_path)  # no data/ here
    cfg = Config.fromfile(
        osp.join(ROOT, 'configs', 'e2evlp_r50_6l_pretrain.py'))
    assert isinstance(cfg.model.bbox_head.num_classes, str)
    cfg.model.encoder.num_layers = cfg.model.decoder.num_layers = 1
    model = build_model_without_files(cfg)
    assert model.bbox_head.num_classes == 1600
    assert model.bbox_head.num_attributes == 400


def test_amp_runs_every_measure_under_autocast(monkeypatch, capsys):
    tool = load_tool()
    seen = []
    forward = tool.forward

    def spy(*args):
        seen.append(torch.is_autocast_enabled('cpu') and
                    torch.get_autocast_dtype('cpu') == torch.bfloat16)
        return forward(*args)

    monkeypatch.setattr(tool, 'forward', spy)
    report = tool.main([
        TINY, '--amp', 'bf16', '--sizes', '32x32', '--train-sizes', '32x32',
        '--caption-size', '32x32', '--tokens', '2', '--beam-size', '2',
        '--repeats', '1', '--warmup', '0', '--batch-size', '1', '--peer',
        'none'
    ])
    capsys.readouterr()
    assert report['amp'] == 'bf16' and seen and all(seen)
    row = report['sizes']['32x32']
    assert row['train_step_s'] > 0 and row['predict_s'] > 0
    assert report['caption']['greedy_cached_per_token_s'] > 0
    assert not torch.is_autocast_enabled('cpu')  # restored after
