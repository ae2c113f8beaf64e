"""tools/analysis_tools/paper_table{3,7}.py end to end on a tiny world."""
import json
import os.path as osp
import runpy
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
TOOLS = osp.join(ROOT, 'tools', 'analysis_tools')
DEMO = osp.join(ROOT, 'configs', 'demo')
# The demo models shrunk (as test_shapes_world_e2e.py) and 1-3 iterations.
TINY = [
    '--seeds', '0', '--pretrain-scale', '0.002', '--finetune-scale', '0.01',
    '--threads', '1', '--work-dir', 'work', '--cfg-options',
    'model.encoder.num_layers=1', 'model.decoder.num_layers=1',
    'model.caption_head.max_length=6', 'train_dataloader.batch_size=4',
    'test_dataloader.batch_size=8'
]


@pytest.fixture
def runs(monkeypatch):
    """The runner module, importable as the table scripts import it."""
    monkeypatch.syspath_prepend(TOOLS)
    threads = torch.get_num_threads()
    import paper_runs
    yield paper_runs
    torch.set_num_threads(threads)


def _table(script, args, monkeypatch):
    monkeypatch.setattr(sys, 'argv', [script] + args)
    runpy.run_path(osp.join(TOOLS, script), run_name='__main__')


def test_scale_schedule_and_options(runs):
    cfg = Config.fromfile(osp.join(DEMO, 'e2evlp_shapes_caption.py'))
    assert runs.scale_schedule(cfg, 0.5) == 75
    sched = cfg.param_scheduler[0]
    assert (sched.end, sched.milestones) == (75, [38, 56])
    assert cfg.default_hooks.checkpoint.interval == 75
    vqa = Config.fromfile(osp.join(DEMO, 'e2evlp_shapes_vqa.py'))
    # a key under the VQA model's absent decoder is skipped, not an error
    runs.apply_options(vqa, {'model.decoder.num_layers': 1,
                             'model.encoder.num_layers': 1})
    assert 'decoder' not in vqa.model and vqa.model.encoder.num_layers == 1
    runs.copy_schedule(vqa, osp.join(DEMO, 'e2evlp_shapes_pretrain.py'))
    assert vqa.train_cfg.max_iters == Config.fromfile(
        osp.join(DEMO, 'e2evlp_shapes_pretrain.py')).train_cfg.max_iters


def test_ablation_configs_remove_one_task():
    full = Config.fromfile(osp.join(DEMO, 'e2evlp_shapes_pretrain.py'))
    assert full.model.caption_head and full.model.bbox_head.num_attributes
    model = {
        v: Config.fromfile(
            osp.join(DEMO, f'e2evlp_shapes_pretrain_no_{v}.py')).model
        for v in ('caption', 'attr', 'det')
    }
    assert model['caption'].caption_head is None
    assert model['attr'].bbox_head.num_attributes == 0
    assert model['det'].bbox_head is None
    for m in model.values():  # everything else as the full model
        assert m.encoder == full.model.encoder and m.mlm_head is not None


def test_cells_summarise_seeds_and_show_missing_metrics(runs):
    per_seed = [{'VQA/acc': 0.5, 'VQA/acc_number': 0.25},
                {'VQA/acc': 0.7}]
    cells = runs.collect(per_seed, {'acc': ('VQA/acc', 100.0),
                                    'number': ('VQA/acc_number', 100.0),
                                    'other': ('VQA/acc_other', 100.0)})
    assert cells['acc']['values'] == [50.0, 70.0]
    assert cells['acc']['mean'] == pytest.approx(60.0)
    assert cells['acc']['std'] == pytest.approx(14.142, abs=1e-3)
    assert cells['number'] == dict(values=[25.0], mean=25.0, std=0.0)
    assert cells['other']['mean'] is None
    table = runs.markdown('run', ['acc', 'number', 'other'], {'r': cells}, 1)
    assert table.splitlines()[-1] == '| r | 60.0 ± 14.1 | 25.0 ± 0.0 | - |'


def test_tables_end_to_end(runs, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    subprocess.run([
        sys.executable,
        osp.join(ROOT, 'tools', 'dataset_converters', 'make_shapes_world.py'),
        '--out', 'data/shapes_world', '--num-images', '24', '--num-nlvr2',
        '8', '--num-flickr', '4'
    ], check=True, capture_output=True)
    _table('paper_table3.py', ['--rows', 'no_det', 'none'] + TINY,
           monkeypatch)
    t3 = json.loads((tmp_path / 'work' / 'table3.json').read_text())
    assert list(t3['rows']) == ['w/o object detection', 'no pre-training']
    for cells in t3['rows'].values():
        assert set(cells) == {
            'VQA acc', 'yes/no', 'number', 'other', 'BLEU-4', 'CIDEr',
            'true', 'true + shape'
        }
        for cell in cells.values():
            # a question type absent from the tiny split is left empty
            assert len(cell['values']) <= 1
            assert cell['mean'] is None or 0 <= cell['mean'] <= 1000
        assert len(cells['VQA acc']['values']) == 1
        assert len(cells['true + shape']['values']) == 1
        assert 0 <= cells['true + shape']['mean'] <= cells['true']['mean']
    assert '| no pre-training |' in t3['table']

    tested = []
    test = runs.test
    monkeypatch.setattr(runs, 'test', lambda config, ckpt, options: (
        tested.append(options), test(config, ckpt, options))[1])
    _table('paper_table7.py', ['--rows', 'detr', 'det_text_pretrained'] +
           TINY, monkeypatch)
    # every detector decoded as DETR: the demo config's NMS turned off
    assert [o['model.test_cfg.nms'] for o in tested] == [None, None]
    t7 = json.loads((tmp_path / 'work' / 'table7.json').read_text())
    assert len(t7['rows']) == 2
    for cells in t7['rows'].values():
        assert 0 <= cells['AP']['mean'] <= cells['AP50']['mean'] <= 100
    seed0 = tmp_path / 'work' / 'seed0'
    # DETR on the pre-training schedule: 1400 * 0.002 iterations
    assert (seed0 / 'detr_scratch_i3' / 'iter_3.pth').exists()
    assert (seed0 / 'det_from_pretrain_full_i3_i2' / 'iter_2.pth').exists()
