"""The commands of README.md and docs/ run as written.

Every command in a shell or python block of the pages below is either
marked ``<!-- test-command -->`` and run here, in a sandbox with tiny
generated data and tiny checkpoints (doc_sandbox.py; a training run is cut
to 2 iterations), or listed in NOT_RUN_HERE with what runs it instead.
Every tool a page names answers ``--help``.
"""
import contextlib
import glob
import io
import os
import os.path as osp
import re
import runpy
import sys

import pytest
from doc_pages import ROOT, commands, markdown_files
from doc_sandbox import CommandRunner, make_sandbox

# The pages whose every command is accounted for here (other pages'
# tools are checked by test_every_named_tool_answers_help).
PAGES = ('README.md', 'docs/get_started.md', 'docs/data_preparation.md',
         'docs/model.md', 'docs/reproduce_paper.md', 'docs/inference.md',
         'docs/custom_dataset.md', 'docs/model_zoo.md', 'docs/results.md',
         'docs/benchmarks.md', 'docs/changelog.md')
# command (regular expression) -> what runs it instead
NOT_RUN_HERE = {
    r'make (env|demo|demo-downstream|test|table3|table7)\b':
    'make itself (CI runs make test)',
    r'source \.venv/bin/activate': 'the shell',
    r'python -c "import e2evlp_mm, mmdet, mmcv.ops':
    'tools/install.sh (the same import check ends every install)',
    r'python -m pytest -q tests/test_compat.py': 'make test',
    r'python tools/dataset_converters/(vg_to_det|build_vqa_answers|'
    r'build_exclusion_list|train_wordpiece|build_annotation_cache)\.py':
    'tests/test_paper/test_paper_path.py (the same converters, in this '
    'order, on generated real-format files)',
    r'python -c "import torch, torchvision as tv; torch.save':
    'needs the internet (ImageNet weights); the loading path is tested by '
    'tests/test_paper/test_paper_settings.py',
    r'python tools/dataset_converters/make_shapes_world.py --out '
    r'data/shapes_world --num-images 2000 --seed 0': 'make demo',
    r'(bash tools/dist_(train|test)\.sh|P=|for task in|done$)':
    'needs GPUs; tests/test_paper/test_paper_path.py runs every paper '
    'config, tests/test_tools/test_train_resume_dist.py dist_train.sh',
    r'python tools/analysis_tools/paper_table[37]\.py':
    'hours; tests/test_tools/test_paper_tables.py runs both scripts tiny',
    r'python tools/train.py configs/demo/e2evlp_shapes_vqa.py --cfg-options '
    r'load_from=work_dirs/demo_vqa/iter_900.pth model.vqa_head':
    'tests/test_engine/test_checkpoint_vocabularies.py::'
    'test_fine_tune_onto_new_answer_list_on_request',
    r'python tools/analysis_tools/benchmark\.py':
    'minutes; tests/test_tools/test_benchmark.py runs it tiny',
    r'(nice -n 10 python tools/analysis_tools/data_scale_benchmark\.py|'
    r'git archive 5f3eb13)':
    'minutes and GBs; tests/test_tools/test_data_scale_benchmark.py runs '
    'it tiny',
}
TOOL = re.compile(r'(?<![\w/.])((?:tools|demo)/[\w/]+\.py)\b')


def _accounted(command: str) -> bool:
    return any(re.match(p, command) for p in NOT_RUN_HERE)


def test_every_command_is_run_here_or_by_a_named_test():
    loose = [f'{page}:{line}: {command.splitlines()[0]}'
             for page in PAGES for line, command, marked in commands(page)
             if not marked and not _accounted(command)]
    assert not loose, '\n'.join(loose)


def test_one_way_to_run_python():
    """Commands run in the activated .venv as `python ...` (README), never
    through `.venv/bin/python` or a PYTHONPATH."""
    other = [f'{page}:{line}: {command.splitlines()[0]}'
             for page in markdown_files()
             for line, command, _ in commands(page)
             if re.search(r'\.venv/bin/python|PYTHONPATH=', command)]
    assert not other, '\n'.join(other)


def test_every_named_tool_answers_help(tmp_path, monkeypatch):
    tools = set()
    for page in markdown_files():
        with open(osp.join(ROOT, page), encoding='utf-8') as f:
            tools.update(TOOL.findall(f.read()))
    assert 'tools/train.py' in tools and len(tools) > 10
    monkeypatch.chdir(tmp_path)
    for tool in sorted(tools):
        path = osp.join(ROOT, tool)
        assert osp.isfile(path), f'docs name {tool}, which does not exist'
        with open(path) as f:
            if "__name__ == '__main__'" not in f.read():
                continue  # a module of other tools (paper_runs.py)
        out = io.StringIO()
        monkeypatch.setattr(sys, 'argv', [path, '--help'])
        monkeypatch.syspath_prepend(osp.dirname(path))  # as `python path`
        with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as e:
            runpy.run_path(path, run_name='__main__')
        assert e.value.code == 0 and 'usage' in out.getvalue(), tool


@pytest.fixture(scope='module')
def sandbox(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('docs_sandbox'))
    cwd = os.getcwd()
    os.chdir(root)
    try:
        make_sandbox(root)
        yield root
    finally:
        os.chdir(cwd)


def _run_page(page, runner):
    outputs = []
    for _, command, marked in commands(page):
        if marked:
            outputs.append((command, runner.run(command)))
    assert outputs, f'{page} has no marked command'
    return outputs


def test_readme_and_inference_commands_run(sandbox):
    runner = CommandRunner()
    _run_page('README.md', runner)
    assert glob.glob('work_dirs/demo/test/*/vis/*.png')  # --show-dir
    assert osp.isfile('vqa_results.json')
    # make demo's table, in the percent of README's
    table = runner.run('python tools/analysis_tools/demo_table.py '
                       'pretrain=configs/demo/e2evlp_shapes_pretrain.py:'
                       'work_dirs/demo/test')
    assert 'metric (%)' in table and 'COCO bbox AP50' in table
    outputs = dict(_run_page('docs/inference.md', runner))
    assert '"caption"' in outputs[next(c for c in outputs if 'work_dirs/demo '
                                       in c)]
    assert osp.isfile('outputs/vis/000000001701.png')


def test_custom_dataset_guide_runs_end_to_end(sandbox):
    runner = CommandRunner()
    _run_page('docs/custom_dataset.md', runner)
    for path in ('captions/dataset_custom.json', 'vqa/answer_list.json',
                 'det/instances_test.json', 'det/classes.txt',
                 'tokenizer/vocab.txt'):
        assert osp.isfile(osp.join('data/custom', path)), path
    for run in ('custom_caption', 'custom_vqa', 'custom_det',
                'custom_caption_own_vocab'):
        assert osp.isfile(f'work_dirs/{run}/iter_2.pth'), run
    assert glob.glob('work_dirs/custom_det/*/vis/*.png')
    assert osp.isfile('vqa_results.json')


def test_model_zoo_publish_commands_run(sandbox):
    outputs = _run_page('docs/model_zoo.md', CommandRunner())
    (_, printed), (_, checked) = outputs
    sha, path = checked.split()
    assert printed.splitlines()[0] == checked.strip()  # tool == sha256sum
    assert path.endswith(f'e2evlp_shapes_vqa-{sha[:8]}.pth')
    assert glob.glob('published/e2evlp_shapes_vqa-*.safetensors')
