"""tools/test.py --show-dir draws NLVR2 pairs (img_path is a list)."""
import os
import os.path as osp
import subprocess
import sys

from e2evlp_mm.testing import make_tiny_shapes_world, tiny_shapes_checkpoint

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))


def test_show_dir_for_nlvr2_pairs(tmp_path):
    world = make_tiny_shapes_world(str(tmp_path / 'shapes_world'))
    config, ckpt = tiny_shapes_checkpoint('nlvr2', world,
                                          str(tmp_path / 'nlvr2'))
    work = tmp_path / 'test'
    proc = subprocess.run(
        [sys.executable, osp.join(ROOT, 'tools', 'test.py'), config, ckpt,
         '--work-dir', str(work), '--show-dir', 'vis'],
        capture_output=True, text=True, timeout=600,
        env=dict(os.environ, PYTHONPATH=ROOT))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'NLVR2/acc' in proc.stdout + proc.stderr
    pictures = sorted(work.glob('*/vis/*.png'))
    # the tiny world has 2 dev statements over one pair: two files
    assert [p.name for p in pictures] == [
        'dev-0-0-img0+dev-0-0-img1.png', 'dev-0-0-img0+dev-0-0-img1_1.png']
    import mmcv
    picture = mmcv.imread(str(pictures[0]))
    assert picture.shape[1] == 2 * 320 + 8  # the pair, side by side
    assert picture.shape[0] > 320  # and the statement panel
