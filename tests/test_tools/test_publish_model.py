"""tools/model_converters/publish_model.py: a shareable checkpoint.

A tiny pre-training checkpoint with the training state a real one holds
(optimizer, schedulers, message hub) is published with ``--safetensors``;
the inferencer gives the same predictions from all three files.
"""
import glob
import hashlib
import json
import os.path as osp

import pytest
import torch

from e2evlp_mm.apis import E2EVLPInferencer
from e2evlp_mm.engine import E2EVLPCheckpointError
from e2evlp_mm.engine.safe_load import load_checkpoint_file
from e2evlp_mm.testing import tiny_shapes_work_dirs
from e2evlp_mm.testing.runs import run_tool

TRAINING_STATE = ('optimizer', 'param_schedulers', 'message_hub')


def _sha256(path: str) -> str:
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


@pytest.fixture(scope='module')
def published(tmp_path_factory):
    """The tiny checkpoint, its config and what the tool wrote."""
    root = str(tmp_path_factory.mktemp('publish'))
    tiny_shapes_work_dirs(root, ['pretrain'])
    config = osp.join(root, 'pretrain', 'e2evlp_shapes_pretrain.py')
    ckpt = osp.join(root, 'pretrain', 'iter_1.pth')
    state = torch.load(ckpt, weights_only=True)
    params = list(state['state_dict'].values())[:2]
    state.update(
        optimizer=dict(state={0: dict(exp_avg=torch.zeros_like(params[0]))},
                       param_groups=[dict(lr=1e-4, params=[0])]),
        param_schedulers=[dict(last_epoch=1)],
        message_hub=dict(runtime_info=dict(iter=1)))
    torch.save(state, ckpt)
    out = run_tool(['tools/model_converters/publish_model.py', ckpt,
                    osp.join(root, 'pub', 'e2evlp_shapes_pretrain.pth'),
                    '--safetensors'], cwd=root).stdout
    printed = dict(line.split()[::-1] for line in out.splitlines()
                   if line.strip())
    return dict(root=root, config=config, ckpt=ckpt, printed=printed)


def test_publish_keeps_weights_and_meta_and_names_by_sha256(published):
    printed = published['printed']
    pth, = glob.glob(osp.join(published['root'], 'pub', '*.pth'))
    weights, = glob.glob(osp.join(published['root'], 'pub', '*.safetensors'))
    meta = weights[:-len('.safetensors')] + '.json'
    assert sorted(printed) == sorted([pth, weights, meta])
    for path in (pth, weights):
        sha = _sha256(path)
        assert path.endswith(f'-{sha[:8]}' + osp.splitext(path)[1])
        assert printed[path] == sha  # the line `sha256sum` prints
    assert osp.basename(pth).startswith('e2evlp_shapes_pretrain-')
    original = torch.load(published['ckpt'], weights_only=True)
    kept = torch.load(pth, weights_only=True)
    assert set(kept) == {'state_dict', 'meta'}
    assert not set(TRAINING_STATE) & set(kept)
    assert kept['meta'] == original['meta']
    assert kept['meta']['vocabularies']['wordpiece']['tokens']
    for key, value in original['state_dict'].items():
        assert torch.equal(kept['state_dict'][key], value), key
    both = load_checkpoint_file(weights)
    assert both['meta']['vocabularies'] == json.loads(
        json.dumps(original['meta']['vocabularies']))
    assert both['state_dict'].keys() == original['state_dict'].keys()


def test_inferencer_predicts_the_same_from_every_published_file(
        published, tmp_path):
    root, config = published['root'], published['config']
    pth, = glob.glob(osp.join(root, 'pub', '*.pth'))
    weights, = glob.glob(osp.join(root, 'pub', '*.safetensors'))
    image = osp.join(root, 'shapes_world', 'coco', 'val2017',
                     '000000000021.jpg')

    def predict(cfg, ckpt):
        inferencer = E2EVLPInferencer(cfg, weights=ckpt, device='cpu')
        return inferencer(image, texts='a red circle', no_save_vis=True,
                          no_save_pred=True)['predictions']

    expected = predict(config, published['ckpt'])
    assert expected[0]['label_names'] and expected[0]['caption']
    assert predict(config, pth) == expected
    assert predict(config, weights) == expected
    # no tokenizer on this machine: the one in the meta json is used
    no_vocab = str(tmp_path / 'no_vocab.py')
    with open(config) as f, open(no_vocab, 'w') as out:
        out.write(f.read().replace('shapes_world/tokenizer',
                                   'missing/tokenizer'))
    with pytest.warns(UserWarning, match='tokenizer_path'):
        assert predict(no_vocab, weights) == expected


def test_safetensors_meta_must_be_the_one_published(published, tmp_path):
    weights, = glob.glob(osp.join(published['root'], 'pub',
                                  '*.safetensors'))
    copy = str(tmp_path / 'copy.safetensors')
    with open(weights, 'rb') as f, open(copy, 'wb') as out:
        out.write(f.read())
    with pytest.raises(E2EVLPCheckpointError, match='copy.json'):
        load_checkpoint_file(copy)
    with open(str(tmp_path / 'copy.json'), 'w') as f:
        json.dump(dict(vocabularies={}), f)
    with pytest.raises(E2EVLPCheckpointError, match='not the meta saved'):
        load_checkpoint_file(copy)
