"""tools/analysis_tools/{demo_pictures,plot_loss}.py helpers."""
import importlib.util
import json
import os.path as osp
import sys

import numpy as np

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))


def _load(name):
    path = osp.join(ROOT, 'tools', 'analysis_tools', f'{name}.py')
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_grid_tiles_pictures_row_by_row():
    grid = _load('demo_pictures').grid
    pics = [np.full((10, 20, 3), i * 40, np.uint8) for i in range(5)]
    pics[4] = np.zeros((6, 8, 3), np.uint8)
    canvas = grid(pics, cols=2, gap=2)
    assert canvas.shape == (3 * 12 - 2, 2 * 22 - 2, 3)
    assert (canvas[:10, 22:42] == 40).all()  # 2nd picture: row 0, col 1
    assert (canvas[24:30, :8] == 0).all()  # 5th: row 2, col 0
    assert (canvas[24:34, 8:] == 255).all()  # the rest stays white


def test_plot_loss_reads_the_newest_training_log(tmp_path, monkeypatch):
    plot_loss = _load('plot_loss')
    for stamp, scale in (('20240101_000000', 1.0), ('20240102_000000', 2.0)):
        log = tmp_path / stamp / 'vis_data'
        log.mkdir(parents=True)
        lines = [dict(step=s, loss=scale * 3 / s, loss_cls=1.0 / s,
                      lr=1e-4) for s in (10, 20)]
        lines.append({'coco/bbox_mAP': 0.1, 'step': 20})
        (log / 'scalars.json').write_text(
            '\n'.join(json.dumps(x) for x in lines))
    curves = plot_loss.read_losses(str(tmp_path))
    assert curves == dict(loss=([10, 20], [0.6, 0.3]),
                          loss_cls=([10, 20], [0.1, 0.05]))
    out = tmp_path / 'loss.png'
    monkeypatch.setattr(sys, 'argv', ['plot_loss.py', str(tmp_path),
                                      '--out', str(out)])
    plot_loss.main()
    assert out.stat().st_size > 0
