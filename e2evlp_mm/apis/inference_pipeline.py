# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Turn a config's test pipeline into an inference pipeline."""
import copy
from typing import List, Optional

from mmengine.config import ConfigDict

# Ground-truth and training-target transforms: nothing to read at inference.
_DROP = ('LoadAnnotations', 'E2EVLPLoadAnnotations', 'E2EVLPSampleITMNegative',
         'E2EVLPMaskTokens', 'E2EVLPVQATarget')
_LOADERS = ('LoadImageFromFile', 'E2EVLPLoadImageFromFile')
# LoadImageFromFile options that do not apply to the inference loader
_LOADER_ONLY = ('skip_bad_images', 'ignore_empty')


def _name(transform: dict) -> str:
    """Transform type without its scope (``mmdet.Resize`` -> ``Resize``)."""
    return str(transform['type']).split('.')[-1]


def find_tokenize(cfg: ConfigDict) -> Optional[dict]:
    """The ``E2EVLPTokenize`` settings of a config, for the input text.

    Looks in the test pipeline, the retrieval loop's ``text_pipeline`` and
    the train pipeline, then falls back to ``model.text_cfg.tokenizer_path``.

    Args:
        cfg (:obj:`ConfigDict`): A full config.

    Returns:
        dict, optional: An ``E2EVLPTokenize`` config with ``keys=('text',)``,
        or None when the config names no tokenizer.
    """
    pipelines = [
        cfg.get('test_dataloader', {}).get('dataset', {}).get('pipeline', []),
        cfg.get('test_cfg', {}).get('text_pipeline', []),
        cfg.get('train_dataloader', {}).get('dataset', {}).get('pipeline',
                                                               []),
    ]
    for pipeline in pipelines:
        for transform in pipeline or []:
            if _name(transform) == 'E2EVLPTokenize':
                return dict(copy.deepcopy(transform), keys=('text', ))
    path = cfg.model.get('text_cfg', {}).get('tokenizer_path')
    if path is None:
        return None
    return dict(type='E2EVLPTokenize', tokenizer_path=path, keys=('text', ))


def inference_pipeline(pipeline: List[dict],
                       tokenize: Optional[dict] = None) -> List[dict]:
    """Rewrite a test pipeline for images given as paths or arrays.

    - ``(E2EVLP)LoadImageFromFile`` -> ``E2EVLPInferencerLoader`` (also
      inside ``E2EVLPApplyToImagePair``), keeping its decoding options;
    - annotation and target transforms are dropped;
    - ``E2EVLPTokenize`` tokenizes ``text`` only; when the pipeline has no
      tokenizer (captioning, retrieval) ``tokenize`` is inserted before
      the packing step;
    - the packing step keeps ``text`` in the metainfo.

    Args:
        pipeline (list[dict]): ``test_dataloader.dataset.pipeline``.
        tokenize (dict, optional): From :func:`find_tokenize`.

    Returns:
        list[dict]: A new pipeline (the input is not modified).
    """
    out = []
    for transform in copy.deepcopy(list(pipeline)):
        name = _name(transform)
        if name in _DROP:
            continue
        if name in _LOADERS:
            transform = {
                k: v
                for k, v in transform.items() if k not in _LOADER_ONLY
            }
            transform['type'] = 'E2EVLPInferencerLoader'
        elif name == 'E2EVLPApplyToImagePair':
            transform['transforms'] = inference_pipeline(
                transform['transforms'])
        elif name == 'E2EVLPTokenize':
            transform['keys'] = ('text', )
            tokenize = None  # already there
        elif name.startswith('Pack'):
            if tokenize is not None:
                out.append(copy.deepcopy(tokenize))
                tokenize = None
            meta_keys = transform.get('meta_keys')
            if meta_keys is not None and 'text' not in meta_keys:
                transform['meta_keys'] = tuple(meta_keys) + ('text', )
        out.append(transform)
    return out
