"""mmdet's stock DETR-R50 builds, trains a step and predicts on CPU."""
import os.path as osp

import torch
from mmdet.registry import MODELS
from mmdet.testing import demo_mm_inputs
from mmengine.config import Config
from mmengine.registry import init_default_scope

CONFIG = osp.join(osp.dirname(__file__), '..', 'data', 'configs',
                  'detr_r50_tiny.py')


def test_stock_detr_r50_loss_and_predict():
    init_default_scope('mmdet')
    cfg = Config.fromfile(CONFIG)
    assert cfg.model.backbone.depth == 50  # really mmdet's DETR config
    model = MODELS.build(cfg.model)
    packed = demo_mm_inputs(2, [[3, 96, 128], [3, 64, 96]], num_classes=4)
    data = model.data_preprocessor(packed, True)
    losses = model.loss(data['inputs'], data['data_samples'])
    total = sum(v for k, v in losses.items() if 'loss' in k)
    assert torch.isfinite(total) and total > 0
    total.backward()
    assert model.query_embedding.weight.grad is not None

    model.eval()
    with torch.no_grad():
        data = model.data_preprocessor(packed, False)
        results = model.predict(data['inputs'], data['data_samples'])
    inst = results[0].pred_instances
    assert inst.bboxes.shape == (10, 4) and inst.scores.shape == (10, )
