# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""tools/analysis_tools/gpu_check.py --cpu-smoke: the GPU check's steps
run end to end at tiny sizes (fields, no timing assertions)."""
import json
import os.path as osp
import runpy

from e2evlp_mm.testing.paper_path import TOOLS

GPU_CHECK = osp.join(TOOLS, 'analysis_tools', 'gpu_check.py')


def test_cpu_smoke_runs_every_step(tmp_path, capsys):
    out = tmp_path / 'gpu_check.json'
    report = runpy.run_path(GPU_CHECK)['main']([
        '--cpu-smoke', '--configs', 'e2evlp_r50_6l_pretrain', '--tokens',
        '3', '--out', str(out)
    ])
    assert json.loads(out.read_text()) == json.loads(json.dumps(report))
    rows = report['rows']
    steps = [(r['step'], r['amp']) for r in rows]
    assert steps == [('train', 'fp16'), ('train', 'bf16'),
                     ('vqa_latency', 'fp32'), ('vqa_latency', 'fp16'),
                     ('caption_decode', 'fp32'),
                     ('caption_decode', 'fp16'), ('dist_parity', '-')]
    for row in rows[:2]:
        assert row['finite'] and row['seconds'] > 0 and row['loss'] > 0
    assert rows[2]['ms_per_query'] > 0 and rows[4]['ms_per_token'] > 0
    assert rows[-1]['result'] == 'skipped (0 GPUs)'
    assert report['cpu_smoke'] and report['image_size'] == [32, 32]
    printed = capsys.readouterr().out
    assert 'ms/query' in printed and 'ms/token' in printed
