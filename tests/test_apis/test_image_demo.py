"""demo/image_demo.py end to end: JSON on stdout, a PNG and a json file."""
import json
import os
import os.path as osp
import subprocess
import sys

from e2evlp_mm.testing import make_tiny_shapes_world, tiny_shapes_checkpoint

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))


def test_image_demo_vqa(tmp_path):
    world = make_tiny_shapes_world(str(tmp_path / 'shapes_world'))
    config, ckpt = tiny_shapes_checkpoint('vqa', world, str(tmp_path / 'w'))
    image = sorted((tmp_path / 'shapes_world' / 'coco' /
                    'val2014').iterdir())[0]
    out = tmp_path / 'out'
    proc = subprocess.run(
        [sys.executable, osp.join(ROOT, 'demo', 'image_demo.py'),
         str(image), config, '--weights', ckpt, '--texts',
         'what color is the circle?', '--out-dir', str(out), '--device',
         'cpu', '--print-result'],
        capture_output=True, text=True, timeout=600,
        env=dict(os.environ, PYTHONPATH=ROOT))
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(x for x in proc.stdout.splitlines() if x.startswith('{'))
    pred = json.loads(line)
    answers = json.loads(
        (tmp_path / 'shapes_world' / 'vqa' / 'answer_list.json').read_text())
    assert pred['question'] == 'what color is the circle?'
    assert pred['answer'] in answers and len(pred['topk']) == 5
    stem = image.stem
    assert (out / 'vis' / f'{stem}.png').stat().st_size > 0
    assert json.loads((out / 'preds' / f'{stem}.json').read_text()) == pred
