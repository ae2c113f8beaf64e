"""The OpenMMLab analysis tools on the demo configs and a tiny generated
shapes world: print_config, browse_dataset, analyze_logs, get_flops."""
import os
import os.path as osp
import re
import runpy
import subprocess
import sys

import pytest
import torch
from mmdet.structures import DetDataSample

from e2evlp_mm.datasets import build_tokenizer
from e2evlp_mm.testing import make_tiny_shapes_world
from e2evlp_mm.testing.shapes_checkpoint import tiny_shapes_checkpoint
from e2evlp_mm.visualization import gt_panel_lines

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
DEMO = osp.join(ROOT, 'configs', 'demo')


def _tool(monkeypatch, script, *args):
    """Run a tool's ``__main__`` in this process (seconds, not an import
    of everything per call)."""
    monkeypatch.setattr(sys, 'argv', [script, *map(str, args)])
    runpy.run_path(osp.join(ROOT, 'tools', script), run_name='__main__')


@pytest.fixture(scope='module')
def root(tmp_path_factory):
    """A folder with ``data/shapes_world`` (the demo configs' path)."""
    root = tmp_path_factory.mktemp('tools')
    make_tiny_shapes_world(str(root / 'data' / 'shapes_world'))
    return root


def test_print_config_resolves_the_bases(monkeypatch, capsys):
    _tool(monkeypatch, 'misc/print_config.py',
          osp.join(DEMO, 'e2evlp_shapes_vqa.py'), '--cfg-options',
          'model.encoder.num_layers=1')
    out = capsys.readouterr().out
    assert '{{' not in out and '_base_' not in out
    assert "tokenizer_path='data/shapes_world/tokenizer'" in out
    assert "type='E2EVLPVQA'" in out
    assert re.search(r'encoder=dict\(\s*layer_cfg=.*?num_layers=1', out,
                     re.S)


def test_browse_dataset_writes_pictures(root, monkeypatch, capsys):
    monkeypatch.chdir(root)
    out = root / 'browse'
    for config, number in (('pretrain', 4), ('nlvr2', 2), ('vqa', 2)):
        _tool(monkeypatch, 'analysis_tools/browse_dataset.py',
              osp.join(DEMO, f'e2evlp_shapes_{config}.py'), '--output-dir',
              out / config, '--show-number', number, '--not-show')
        pictures = sorted(os.listdir(out / config))
        assert len(pictures) == number, pictures
        assert all(p.endswith('.png') for p in pictures)
    assert '+' in sorted(os.listdir(out / 'nlvr2'))[0]  # a pair
    assert 'wrote 4 pictures' in capsys.readouterr().out


def test_gt_panel_lines(root):
    tokenizer = build_tokenizer(
        str(root / 'data' / 'shapes_world' / 'tokenizer'))
    ids = tokenizer('a red circle')['input_ids']
    sample = DetDataSample(metainfo=dict(text='a red circle',
                                         caption='two blue squares'))
    sample.itm_label = torch.tensor(0)
    sample.text_ids = torch.tensor(ids[:2] + [tokenizer.mask_token_id] +
                                   ids[3:])
    sample.mlm_labels = torch.tensor([-100, -100, ids[2]] +
                                     [-100] * (len(ids) - 3))
    lines = gt_panel_lines(sample, tokenizer)
    assert lines[:3] == [
        'text: a red circle', "ITM: negative (another image's text)",
        'caption: two blue squares'
    ]
    assert '[MASK]' in lines[3] and lines[3].startswith('tokens: [CLS]')
    assert lines[4] == 'MLM targets: red (as [MASK])'
    vqa = DetDataSample(metainfo=dict(text='what color?'))
    vqa.gt_answer = ['red'] * 7 + ['blue'] * 3
    assert gt_panel_lines(vqa) == ['Q: what color?', 'answers: red x7, '
                                   'blue x3']
    nlvr2 = DetDataSample(metainfo=dict(text='two circles'))
    nlvr2.nlvr_label = torch.tensor(1)
    assert gt_panel_lines(nlvr2) == ['statement: two circles',
                                     'label: True']


# The demo pre-training validated while training (it tests only at the end)
VALIDATED = """_base_ = {base!r}
val_dataloader = dict(_delete_=True, **_base_.test_dataloader)
val_cfg = dict(_delete_=True, type='ValLoop')
val_evaluator = _base_.test_evaluator
train_cfg = dict(max_iters=3, val_interval=3)
"""


@pytest.fixture(scope='module')
def work(root):
    """Three iterations of the shrunk demo pre-training, logged every
    iteration and validated at the end (losses and COCO metrics)."""
    work = root / 'work'
    config = root / 'validated_pretrain.py'
    config.write_text(VALIDATED.format(
        base=osp.join(DEMO, 'e2evlp_shapes_pretrain.py')))
    proc = subprocess.run(
        [sys.executable, osp.join(ROOT, 'tools', 'train.py'), str(config),
         '--work-dir', str(work), '--cfg-options',
         'model.encoder.num_layers=1', 'model.decoder.num_layers=1',
         'model.caption_head.max_length=4', 'train_dataloader.batch_size=4',
         'val_dataloader.batch_size=8', 'default_hooks.logger.interval=1',
         'default_hooks.checkpoint.interval=3'],
        cwd=root, capture_output=True, text=True, timeout=600,
        env=dict(os.environ, PYTHONPATH=ROOT))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return work


def test_analyze_logs_plot_curve_and_train_time(work, monkeypatch, capsys,
                                                tmp_path):
    out = tmp_path / 'curves.png'
    _tool(monkeypatch, 'analysis_tools/analyze_logs.py', 'plot_curve', work,
          work, '--keys', 'loss_mlm', 'coco/bbox_mAP', '--legend', 'a mlm',
          'a mAP', 'b mlm', 'b mAP', '--out', out)
    assert out.stat().st_size > 0
    assert 'wrote' in capsys.readouterr().out
    _tool(monkeypatch, 'analysis_tools/analyze_logs.py', 'plot_curve', work,
          '--keys', 'loss*', '--log-scale', '--out', tmp_path / 'all.png')
    printed = capsys.readouterr().out
    assert 'loss_mlm' in printed and 'd0.loss_cls' not in printed
    with pytest.raises(KeyError, match="no scalar 'nope'.*loss_mlm"):
        _tool(monkeypatch, 'analysis_tools/analyze_logs.py', 'plot_curve',
              work, '--keys', 'nope', '--out', out)
    with pytest.raises(ValueError, match='1 legends for 2 curves'):
        _tool(monkeypatch, 'analysis_tools/analyze_logs.py', 'plot_curve',
              work, work, '--legend', 'x', '--out', out)
    _tool(monkeypatch, 'analysis_tools/analyze_logs.py', 'cal_train_time',
          work)
    printed = capsys.readouterr().out
    assert re.search(r'3 iterations, 2 logged records', printed)
    assert re.search(r'average iter time: \d+\.\d+ s/iter', printed)


def test_get_flops_grows_with_the_input(monkeypatch, capsys):
    _tool(monkeypatch, 'analysis_tools/get_flops.py',
          osp.join(DEMO, 'e2evlp_shapes_pretrain.py'), '--shape', 64, 64,
          32, 48, '--cfg-options', 'model.encoder.num_layers=1')
    out = capsys.readouterr().out
    shapes = re.findall(r'Input shape: (\d+x\d+)', out)
    flops = re.findall(r'Flops: ([\d.]+)([GM])', out)
    assert shapes == ['64x64', '32x48'] and len(flops) == 2
    value = [float(v) * (1e3 if unit == 'G' else 1) for v, unit in flops]
    assert value[0] > value[1] > 0
    assert 'Params: ' in out


def _main(script):
    return runpy.run_path(osp.join(ROOT, 'tools', 'analysis_tools',
                                   script))['main']


def test_itm_negative_truth_mlm_by_word_itm_by_statement_positions(
        root, tmp_path, monkeypatch, capsys):
    world = str(root / 'data' / 'shapes_world') + '/'
    config, ckpt = tiny_shapes_checkpoint('pretrain', world,
                                          str(tmp_path / 'pretrain'))
    truth = _main('itm_negative_truth.py')
    args = [config, '--data-root', world, '--draws', '4']
    paper, kept = truth(args + ['--paper-negatives']), truth(args)
    assert set(paper) == {'test', 'train.0', 'train.1'}
    assert sum(r['true'] for r in paper.values()) > 0  # a tiny world
    assert all(r['negatives'] > 0 and r['true'] == 0 for r in kept.values())

    mlm = _main('mlm_by_word.py')
    out = mlm([config, ckpt, '--draws', '1', '--work-dir',
               str(tmp_path / 'mlm')])
    assert 'other' in out and 0 <= out['all'] <= 100
    assert 'masked tokens' in capsys.readouterr().out
    kind = runpy.run_path(osp.join(ROOT, 'tools', 'analysis_tools',
                                   'mlm_by_word.py'))['word_kind']
    assert [kind(w) for w in ('purple', 'discs', 'sign', 'three', 'beneath',
                              'corner', 'the', '##s')] == [
        'colour', 'shape', 'shape', 'count', 'where', 'where', 'other',
        'other']

    itm = _main('itm_by_statement.py')
    out = itm([config, ckpt, '--work-dir', str(tmp_path / 'itm')])
    assert 0 <= out['all'] <= 100 and len(out) > 1
    assert all(k.split('/')[0] in ('position', 'relation', 'count',
                                   'objects', 'colours', 'other')
               for k in out if k != 'all')
    assert 'pairs judged wrong' in capsys.readouterr().out
    kind = runpy.run_path(osp.join(ROOT, 'tools', 'analysis_tools',
                                   'itm_by_statement.py'))['statement_kind']
    assert [kind(t) for t in (
        'A red star in the top left corner.',
        'The red star is to the left of the blue disc.',
        'Three shapes on a grey canvas.', 'Some shapes including two hearts.',
        'A picture of a red star.', 'Shapes colored red and blue.',
        'A nice picture.')] == ['position', 'relation', 'count', 'count',
                                'objects', 'colours', 'other']

    positions = _main('caption_positions.py')
    out = positions([config, ckpt, '--work-dir', str(tmp_path / 'pos'),
                     '--scenes', world + 'vg/annotations/vg_det_val.json'])
    assert out['regions'] > 0
    for who in ('decoder', 'commonest'):  # the phrase right: both parts
        assert out[f'{who}/phrase'] <= min(out[f'{who}/left_right'],
                                           out[f'{who}/top_bottom'])
    assert 'region descriptions' in capsys.readouterr().out
    summarize = runpy.run_path(osp.join(ROOT, 'tools', 'analysis_tools',
                                        'caption_positions.py'))['summarize']
    out = summarize([('in the top left corner', 'at the top'),
                     ('in the top left corner', 'in the top left corner'),
                     ('on the left', 'in the middle')])
    assert out == {
        'decoder/phrase': 100 / 3, 'decoder/left_right': 100 / 3,
        'decoder/top_bottom': 100.0, 'commonest/phrase': 200 / 3,
        'commonest/left_right': 100.0, 'commonest/top_bottom': 200 / 3}


def test_grounding_accuracy(root, tmp_path, capsys):
    world = str(root / 'data' / 'shapes_world') + '/'
    config, ckpt = tiny_shapes_checkpoint(
        'pretrain', world, str(tmp_path / 'ground'),
        cfg_options={'model.grounding_head': dict(
            type='E2EVLPGroundingHead')})
    tool = runpy.run_path(osp.join(ROOT, 'tools', 'analysis_tools',
                                   'grounding_accuracy.py'))
    out = tool['main']([config, ckpt, '--work-dir', str(tmp_path / 'g'),
                        '--scenes', world + 'vg/annotations/vg_det_val.json'])
    assert out['regions'] > 0
    assert {'caption/acc50', 'caption/miou', 'encoder/acc50',
            'encoder/miou', 'random_object/acc50'} <= set(out)
    assert all(0 <= v <= 100 for k, v in out.items() if k != 'regions')
    assert 'region descriptions' in capsys.readouterr().out
    # by hand: a right box, a box beside its region, a random object
    truth = torch.tensor([[0.1, 0.1, 0.3, 0.3], [0.5, 0.5, 0.9, 0.9]])
    pred = torch.tensor([[0.2, 0.2, 0.2, 0.2], [0.3, 0.3, 0.2, 0.2]])
    objects = {1: torch.tensor([[0.1, 0.1, 0.3, 0.3], [0.6, 0.6, 0.7, 0.7]]),
               2: torch.tensor([[0.5, 0.5, 0.9, 0.9]])}
    got = tool['summarize']({'caption': pred}, truth, [1, 2], objects)
    assert got['caption/acc50'] == 50.0
    assert abs(got['caption/miou'] - 50.0) < 1e-4
    assert got['random_object/acc50'] == 75.0  # 1/2 and 1/1


def test_retrieval_truth(root):
    tool = runpy.run_path(osp.join(ROOT, 'tools', 'analysis_tools',
                                   'retrieval_truth.py'))
    # text 0 (image 0's) is true of both images, text 1 of image 1 only
    out = tool['truth_recall']([[True, True], [False, True]], [0, 1])
    assert out['ir_r1'] == 75.0 and out['tr_r1'] == 75.0
    assert out['ir_r5'] == out['tr_r5'] == 100.0
    # the regenerated scenes make every text true of its own image
    out = tool['main'](['--world', str(root / 'data' / 'shapes_world'),
                        '--split', 'train'])
    assert 0 < out['ir_r1'] <= 100 and out['r_mean'] <= 100
