# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Which text the encoder reads when detection is scored.

The E2E-VLP decoder cross-attends to the text tokens as well as the image
tokens, so a detection score depends on the text beside the image. The
pre-training test pipeline pairs half of the images with another scene's
text (ITM) and masks 15% of the tokens (MLM). :func:`text_condition_config`
rewrites a test config so that only detection is scored, under one of:

- ``as_configured``: the config's own test pipeline;
- ``matched``: the image's own text, unmasked;
- ``mismatched``: every text from another scene, unmasked;
- ``none``: no text; the detector then encodes the image alone (its
  ``predict`` uses the text only when every sample has ``text_ids``).
"""
import copy
from typing import List, Sequence

from mmengine.config import Config, ConfigDict

CONDITIONS = ('as_configured', 'matched', 'mismatched', 'none')
ITM_NEGATIVE = 'E2EVLPSampleITMNegative'
TOKENIZE = 'E2EVLPTokenize'
MASK_TOKENS = 'E2EVLPMaskTokens'
TEXT_TRANSFORMS = (ITM_NEGATIVE, TOKENIZE, MASK_TOKENS)
# ITM negative probability of each condition with text
_ITM_PROB = dict(matched=0.0, mismatched=1.0)
# what each condition with text needs (without an ITM sampler every text
# is the image's own)
_NEEDS = dict(matched=(TOKENIZE, ), mismatched=(ITM_NEGATIVE, TOKENIZE))


def transform_name(transform: dict) -> str:
    """A transform's registered name, without a scope (``mmdet.X``)."""
    name = transform['type']
    name = name if isinstance(name, str) else name.__name__
    return name.split('.')[-1]


def _check_condition(condition: str) -> None:
    if condition not in CONDITIONS:
        raise ValueError(f'unknown text condition {condition!r}; choose '
                         f'from {", ".join(CONDITIONS)}')


def text_condition_pipeline(pipeline: Sequence[dict],
                            condition: str) -> List[dict]:
    """A copy of a test pipeline with the text of ``condition``.

    ``matched`` and ``mismatched`` set ``E2EVLPSampleITMNegative``'s
    ``prob`` to 0 and 1 and drop ``E2EVLPMaskTokens`` (it masks at least
    one token even at ``mask_prob=0``); a pipeline without
    ``E2EVLPSampleITMNegative`` is already matched. ``none`` drops all three
    text
    transforms (``E2EVLPSampleITMNegative``, ``E2EVLPTokenize``,
    ``E2EVLPMaskTokens``), so no sample has ``text_ids``.

    Args:
        pipeline (Sequence[dict]): Transform configs of a test pipeline.
        condition (str): One of :data:`CONDITIONS`.

    Returns:
        list[dict]: The edited pipeline (the input is left unchanged).

    Raises:
        ValueError: For an unknown condition, or when the pipeline has
            no ``E2EVLPTokenize`` (``matched``, ``mismatched``) or no
            ``E2EVLPSampleITMNegative`` (``mismatched``).
    """
    _check_condition(condition)
    pipeline = [copy.deepcopy(t) for t in pipeline]
    if condition == 'as_configured':
        return pipeline
    names = [transform_name(t) for t in pipeline]
    if condition == 'none':
        return [t for t, n in zip(pipeline, names)
                if n not in TEXT_TRANSFORMS]
    missing = [n for n in _NEEDS[condition] if n not in names]
    if missing:
        raise ValueError(
            f'the {condition!r} text condition needs {" and ".join(missing)}'
            f' in the test pipeline, which has {", ".join(names)}')
    edited = []
    for transform, name in zip(pipeline, names):
        if name == MASK_TOKENS:
            continue
        if name == ITM_NEGATIVE:
            transform['prob'] = _ITM_PROB[condition]
        edited.append(transform)
    return edited


def _detection_evaluator(evaluator) -> ConfigDict:
    """The ``CocoMetric`` of a test evaluator (one metric or a list)."""
    metrics = evaluator if isinstance(evaluator, (list, tuple)) else [
        evaluator
    ]
    found = [m for m in metrics if m is not None
             and transform_name(m) == 'CocoMetric']
    if not found:
        raise ValueError('the test evaluator has no CocoMetric: nothing '
                         'scores detection')
    return found[0]


def text_condition_config(cfg: Config, condition: str) -> Config:
    """A copy of a test config that scores detection under ``condition``.

    Only the test pipeline changes (:func:`text_condition_pipeline`); the
    evaluator keeps the config's ``CocoMetric`` alone and the model's
    ``test_cfg`` turns captioning, MLM and ITM predictions off (they do
    not change the detections).

    Args:
        cfg (Config): A config whose ``test_dataloader.dataset`` has a
            ``pipeline`` and whose ``test_evaluator`` has a ``CocoMetric``.
        condition (str): One of :data:`CONDITIONS`.

    Returns:
        Config: The edited copy.

    Raises:
        ValueError: See :func:`text_condition_pipeline`; also when the
            test dataset has no ``pipeline`` or the evaluator no
            ``CocoMetric``.
    """
    _check_condition(condition)
    cfg = copy.deepcopy(cfg)
    dataset = cfg.test_dataloader.dataset
    if 'pipeline' not in dataset:
        raise ValueError('test_dataloader.dataset has no pipeline to edit '
                         f'(a {dataset.get("type")}); test a config whose '
                         'test dataset carries its pipeline')
    dataset.pipeline = text_condition_pipeline(dataset.pipeline, condition)
    cfg.test_evaluator = _detection_evaluator(cfg.test_evaluator)
    if cfg.model.get('test_cfg') is None:
        cfg.model.test_cfg = ConfigDict()
    cfg.model.test_cfg.update(
        with_caption=False, with_mlm=False, with_itm=False)
    return cfg
