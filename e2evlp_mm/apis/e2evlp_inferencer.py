# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Run an E2E-VLP checkpoint on your own images (mmdet's DetInferencer)."""
import copy
import json
import os
import os.path as osp
import warnings
from typing import Dict, Iterator, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmdet.registry import DATASETS, TRANSFORMS, VISUALIZERS
from mmdet.structures import DetDataSample
from mmdet.utils import ConfigType
from mmengine.dataset import Compose, pseudo_collate
from mmengine.infer import BaseInferencer
from mmengine.model.utils import revert_sync_batchnorm
from mmengine.registry import init_default_scope
from mmengine.runner.checkpoint import _load_checkpoint_to_model
from torch import nn

from ..engine.vocabularies import (
    allowed_new,
    check_vocabularies,
    model_vocabularies,
)
from .checkpoint_vocabularies import fill_missing_vocabularies
from .gallery_search import FROM_CONFIG, GallerySearchMixin
from .inference_pipeline import find_tokenize, inference_pipeline
from .inputs import (
    ImageInput,
    InputNamer,
    load_rgb,
    texts_per_input,
    to_input_list,
)
from .tasks import model_tasks, resolve_tasks, sample_to_dict
from .work_dir import resolve_work_dir


class E2EVLPInferencer(GallerySearchMixin, BaseInferencer):
    """One call per task on image paths or arrays, like mmdet's
    ``DetInferencer``.

    .. code:: python

        inferencer = E2EVLPInferencer('work_dirs/demo')  # or config + weights
        inferencer('scene.png')['predictions'][0]
        # {'img_path': 'scene.png', 'bboxes': [...], 'label_names': [...],
        #  'attr_names': [...], 'caption': 'a red circle ...', ...}
        vqa = E2EVLPInferencer('configs/demo/e2evlp_shapes_vqa.py', ckpt)
        vqa('scene.png', texts='what color is the circle?')

    The tasks follow the model type (see :mod:`e2evlp_mm.apis.tasks`):
    pre-training answers ``detect`` + ``caption`` (+ ``itm`` given texts),
    ``E2EVLPVQA`` ``vqa``, ``E2EVLPNLVR2`` ``nlvr2`` (inputs are pairs),
    ``E2EVLPCaptioner`` ``caption``, ``E2EVLPRetriever`` ``retrieve``
    (``gallery`` texts ranked for each image, or, given ``texts``, the
    input images ranked for each text), ``E2EVLP`` with a box head only
    ``detect``. The config's test pipeline is reused with the file loader
    replaced by ``E2EVLPInferencerLoader`` (paths or BGR arrays) and the
    annotation transforms dropped; class and attribute names come from the
    checkpoint's ``dataset_meta``. Paths inside configs (tokenizer, answer
    list) are relative to the repository root, so run from there; when
    they do not exist, the checkpoint's own copies are used, and a
    checkpoint trained on other vocabularies than the config's files is
    refused (docs/inference.md, "What a checkpoint knows").

    Args:
        model (str | dict | Config, optional): Config path or object, or a
            ``tools/train.py`` work dir (its dumped config and last
            checkpoint). None reads the config from ``weights``.
        weights (str, optional): Checkpoint: a ``.pth`` or published
            ``.safetensors`` weights with their ``.json`` meta beside
            (``tools/model_converters/publish_model.py``), read as plain
            data only. Defaults to the work dir's.
        device (str, optional): ``'cpu'``, ``'cuda:0'``...; None picks
            the available one.
        scope (str): Registry scope. Defaults to ``'mmdet'``.
        show_progress (bool): Show a progress bar. Defaults to False.
    """

    preprocess_kwargs: set = set()
    forward_kwargs: set = set()
    visualize_kwargs: set = {
        'return_vis', 'show', 'wait_time', 'draw_pred', 'pred_score_thr',
        'img_out_dir', 'no_save_vis'
    }
    postprocess_kwargs: set = {
        'print_result', 'pred_out_dir', 'return_datasamples', 'no_save_pred'
    }

    def __init__(self,
                 model: Union[str, ConfigType, None] = None,
                 weights: Optional[str] = None,
                 device: Optional[str] = None,
                 scope: str = 'mmdet',
                 show_progress: bool = False) -> None:
        if isinstance(model, str) and osp.isdir(model):
            model, weights = resolve_work_dir(model, weights)
        self.weights_path = weights  # names a gallery cache
        init_default_scope(scope)
        self._name = InputNamer()
        super().__init__(
            model=model,
            weights=weights,
            device=device,
            scope=scope,
            show_progress=show_progress)
        self.model = revert_sync_batchnorm(self.model)
        self.tasks = model_tasks(self.model)

    # building ---------------------------------------------------------
    def _init_model(self, cfg: ConfigType, weights: Optional[str],
                    device: str = 'cpu') -> nn.Module:
        """mmengine's, once missing vocabulary files of ``cfg`` point at
        the checkpoint's copies (see :func:`fill_missing_vocabularies`)."""
        if cfg and weights is not None:
            fill_missing_vocabularies(cfg, weights)
        self._weights = weights
        return super()._init_model(cfg, weights, device)

    def _load_weights_to_model(self, model: nn.Module,
                               checkpoint: Optional[dict],
                               cfg: Optional[ConfigType]) -> None:
        """Load the weights and ``model.dataset_meta`` (the checkpoint's,
        else the test dataset's metainfo); a checkpoint trained on other
        vocabularies than the config's is refused."""
        meta = {}
        if checkpoint is not None:
            check_vocabularies(checkpoint, model_vocabularies(model),
                               self._weights,
                               allowed_new(cfg.get('new_vocabularies')))
            _load_checkpoint_to_model(model, checkpoint)
            meta = checkpoint.get('meta', {}).get('dataset_meta') or {}
        else:
            warnings.warn('No checkpoint: predictions of a randomly '
                          'initialized model.', stacklevel=2)
        if not meta.get('classes'):
            try:
                dataset = copy.deepcopy(cfg.test_dataloader.dataset)
                dataset['lazy_init'] = True
                meta = dict(DATASETS.build(dataset).metainfo)
            except Exception:  # no data on this machine: indices as names
                meta = dict(meta)
        model.dataset_meta = meta

    def _init_pipeline(self, cfg: ConfigType) -> Compose:
        """The config's test pipeline for paths or arrays (see
        :func:`inference_pipeline`); also builds :attr:`tokenize`."""
        tokenize = find_tokenize(cfg)
        self.tokenize = None if tokenize is None else TRANSFORMS.build(
            tokenize)
        return Compose(
            inference_pipeline(cfg.test_dataloader.dataset.pipeline,
                               tokenize))

    def _init_collate(self, cfg: ConfigType):
        """mmengine's ``pseudo_collate``, as the test dataloaders use."""
        return pseudo_collate

    def _init_visualizer(self, cfg: ConfigType):
        """An ``E2EVLPVisualizer`` with the config's visualizer settings."""
        vis_cfg = dict(cfg.get('visualizer', {}), type='E2EVLPVisualizer')
        vis_cfg['name'] = f'e2evlp_inferencer_{id(self)}'
        vis_cfg.pop('vis_backends', None)  # pictures go to out_dir
        visualizer = VISUALIZERS.build(vis_cfg)
        visualizer.dataset_meta = self.model.dataset_meta
        return visualizer

    # inputs -------------------------------------------------------------
    def _inputs_to_list(self, inputs, pairs: bool = False) -> list:
        """See :func:`to_input_list`."""
        return to_input_list(inputs, pairs)

    def preprocess(self, inputs: List[dict], batch_size: int = 1,
                   **kwargs) -> Iterator[dict]:
        """Run the pipeline on each input dict and collate batches.

        Args:
            inputs (list[dict]): ``img_path`` (a path, a BGR array, or a
                list of two for NLVR2) and optionally ``text``.
            batch_size (int): Inputs per forward pass.

        Yields:
            dict: ``inputs`` and ``data_samples``, as a dataloader yields.
        """
        for start in range(0, len(inputs), batch_size):
            chunk = inputs[start:start + batch_size]
            yield self.collate_fn([self.pipeline(dict(x)) for x in chunk])

    # the call -----------------------------------------------------------
    def __call__(self,
                 inputs: Union[ImageInput, Sequence],
                 texts: Union[str, Sequence[str], None] = None,
                 gallery: Optional[Sequence[str]] = None,
                 task: Optional[str] = None,
                 topk: int = 5,
                 prefilter_topk: Union[int, None, str] = FROM_CONFIG,
                 gallery_cache: Optional[str] = None,
                 batch_size: int = 1,
                 return_vis: bool = False,
                 show: bool = False,
                 wait_time: float = 0,
                 no_save_vis: bool = False,
                 draw_pred: bool = True,
                 pred_score_thr: float = 0.3,
                 return_datasamples: bool = False,
                 print_result: bool = False,
                 no_save_pred: bool = True,
                 out_dir: str = '') -> Dict:
        """Predict, and optionally draw and save, for a list of inputs.

        Args:
            inputs (str | np.ndarray | Sequence): Image paths or BGR
                (H, W, 3) arrays, a directory, or for ``nlvr2`` pairs
                ``[(left, right), ...]`` (a single pair may be passed as
                ``(left, right)``). For ``retrieve`` with ``texts``, the
                image gallery.
            texts (str | Sequence[str], optional): Question (VQA),
                statement (NLVR2) or text (ITM) per input, or one for all;
                for ``retrieve`` the text queries.
            gallery (Sequence[str], optional): Texts ranked for each input
                image (``retrieve``).
            task (str, optional): See :func:`resolve_tasks`; None takes the
                model's tasks.
            topk (int): Gallery items kept per query (``retrieve``).
            prefilter_topk (int, optional): ``retrieve``: joint passes per
                query after the dual-encoder pre-filter; None scores all
                pairs; default: the config's (see
                :meth:`default_prefilter_topk`).
            gallery_cache (str, optional): ``retrieve``: the encoded
                gallery (input images given ``texts``, else the
                ``gallery`` texts) is read from this file if it exists,
                else written there (see :meth:`cached_gallery`).
            batch_size (int): Inputs per forward pass.
            return_vis (bool): Return the drawn pictures (RGB arrays).
            show (bool): Show each picture in a window.
            wait_time (float): Seconds to show each picture.
            no_save_vis (bool): Do not write pictures.
            draw_pred (bool): Draw predictions.
            pred_score_thr (float): Minimum score of a drawn box.
            return_datasamples (bool): Return ``DetDataSample`` s instead of
                dicts.
            print_result (bool): Print the predictions as JSON.
            no_save_pred (bool): Do not write ``preds/*.json``.
            out_dir (str): Writes ``vis/<name>.png`` and (unless
                ``no_save_pred``) ``preds/<name>.json`` under it.

        Returns:
            dict: ``predictions`` (one plain dict per input or query, the
            fields of :mod:`e2evlp_mm.apis.tasks`) and ``visualization``
            (RGB arrays when ``return_vis``, else empty).
        """
        with_text = texts is not None
        tasks = resolve_tasks(self.tasks, task,
                              with_text or gallery is not None)
        ori_inputs = self._inputs_to_list(inputs, pairs='nlvr2' in tasks)
        if 'retrieve' in tasks:
            batches = self._retrieve(ori_inputs, texts, gallery, topk,
                                     batch_size, prefilter_topk,
                                     gallery_cache)
        else:
            batches = self._predict(ori_inputs, tasks, texts, batch_size)
        results = dict(predictions=[], visualization=[])
        for vis_inputs, names, preds in batches:
            vis = self.visualize(
                vis_inputs, preds, return_vis=return_vis, show=show,
                wait_time=wait_time, draw_pred=draw_pred,
                pred_score_thr=pred_score_thr, no_save_vis=no_save_vis,
                img_out_dir=out_dir, names=names)
            out = self.postprocess(
                preds, vis, return_datasamples=return_datasamples,
                print_result=print_result, no_save_pred=no_save_pred,
                pred_out_dir=out_dir, names=names, tasks=tasks)
            results['predictions'].extend(out['predictions'])
            results['visualization'].extend(out['visualization'] or [])
        return results

    def _predict(self, ori_inputs: list, tasks: Tuple[str, ...],
                 texts, batch_size: int) -> Iterator[tuple]:
        """Batches of ``(pictures, names, predicted samples)`` of every
        task but retrieval."""
        texts = texts_per_input(texts, len(ori_inputs))
        test_cfg = getattr(self.model, 'test_cfg', None)
        if getattr(self.model, 'mlm_head', None) is not None or getattr(
                self.model, 'itm_head', None) is not None:
            # pre-training model: only what was asked (MLM needs masks)
            self.model.test_cfg = dict(
                test_cfg or {},
                with_mlm=False,
                with_itm='itm' in tasks,
                with_caption='caption' in tasks)
        elif getattr(self.model, 'caption_head', None) is not None \
                and getattr(self.model, 'bbox_head', None) is not None:
            self.model.test_cfg = dict(
                test_cfg or {}, with_caption='caption' in tasks)
        items = [
            dict(img_path=list(x) if isinstance(x, tuple) else x)
            for x in ori_inputs
        ]
        for item, text in zip(items, texts or [None] * len(items)):
            if text is not None:
                item['text'] = text
        batches = self.preprocess(items, batch_size)
        for start, data in zip(range(0, len(items), batch_size), batches):
            preds = self.forward(data)
            chunk = ori_inputs[start:start + batch_size]
            self._decode_captions(preds)
            yield chunk, [self._name(x) for x in chunk], preds

    @torch.no_grad()
    def forward(self, inputs: dict, **kwargs) -> List[DetDataSample]:
        """``model.test_step`` (generation stays inside ``predict``)."""
        return self.model.test_step(inputs)

    def _decode_captions(self, preds: List[DetDataSample]) -> None:
        """Decode ``pred_caption_ids`` when the model has no tokenizer."""
        for sample in preds:
            if 'pred_caption_ids' in sample and 'pred_caption' not in sample:
                if self.tokenize is None:
                    raise ValueError('captions need a tokenizer in the '
                                     'config to be decoded.')
                sample.pred_caption = self.tokenize.tokenizer.decode(
                    sample.pred_caption_ids.tolist(),
                    skip_special_tokens=True)

    # outputs -------------------------------------------------------------
    def visualize(self,
                  inputs: list,
                  preds: List[DetDataSample],
                  return_vis: bool = False,
                  show: bool = False,
                  wait_time: float = 0,
                  draw_pred: bool = True,
                  pred_score_thr: float = 0.3,
                  no_save_vis: bool = False,
                  img_out_dir: str = '',
                  names: Optional[List[str]] = None,
                  **kwargs) -> Optional[List[np.ndarray]]:
        """Draw each prediction with :class:`E2EVLPVisualizer`.

        Returns:
            list[np.ndarray], optional: RGB pictures when ``return_vis``.
        """
        if no_save_vis:
            img_out_dir = ''
        if not show and not img_out_dir and not return_vis:
            return None
        pictures = []
        for source, pred, name in zip(inputs, preds, names):
            out_file = osp.join(img_out_dir, 'vis',
                                f'{name}.png') if img_out_dir else None
            self.visualizer.add_datasample(
                name, load_rgb(source), pred, draw_gt=False,
                draw_pred=draw_pred, show=show, wait_time=wait_time,
                out_file=out_file, pred_score_thr=pred_score_thr)
            pictures.append(self.visualizer.get_image())
        return pictures if return_vis else None

    def postprocess(self,
                    preds: List[DetDataSample],
                    visualization: Optional[List[np.ndarray]] = None,
                    return_datasamples: bool = False,
                    print_result: bool = False,
                    no_save_pred: bool = True,
                    pred_out_dir: str = '',
                    names: Optional[List[str]] = None,
                    tasks: Sequence[str] = (),
                    **kwargs) -> Dict:
        """Plain dicts (see :func:`sample_to_dict`), printed as JSON and
        written to ``pred_out_dir/preds/<name>.json`` when asked."""
        dicts = [
            sample_to_dict(p, tasks, self.model.dataset_meta) for p in preds
        ]
        if print_result:
            for result in dicts:
                print(json.dumps(result))
        if pred_out_dir and not no_save_pred:
            os.makedirs(osp.join(pred_out_dir, 'preds'), exist_ok=True)
            for result, name in zip(dicts, names):
                with open(osp.join(pred_out_dir, 'preds', f'{name}.json'),
                          'w') as f:
                    json.dump(result, f, indent=1)
        return dict(
            predictions=preds if return_datasamples else dicts,
            visualization=visualization)
