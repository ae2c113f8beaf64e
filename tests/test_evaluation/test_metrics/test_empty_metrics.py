"""A metric with nothing to score reports its metrics as 0.0 and says why
(a missing key would end a run whose checkpoint hook has ``save_best``)."""
import logging

import pytest
import torch
from mmdet.structures import DetDataSample
from mmengine.evaluator import Evaluator
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData

from e2evlp_mm.evaluation.metrics import (
    E2EVLPCaptionMetric,
    E2EVLPCocoMetric,
    E2EVLPNLVR2Acc,
    E2EVLPPretrainMetric,
    E2EVLPRetrievalRecall,
    E2EVLPVQAAcc,
)
from e2evlp_mm.testing.toy_detection import toy_coco_file

AP = ['bbox_mAP', 'bbox_mAP_50', 'bbox_mAP_75', 'bbox_mAP_s', 'bbox_mAP_m',
      'bbox_mAP_l']


@pytest.fixture
def warnings_logged():
    """The warnings logged through mmengine's current logger."""
    records = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append
    logger = MMLogger.get_current_instance()
    logger.addHandler(handler)
    yield lambda: [r.getMessage() for r in records]
    logger.removeHandler(handler)


def _detection(img_id: int, label: int, source: str = 'coco'):
    sample = DetDataSample(metainfo=dict(img_id=img_id, ori_shape=(40, 40),
                                         source=source))
    sample.pred_instances = InstanceData(
        bboxes=torch.tensor([[0., 0., 10., 10.]]), scores=torch.ones(1),
        labels=torch.tensor([label]))
    return sample


def _coco_evaluator(tmp_path, **kwargs) -> Evaluator:
    init_default_scope('mmdet')
    ann_file = toy_coco_file(str(tmp_path / 'instances.json'), ['circle'])
    evaluator = Evaluator(E2EVLPCocoMetric(ann_file=ann_file, **kwargs))
    # class 1 ('tree') has no category in the file
    evaluator.dataset_meta = dict(classes=('circle', 'tree'))
    return evaluator


def test_coco_metric_without_kept_predictions(tmp_path, warnings_logged):
    evaluator = _coco_evaluator(tmp_path, metric='bbox')
    evaluator.process([_detection(1, 1), _detection(2, 1)])
    metrics = evaluator.evaluate(2)
    assert metrics == {f'coco/{key}': 0.0 for key in AP}
    why, = [m for m in warnings_logged() if 'E2EVLPCocoMetric' in m]
    assert 'none of the 2 samples kept a prediction' in why
    assert 'instances.json' in why and 'coco/bbox_mAP, ' in why


def test_coco_metric_scores_kept_predictions(tmp_path, warnings_logged):
    evaluator = _coco_evaluator(tmp_path, metric='bbox')
    evaluator.process([_detection(1, 0), _detection(2, 1)])
    metrics = evaluator.evaluate(2)
    assert set(metrics) == {f'coco/{key}' for key in AP}
    assert metrics['coco/bbox_mAP'] > 0
    assert not [m for m in warnings_logged() if 'E2EVLPCocoMetric' in m]


def test_coco_metric_without_its_source(tmp_path, warnings_logged):
    evaluator = _coco_evaluator(tmp_path, metric=['bbox', 'proposal'],
                                source='coco', prefix='vg')
    evaluator.process([_detection(1, 0, source='vg')])
    metrics = evaluator.evaluate(1)
    assert metrics == {f'vg/{key}': 0.0 for key in AP + [
        'AR@100', 'AR@300', 'AR@1000', 'AR_s@1000', 'AR_m@1000',
        'AR_l@1000']}
    assert any("no sample of source 'coco'" in m for m in warnings_logged())


def test_coco_metric_names_follow_metric_items(tmp_path):
    metric = _coco_evaluator(
        tmp_path, metric=['bbox', 'proposal_fast'],
        metric_items=['mAP', 'mAP_50'], proposal_nums=(10, 20)).metrics[0]
    assert metric.metric_names() == ['bbox_mAP', 'bbox_mAP_50', 'AR@10',
                                     'AR@20']


@pytest.mark.parametrize('metric, expected', [
    (E2EVLPVQAAcc(), {'VQA/acc': 0.0}),
    (E2EVLPNLVR2Acc(), {'NLVR2/acc': 0.0}),
    (E2EVLPCaptionMetric(tokenizer='basic'),
     {f'caption/{k}': 0.0
      for k in ('Bleu_1', 'Bleu_2', 'Bleu_3', 'Bleu_4', 'CIDEr')}),
    (E2EVLPRetrievalRecall(topk=(1, 5)),
     {f'retrieval/{k}': 0.0
      for k in ('tr_r1', 'ir_r1', 'tr_r5', 'ir_r5', 'r_mean')}),
    (E2EVLPPretrainMetric(), {'pretrain/mlm_acc': 0.0,
                              'pretrain/itm_acc': 0.0}),
],
                         ids=lambda x: type(x).__name__)
def test_metrics_of_no_sample(metric, expected, warnings_logged):
    assert Evaluator(metric).evaluate(0) == expected
    assert any(f'{type(metric).__name__}: no ' in m and 'logged as 0.0' in m
               for m in warnings_logged())


def test_pretrain_metric_without_masked_tokens(warnings_logged):
    evaluator = Evaluator(E2EVLPPretrainMetric())
    evaluator.process([
        DetDataSample(mlm_labels=torch.tensor([-100, -100]),
                      pred_mlm_ids=torch.tensor([3, 4]),
                      itm_label=torch.tensor(1), pred_itm_score=0.9)])
    assert evaluator.evaluate(1) == {'pretrain/mlm_acc': 0.0,
                                     'pretrain/itm_acc': 100.0}
    assert any('no token was masked' in m for m in warnings_logged())


def test_format_only_stays_empty(tmp_path):
    metric = E2EVLPVQAAcc(result_file=str(tmp_path / 'vqa.json'),
                          format_only=True)
    assert Evaluator(metric).evaluate(0) == {}


@pytest.mark.parametrize('name', ['E2EVLPCaptionMetric',
                                  'E2EVLPCaptionTruthMetric'])
def test_caption_metrics_name_the_missing_caption(name, tmp_path):
    """Captioning switched off at test (``with_caption=False``) but a
    caption metric listed: a clear error on the first batch."""
    from e2evlp_mm.evaluation import metrics
    metric = getattr(metrics, name)(ann_file=str(tmp_path / 'unused.json'))
    sample = DetDataSample(metainfo=dict(img_id=7)).to_dict()
    with pytest.raises(KeyError, match='image 7 has no `pred_caption`.*'
                       'with_caption=True'):
        metric.process({}, [sample])
