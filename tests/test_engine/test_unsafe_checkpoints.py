"""A checkpoint whose pickle runs code is refused by every entry point.

The malicious files are a real tiny VQA checkpoint (or gallery cache)
with one more object whose unpickling calls ``os.system('touch
MARKER')``. Each entry point must refuse them with the message naming the
file, and MARKER must never appear. The command-line tools run in one
extra process (:func:`run_scripts`).
"""
import glob
import os
import os.path as osp
import pickle
import shlex

import pytest
import torch
from mmengine.model.weight_init import PretrainedInit
from mmengine.runner.checkpoint import load_from_http
from torch import nn

from e2evlp_mm.apis.checkpoint_vocabularies import fill_missing_vocabularies
from e2evlp_mm.apis.e2evlp_inferencer import E2EVLPInferencer
from e2evlp_mm.apis.gallery_store import RetrievalGallery
from e2evlp_mm.apis.webui_models import ModelServer
from e2evlp_mm.engine.rng_state import RNG_KEY
from e2evlp_mm.engine.safe_load import E2EVLPUnsafeCheckpoint
from e2evlp_mm.models.layers.e2evlp_text_embedding import E2EVLPTextEmbedding
from e2evlp_mm.testing import tiny_shapes_work_dirs
from e2evlp_mm.testing.runs import TOY_LONG
from e2evlp_mm.testing.scripts_in_one_process import run_scripts

REFUSED = ' is not a plain-data checkpoint: torch.load(weights_only=True) '


class _Touch:
    """Unpickles as ``os.system('touch <marker>')``."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return os.system, (f'touch {shlex.quote(self.marker)}', )


@pytest.fixture(scope='module')
def evil(tmp_path_factory):
    """The tiny VQA work dir, malicious files and the marker they make."""
    root = str(tmp_path_factory.mktemp('unsafe'))
    tiny_shapes_work_dirs(root, ['vqa'])
    work = osp.join(root, 'vqa')
    config = osp.join(work, 'e2evlp_shapes_vqa.py')
    good = torch.load(osp.join(work, 'iter_1.pth'), weights_only=True)
    marker = osp.join(root, 'MARKER')
    files = dict(root=root, work=work, config=config, marker=marker)
    # the code in meta (read by the vocabulary reader too)
    files['ckpt'] = osp.join(work, 'evil.pth')
    torch.save(dict(good, meta=dict(good['meta'], x=_Touch(marker))),
               files['ckpt'])
    # the code in the random states a resume restores
    files['rng'] = osp.join(work, 'evil_rng.pth')
    torch.save(dict(good, message_hub=dict(
        runtime_info={RNG_KEY: [_Touch(marker)]})), files['rng'])
    files['gallery'] = osp.join(root, 'evil.gallery.pth')
    torch.save(dict(format=1, x=_Touch(marker)), files['gallery'])
    # a config whose answer list is not on this machine
    files['no_vocab'] = osp.join(root, 'no_vocab.py')
    with open(config) as f, open(files['no_vocab'], 'w') as out:
        out.write(f.read().replace('shapes_world/vqa/answer_list.json',
                                   'missing/answer_list.json'))
    files['image'] = osp.join(root, 'shapes_world', 'coco', 'val2017',
                              '000000000021.jpg')
    return files


def _refuses(message: str, path: str) -> bool:
    return f'{path}{REFUSED}' in message and \
        'never unpickles code' in message


def test_the_files_do_run_code_when_unpickled(evil, tmp_path):
    marker = str(tmp_path / 'sanity')
    path = str(tmp_path / 'sanity.pth')
    torch.save(dict(meta=_Touch(marker)), path)
    torch.load(path, weights_only=False)  # what the project never does
    assert osp.exists(marker)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(evil['ckpt'], weights_only=True)
    assert not osp.exists(evil['marker'])


def test_command_line_tools_refuse_them(evil):
    ckpt, config, work = evil['ckpt'], evil['config'], evil['work']
    name = ['--cfg-options', 'experiment_name=unsafe']
    calls = {
        'train.py --resume': [
            'tools/train.py', TOY_LONG, '--work-dir', f'{work}/t1',
            '--resume', ckpt] + name,
        'train.py --resume (code in the random states)': [
            'tools/train.py', TOY_LONG, '--work-dir', f'{work}/t2',
            '--resume', evil['rng']] + name,
        'train.py load_from': [
            'tools/train.py', TOY_LONG, '--work-dir', f'{work}/t3'] + name +
        [f'load_from={ckpt}'],
        'test.py': ['tools/test.py', config, ckpt, '--work-dir',
                    f'{work}/t4'] + name,
        'image_demo.py': [
            'demo/image_demo.py', evil['image'], config, '--weights', ckpt,
            '--texts', 'what color?', '--no-save-vis', '--no-save-pred'],
        'image_demo.py (vocabulary from the checkpoint)': [
            'demo/image_demo.py', evil['image'], evil['no_vocab'],
            '--weights', ckpt, '--texts', 'what color?'],
        'publish_model.py': [
            'tools/model_converters/publish_model.py', ckpt,
            f'{work}/published'],
        'retrieval_prefilter_benchmark.py': [
            'tools/analysis_tools/retrieval_prefilter_benchmark.py', config,
            ckpt],
        'demo_pictures.py': [
            'tools/analysis_tools/demo_pictures.py', config, '--weights',
            ckpt, '--out', f'{work}/pictures.png'],
        'gallery_search_benchmark.py': [
            'tools/analysis_tools/gallery_search_benchmark.py', config,
            '--weights', ckpt, '--images', osp.dirname(evil['image'])],
    }
    outcomes = run_scripts(list(calls.values()), cwd=evil['root'])
    for entry, outcome in zip(calls, outcomes):
        path = evil['rng'] if 'random states' in entry else ckpt
        assert outcome['exit'] != 0, entry
        assert _refuses(outcome['message'], path), (entry, outcome)
        # a message and exit status 1, not a traceback
        assert not outcome['message'].startswith('E2EVLP'), entry
    assert not osp.exists(evil['marker'])
    assert not glob.glob(f'{work}/published*')


def test_inferencer_and_web_demo_refuse_them(evil):
    ckpt = evil['ckpt']
    with pytest.raises(E2EVLPUnsafeCheckpoint) as error:
        E2EVLPInferencer(evil['config'], weights=ckpt, device='cpu')
    assert _refuses(str(error.value), ckpt)
    assert 'GLOBAL posix.system' in str(error.value)  # what it refused
    # the answer list comes from the checkpoint's meta
    with pytest.raises(E2EVLPUnsafeCheckpoint) as error:
        E2EVLPInferencer(evil['no_vocab'], weights=ckpt, device='cpu')
    assert _refuses(str(error.value), ckpt)
    with pytest.raises(E2EVLPUnsafeCheckpoint):
        fill_missing_vocabularies(
            dict(model=dict(answer_list_path='missing.json')), ckpt)
    # demo/webui.py --model CONFIG CHECKPOINT
    server = ModelServer([[evil['config'], ckpt]])
    assert not server.models and len(server.problems) == 1
    assert _refuses(server.problems[0], ckpt), server.problems
    assert not osp.exists(evil['marker'])


def test_caches_weights_inits_and_urls_refuse_them(evil, tmp_path):
    ckpt, gallery = evil['ckpt'], evil['gallery']
    with pytest.raises(E2EVLPUnsafeCheckpoint) as error:
        RetrievalGallery.load(gallery)
    assert f'{gallery} is not a plain-data gallery cache' in str(error.value)
    # init_cfg=dict(type='Pretrained', checkpoint=...) of a backbone
    with pytest.raises(E2EVLPUnsafeCheckpoint) as error:
        PretrainedInit(checkpoint=ckpt)(nn.Linear(2, 2))
    assert _refuses(str(error.value), ckpt)
    # https://, torchvision://, open-mmlab://, mmcls:// all download here
    url = f'file://{ckpt}'
    with pytest.raises(E2EVLPUnsafeCheckpoint) as error:
        load_from_http(url, model_dir=str(tmp_path), progress=False)
    assert _refuses(str(error.value), url)
    # text_cfg.init_from (a BERT checkpoint)
    emb = E2EVLPTextEmbedding(20, 16, max_position_embeddings=32,
                              init_from=ckpt)
    with pytest.raises(E2EVLPUnsafeCheckpoint) as error:
        emb.init_weights()
    assert _refuses(str(error.value), ckpt)
    assert not osp.exists(evil['marker'])
