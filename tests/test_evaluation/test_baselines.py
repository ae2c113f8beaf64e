"""Demo baselines are scored by the task's own metrics on its test set."""
import json
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

from e2evlp_mm.datasets.shapes_world import make_shapes_world
from e2evlp_mm.evaluation import baselines as B

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))


@pytest.fixture(scope='module')
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp('world')
    make_shapes_world(str(root / 'data' / 'shapes_world'), num_images=20,
                      num_nlvr2=40, num_flickr=60, seed=1)
    return root


def _cfg(name):
    init_default_scope('mmdet')
    return Config.fromfile(osp.join(ROOT, 'configs', 'demo', name))


def test_constant_nlvr2_label_scores_the_label_frequency(world,
                                                         monkeypatch):
    monkeypatch.chdir(world)
    cfg = _cfg('e2evlp_shapes_nlvr2.py')
    with open('data/shapes_world/nlvr2/dev.json') as f:
        labels = [json.loads(line)['label'] for line in f if line.strip()]
    result = B.score_baseline(cfg, B.constant(pred_nlvr_label=1))
    expected = 100.0 * labels.count('True') / len(labels)
    assert result['NLVR2/acc'] == pytest.approx(expected)


def test_majority_and_random_baselines(world, monkeypatch):
    monkeypatch.chdir(world)
    assert B.majority(['b', 'a', 'b']) == 'b'
    cfg = _cfg('e2evlp_shapes_retrieval.py')
    rng = np.random.default_rng(0)
    result = B.score_baseline(cfg, B.random_ranking(rng))
    # 60 scenes give a test split of 6: random scores put a text's image
    # first for about 1 text in 6, and within the top 10 of 6 always.
    assert 0 < result['retrieval/ir_r1'] < 50
    assert result['retrieval/ir_r10'] == 100
