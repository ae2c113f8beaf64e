"""retrieval_prefilter_benchmark.py and gallery_search_benchmark.py:
cost vs gallery size on a tiny generated shapes world (random weights,
no timing asserted)."""
import os
import os.path as osp
import re
import runpy
import subprocess
import sys

from e2evlp_mm.apis import RetrievalGallery
from e2evlp_mm.testing import make_tiny_shapes_world, tiny_shapes_checkpoint

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
CONFIG = osp.join(ROOT, 'configs', 'demo', 'e2evlp_shapes_retrieval.py')


def _run(args, cwd):
    proc = subprocess.run(
        [sys.executable] + args, cwd=cwd, capture_output=True, text=True,
        timeout=600, env=dict(os.environ, PYTHONPATH=ROOT))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout


def test_gallery_sizes_prefilter_and_estimated_full_ranking(tmp_path):
    _run([osp.join(ROOT, 'tools', 'dataset_converters',
                   'make_shapes_world.py'), '--out', 'data/shapes_world',
          '--num-images', '8', '--num-nlvr2', '4', '--num-flickr', '12'],
         tmp_path)
    out = _run([
        osp.join(ROOT, 'tools', 'analysis_tools',
                 'retrieval_prefilter_benchmark.py'), CONFIG, '--split',
        'train', 'val', 'test', '--num-images', '8', '4', '--topk', '2',
        '--full-max-pairs', '100', '--cfg-options',
        'model.encoder.num_layers=1'
    ], tmp_path)
    rows = [line.split() for line in out.splitlines()
            if re.match(r'\s*\d+\s+\d+\s+(\d+|all)\s', line)]
    # 4 images (20 texts): pre-filter, then all 80 pairs scored
    assert rows[0][:3] == ['4', '20', '2'] and int(rows[0][3]) < 80
    assert rows[1][:4] == ['4', '20', 'all', '80']
    # 8 images (40 texts): 320 pairs > 100, so the full ranking is the
    # estimate from the 4-image run's cost per joint pass
    assert rows[2][:3] == ['8', '40', '2'] and int(rows[2][3]) < 320
    assert rows[3][:4] == ['8', '40', 'all', '320'] and rows[3][-1] == 'est'


def test_gallery_search_benchmark(tmp_path, monkeypatch, capsys):
    """Per-query latency table over two gallery sizes (in this process)."""
    world = make_tiny_shapes_world(str(tmp_path / 'world'))
    tiny_shapes_checkpoint('retrieval', world, str(tmp_path / 'ret'))
    monkeypatch.setattr(sys, 'argv', [
        'gallery_search_benchmark.py', str(tmp_path / 'ret'), '--images',
        osp.join(world, 'coco', 'train2017'), '--sizes', '4', '8', '12',
        '--check-size', '4', '--full-max', '8', '--num-queries', '2',
        '--texts', 'a red circle', 'two squares', '--cache',
        str(tmp_path / 'g.pth')])
    runpy.run_path(osp.join(ROOT, 'tools', 'analysis_tools',
                            'gallery_search_benchmark.py'),
                   run_name='__main__')
    out = capsys.readouterr().out
    rows = [line.split('|')[1:-1] for line in out.splitlines()
            if re.match(r'\| \d+ \|', line)]
    assert [r[0].strip() for r in rows] == ['4', '8', '12']
    # at 4 images: queries with the exhaustive top-5, and its share found
    assert re.fullmatch(r' \d / 2 \(found \d+%\) ', rows[0][3])
    assert 'est.' not in rows[1][2] and 'est.' in rows[2][2]
    assert RetrievalGallery.load(str(tmp_path / 'g.pth')).num_images == 12
