# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""The test pipeline and config of each detection text condition."""
import os.path as osp

import pytest
from mmengine.config import Config

from e2evlp_mm.evaluation import (
    text_condition_config,
    text_condition_pipeline,
)
from e2evlp_mm.evaluation.text_conditions import CONDITIONS, transform_name

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
DATASET = osp.join(ROOT, 'configs', '_base_', 'datasets',
                   'shapes_world_pretrain.py')
DEMO = osp.join(ROOT, 'configs', 'demo', 'e2evlp_shapes_pretrain.py')
NOT_TEXT = ['E2EVLPLoadImageFromFile', 'Resize', 'E2EVLPLoadAnnotations',
            'PackE2EVLPInputs']


@pytest.fixture(scope='module')
def pipeline():
    """The shapes-world pre-training test pipeline."""
    return Config.fromfile(DATASET).test_pipeline


def _names(pipeline):
    return [transform_name(t) for t in pipeline]


def _transform(pipeline, name):
    return next(t for t in pipeline if transform_name(t) == name)


def test_as_configured_is_an_equal_copy(pipeline):
    edited = text_condition_pipeline(pipeline, 'as_configured')
    assert edited == list(pipeline)
    edited[0]['type'] = 'Other'
    assert pipeline[0]['type'] != 'Other'


@pytest.mark.parametrize('condition,prob', [('matched', 0.0),
                                            ('mismatched', 1.0)])
def test_text_conditions_set_itm_prob_and_drop_masking(
        pipeline, condition, prob):
    edited = text_condition_pipeline(pipeline, condition)
    assert _names(edited) == NOT_TEXT[:3] + [
        'E2EVLPSampleITMNegative', 'E2EVLPTokenize', 'PackE2EVLPInputs'
    ]
    assert _transform(edited, 'E2EVLPSampleITMNegative')['prob'] == prob
    # the tokenizer and packing are kept as configured
    assert _transform(edited, 'E2EVLPTokenize') == _transform(
        pipeline, 'E2EVLPTokenize')
    assert _transform(edited, 'PackE2EVLPInputs') == _transform(
        pipeline, 'PackE2EVLPInputs')
    # the config's own pipeline is left alone
    assert _transform(pipeline, 'E2EVLPSampleITMNegative')['prob'] == 0.5
    assert 'E2EVLPMaskTokens' in _names(pipeline)


def test_none_drops_every_text_transform(pipeline):
    assert _names(text_condition_pipeline(pipeline, 'none')) == NOT_TEXT


def test_scoped_and_class_types_are_recognized(pipeline):
    from e2evlp_mm.datasets.transforms import E2EVLPMaskTokens
    scoped = [dict(t) for t in pipeline]
    for t in scoped:
        if t['type'] == 'E2EVLPSampleITMNegative':
            t['type'] = 'mmdet.E2EVLPSampleITMNegative'
        elif t['type'] == 'E2EVLPMaskTokens':
            t['type'] = E2EVLPMaskTokens
    edited = text_condition_pipeline(scoped, 'mismatched')
    assert 'E2EVLPMaskTokens' not in _names(edited)
    assert _transform(edited, 'E2EVLPSampleITMNegative')['prob'] == 1.0


def test_missing_text_transforms_are_named(pipeline):
    no_itm = [t for t in pipeline
              if transform_name(t) != 'E2EVLPSampleITMNegative']
    with pytest.raises(ValueError, match="the 'mismatched' text "
                       'condition needs E2EVLPSampleITMNegative in'):
        text_condition_pipeline(no_itm, 'mismatched')
    # without an ITM sampler every text is the image's own
    assert _names(text_condition_pipeline(no_itm, 'matched')) == NOT_TEXT[
        :3] + ['E2EVLPTokenize', 'PackE2EVLPInputs']
    image_only = text_condition_pipeline(pipeline, 'none')
    with pytest.raises(ValueError, match='E2EVLPSampleITMNegative and '
                       'E2EVLPTokenize in the test pipeline, which has '
                       'E2EVLPLoadImageFromFile, Resize'):
        text_condition_pipeline(image_only, 'mismatched')
    with pytest.raises(ValueError, match="'matched' text condition needs "
                       'E2EVLPTokenize in'):
        text_condition_pipeline(image_only, 'matched')
    # an image-only pipeline stays image-only
    assert text_condition_pipeline(image_only, 'none') == image_only


def test_unknown_condition(pipeline):
    with pytest.raises(ValueError, match="unknown text condition 'masked'"):
        text_condition_pipeline(pipeline, 'masked')


@pytest.mark.parametrize('condition', CONDITIONS)
def test_config_scores_detection_only(condition):
    cfg = Config.fromfile(DEMO)
    edited = text_condition_config(cfg, condition)
    assert edited.test_dataloader.dataset.pipeline == (
        text_condition_pipeline(cfg.test_dataloader.dataset.pipeline,
                                condition))
    assert edited.test_evaluator.type == 'CocoMetric'
    assert edited.test_evaluator.ann_file == cfg.test_evaluator[0].ann_file
    test_cfg = edited.model.test_cfg
    assert not (test_cfg.with_caption or test_cfg.with_mlm
                or test_cfg.with_itm)
    assert test_cfg.max_per_img == cfg.model.test_cfg.max_per_img
    # the given config is unchanged
    assert len(cfg.test_evaluator) == 4
    assert cfg.model.test_cfg.with_caption


def test_config_without_coco_metric_or_pipeline():
    cfg = Config.fromfile(DEMO)
    cfg.test_evaluator = [dict(type='E2EVLPPretrainMetric')]
    with pytest.raises(ValueError, match='no CocoMetric'):
        text_condition_config(cfg, 'matched')
    cfg = Config.fromfile(DEMO)
    cfg.test_dataloader.dataset = dict(
        type='ConcatDataset', datasets=[cfg.test_dataloader.dataset])
    with pytest.raises(ValueError, match='has no pipeline to edit'):
        text_condition_config(cfg, 'none')
