# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""tools/analysis_tools/data_scale_benchmark.py at a tiny fraction."""
import glob
import json
import math
import os.path as osp

from e2evlp_mm.testing.paper_path import run_tool
from e2evlp_mm.testing.scale_corpus import REAL


def test_benchmark_runs_every_step(tmp_path):
    work, out = tmp_path / 'work', tmp_path / 'scale.json'
    run_tool('analysis_tools/data_scale_benchmark.py', '--fraction',
             '0.0002', '--work-dir', str(work), '--in-process',
             '--worker-samples', '10', '40', '--images', '4',
             '--step-times', '0.1', '1', '--out', str(out))
    results = {r['step']: r for r in json.loads(out.read_text())['results']}
    counts = results['corpus']['counts']
    assert counts['vg']['objects'] == round(REAL['vg_objects'] * 0.0002)
    assert counts['coco']['captions'] == round(REAL['coco_captions'] *
                                               0.0002)
    vg_ann = work / 'data/vg/annotations'
    with open(vg_ann / 'vg_det_train.json') as f:
        assert len(json.load(f)['annotations']) > 100
    first = results['train set, first start without prepared cache']
    later = results['train set, after preparation']
    assert 'build_annotation_cache.py' in results
    # COCO + VG images with texts, less the excluded ones
    assert first['samples'] == later['samples'] > 30
    # the preparation step wrote the caches the train set then mapped
    assert len(glob.glob(osp.join(vg_ann, '.e2evlp_cache', '*.cache'))) == 1
    assert glob.glob(str(work / 'data/coco/annotations/.e2evlp_cache/*.cache'))
    worker = results['loader worker memory']
    assert worker['worker_after_10']['VmRSS'] > 0
    assert worker['worker_after_40']['RssAnon'] > 0
    speed = results['loader throughput']
    rate = speed['images_per_s_per_worker']
    assert rate > 0 and speed['workers_per_gpu'] == {
        '0.1': math.ceil(4 / (0.1 * rate)), '1.0': math.ceil(4 / rate)}
