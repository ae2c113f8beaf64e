"""tools/train.py then tools/test.py on a tiny generated shapes world."""
import json
import os
import os.path as osp
import subprocess
import sys

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
CONFIG = osp.join(ROOT, 'configs', 'demo', 'e2evlp_shapes_pretrain.py')
BACKBONE = osp.join(ROOT, 'configs', 'demo', 'e2evlp_shapes_backbone.py')
# The demo model, shrunk further so that the test takes seconds.
TINY = [
    'model.encoder.num_layers=1', 'model.decoder.num_layers=1',
    'model.caption_head.max_length=6', 'train_cfg.max_iters=3',
    'train_dataloader.batch_size=4', 'test_dataloader.batch_size=8',
    'default_hooks.checkpoint.interval=3', 'default_hooks.logger.interval=1'
]


def _run(args, cwd):
    proc = subprocess.run(
        [sys.executable] + args, cwd=cwd, capture_output=True, text=True,
        timeout=600, env=dict(os.environ, PYTHONPATH=ROOT))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def test_pretrain_then_test_on_generated_shapes_world(tmp_path):
    # The demo config reads data/shapes_world relative to the working dir.
    _run([osp.join(ROOT, 'tools', 'dataset_converters',
                   'make_shapes_world.py'), '--out', 'data/shapes_world',
          '--num-images', '24', '--num-nlvr2', '8', '--num-flickr', '4'],
         tmp_path)
    # make demo's first stage: the backbone learns to name object windows
    backbone = tmp_path / 'backbone'
    log = _run([osp.join(ROOT, 'tools', 'train.py'), BACKBONE,
                '--work-dir', str(backbone), '--cfg-options',
                'train_cfg.max_iters=2', 'train_cfg.val_interval=2',
                'train_dataloader.batch_size=8', 'val_dataloader.batch_size=8',
                'default_hooks.checkpoint.interval=2'], tmp_path)
    assert 'accuracy/top1' in log
    backbone_ckpt = (backbone / 'last_checkpoint').read_text().strip()
    work = tmp_path / 'work'
    log = _run([osp.join(ROOT, 'tools', 'train.py'), CONFIG, '--work-dir',
                str(work), '--cfg-options', f'load_from={backbone_ckpt}'] +
               TINY, tmp_path)
    # the detector starts from the classifier's backbone, not its head
    assert f'Load checkpoint from {backbone_ckpt}' in log
    assert 'unexpected key in source state_dict: head.fc.weight' in log
    for key in ('loss_mlm', 'loss_itm', 'loss_cls', 'loss_attr', 'loss_cap'):
        assert key in log
    ckpt = (work / 'last_checkpoint').read_text().strip()
    assert ckpt.endswith('iter_3.pth')

    out = tmp_path / 'dets.json'
    log = _run([osp.join(ROOT, 'tools', 'test.py'), CONFIG, ckpt,
                '--work-dir', str(work / 'test'), '--out', str(out),
                '--cfg-options'] + TINY, tmp_path)
    for key in ('coco/bbox_mAP', 'pretrain/mlm_acc', 'pretrain/itm_acc',
                'caption/Bleu_4', 'caption_truth/true',
                'caption_truth/true_shape'):
        assert key in log
    dets = json.loads(out.read_text())  # official COCO results format
    assert dets and set(dets[0]) >= {'image_id', 'bbox', 'score',
                                     'category_id'}
