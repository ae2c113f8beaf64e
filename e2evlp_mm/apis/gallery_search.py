# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Build a retrieval gallery once, search it many times (the
``E2EVLPInferencer`` methods of ``E2EVLPRetriever`` checkpoints)."""
import os.path as osp
from typing import Dict, Iterator, List, Optional, Sequence, Union

import numpy as np
import torch
from mmdet.structures import DetDataSample
from torch import Tensor

from .gallery_ranking import (
    encode_image_batches,
    encode_text_ids,
    rank,
    search_scores,
)
from .gallery_store import RetrievalGallery, state_sha
from .inputs import to_input_list

FROM_CONFIG = 'config'  # ``prefilter_topk`` default: the config's value
Texts = Union[str, Sequence[str], None]


def image_names(images: list) -> List[str]:
    """A path per image, or its index (``00000003``) for an array."""
    return [x if isinstance(x, str) else f'{i:08d}'
            for i, x in enumerate(images)]


class GallerySearchMixin:
    """Retrieval over an encoded gallery, for ``E2EVLPInferencer``.

    .. code:: python

        inferencer = E2EVLPInferencer('work_dirs/demo_retrieval')
        gallery = inferencer.build_gallery(images='photos/')  # once
        gallery.save('photos.gallery.pth')  # optional
        gallery = inferencer.load_gallery('photos.gallery.pth')
        inferencer.search(gallery, texts='a red circle', topk=5)
        # [{'query': 'a red circle',
        #   'topk': [{'index': 3, 'name': 'photos/x.png', 'score': 4.2},
        #            ...]}]
        texts = inferencer.build_gallery(texts=['a red circle', ...])
        inferencer.search(texts, images='scene.png')  # texts per image

    Each query runs the dual-encoder pre-filter over the whole gallery (a
    dot product per item) and the joint pass on its ``prefilter_topk``
    best items only (at least ``topk``). Needs ``self.model`` (an
    ``E2EVLPRetriever``), ``self.cfg``, ``self.tokenize``,
    ``self.preprocess`` and ``self.weights_path``.
    """

    def checkpoint_id(self) -> Dict[str, Optional[str]]:
        """``path`` of the weights and ``sha`` of the model state, which
        a gallery cache must match."""
        if getattr(self, '_checkpoint_id', None) is None:
            path = getattr(self, 'weights_path', None)
            self._checkpoint_id = dict(
                path=osp.abspath(path) if path else None,
                sha=state_sha(self.model))
        return self._checkpoint_id

    def default_prefilter_topk(self) -> Optional[int]:
        """The model's ``test_cfg.prefilter_topk``, else the retrieval
        loop's (``cfg.test_cfg.prefilter_topk``), else None (all); None
        for a model without the pre-filter branch (``itc_dims``)."""
        head = getattr(self.model, 'retrieval_head', None)
        if not getattr(head, 'with_itc', False):
            return None
        model_cfg = getattr(self.model, 'test_cfg', None) or {}
        if 'prefilter_topk' in model_cfg:
            return model_cfg['prefilter_topk']
        return (self.cfg.get('test_cfg') or {}).get('prefilter_topk')

    def _check_retriever(self) -> None:
        if getattr(self.model, 'retrieval_head', None) is None:
            raise ValueError('a gallery needs an E2EVLPRetriever '
                             f'checkpoint, not {type(self.model).__name__}')
        if self.tokenize is None:
            raise ValueError('retrieve: the config names no tokenizer.')

    def _encode_texts(self, texts: Sequence[str]) -> Dict[str, Tensor]:
        ids = [
            torch.as_tensor(self.tokenize(dict(text=t))['text_ids'])
            for t in texts
        ]
        return encode_text_ids(self.model, ids)

    def _encode_images(self, images: list,
                       batch_size: int) -> Dict[str, Tensor]:
        return encode_image_batches(
            self.model,
            self.preprocess([dict(img_path=x) for x in images], batch_size))

    def build_gallery(self,
                      images: Union[str, np.ndarray, Sequence, None] = None,
                      texts: Texts = None,
                      batch_size: int = 8) -> RetrievalGallery:
        """Encode a gallery of images (a folder, paths or BGR arrays)
        and/or texts once.

        Args:
            images (str | np.ndarray | Sequence, optional): A folder (all
                its images, sorted), paths or BGR (H, W, 3) arrays.
            texts (str | Sequence[str], optional): Texts.
            batch_size (int): Images per backbone pass.

        Returns:
            RetrievalGallery: Named after this checkpoint.
        """
        self._check_retriever()
        if images is None and texts is None:
            raise ValueError('build_gallery: give `images` and/or `texts`.')
        gallery = RetrievalGallery(checkpoint=self.checkpoint_id())
        if images is not None:
            images = to_input_list(images)
            gallery.image_names = image_names(images)
            for key, value in self._encode_images(images,
                                                  batch_size).items():
                setattr(gallery, key, value)
        if texts is not None:
            gallery.texts = [texts] if isinstance(texts, str) else list(
                texts)
            for key, value in self._encode_texts(gallery.texts).items():
                setattr(gallery, key, value)
        return gallery

    def load_gallery(self, path: str) -> RetrievalGallery:
        """A saved gallery, refused when another checkpoint encoded it."""
        return RetrievalGallery.load(path, self.checkpoint_id())

    def search(self,
               gallery: RetrievalGallery,
               texts: Texts = None,
               images: Union[str, np.ndarray, Sequence, None] = None,
               topk: int = 5,
               prefilter_topk: Union[int, None, str] = FROM_CONFIG,
               batch_size: int = 8) -> List[Dict]:
        """Rank the gallery's images for each text, or its texts for each
        image.

        Args:
            gallery (RetrievalGallery): From :meth:`build_gallery` or
                :meth:`load_gallery`.
            texts (str | Sequence[str], optional): Text queries.
            images (str | np.ndarray | Sequence, optional): Image queries
                (paths, BGR arrays or a folder); give texts or images.
            topk (int): Results per query.
            prefilter_topk (int, optional): Joint passes per query (raised
                to ``topk``); None scores every item; default
                :meth:`default_prefilter_topk`.
            batch_size (int): Query images per backbone pass.

        Returns:
            list[dict]: Per query ``query`` (the text, or the image's path
            or index) and ``topk``: ``[{index, name, score}]`` best first
            (``name`` a gallery path or text, ``score`` the matching
            logit).
        """
        self._check_retriever()
        if (texts is None) == (images is None):
            raise ValueError('search: give `texts` (ranking the gallery '
                             'images) or `images` (ranking its texts).')
        if prefilter_topk == FROM_CONFIG:
            prefilter_topk = self.default_prefilter_topk()
        if prefilter_topk is not None:
            prefilter_topk = max(prefilter_topk, topk)
        if texts is not None:
            queries = [texts] if isinstance(texts, str) else list(texts)
            encoded = self._encode_texts(queries)
            names = gallery.image_names
        else:
            images = to_input_list(images)
            queries = image_names(images)
            encoded = self._encode_images(images, batch_size)
            names = gallery.texts
        device = next(self.model.parameters()).device
        scores, _ = search_scores(self.model, gallery.to(device), encoded,
                                  prefilter_topk)
        return [
            dict(query=query, topk=ranked)
            for query, ranked in zip(queries, rank(scores, names, topk))
        ]

    def cached_gallery(self,
                       cache: Optional[str],
                       images: Optional[list] = None,
                       texts: Optional[List[str]] = None,
                       batch_size: int = 8) -> RetrievalGallery:
        """The gallery from ``cache`` when it holds these items (and this
        checkpoint), else encoded and, given ``cache``, saved there.

        Raises:
            ValueError: ``cache`` holds another checkpoint's gallery or
                other items.
        """
        if not cache or not osp.isfile(cache):
            gallery = self.build_gallery(images, texts, batch_size)
            if cache:
                gallery.save(cache)
            return gallery
        gallery = self.load_gallery(cache)
        if images is not None and gallery.image_names != image_names(
                images):
            raise ValueError(
                f'gallery cache {cache} holds {gallery.num_images} other '
                f'images than the {len(images)} given: delete it or give '
                'another file.')
        if texts is not None and gallery.texts != list(texts):
            raise ValueError(
                f'gallery cache {cache} holds {gallery.num_texts} other '
                f'texts than the {len(texts)} given: delete it or give '
                'another file.')
        return gallery

    def _retrieve(self, ori_inputs: list, texts: Texts,
                  gallery: Optional[Sequence[str]], topk: int,
                  batch_size: int, prefilter_topk=FROM_CONFIG,
                  gallery_cache: Optional[str] = None) -> Iterator[tuple]:
        """``__call__``'s ``retrieve``: rank ``gallery`` texts for each
        input image, or (given ``texts``) the input images for each text;
        one batch of ``(pictures, names, samples)``."""
        if (texts is None) == (gallery is None):
            raise ValueError('retrieve: give `gallery` (texts ranked for '
                             'each image) or `texts` (queries ranking the '
                             'input images), not both.')
        if texts is not None:
            index = self.cached_gallery(gallery_cache, images=ori_inputs,
                                        batch_size=batch_size)
            results = self.search(index, texts=texts, topk=topk,
                                  prefilter_topk=prefilter_topk)
            samples, pictures = [], []
            for result in results:
                sample = DetDataSample(metainfo=dict(text=result['query']))
                sample.pred_retrieval = result['topk']
                samples.append(sample)
                pictures.append(
                    [ori_inputs[r['index']] for r in result['topk']])
            yield pictures, [f'query_{i}' for i in range(len(results))
                             ], samples
            return
        index = self.cached_gallery(gallery_cache, texts=list(gallery))
        results = self.search(index, images=ori_inputs, topk=topk,
                              prefilter_topk=prefilter_topk,
                              batch_size=batch_size)
        samples = []
        for x, result in zip(ori_inputs, results):
            sample = DetDataSample(
                metainfo=dict(img_path=x if isinstance(x, str) else None))
            sample.pred_retrieval = result['topk']
            samples.append(sample)
        yield ori_inputs, [self._name(x) for x in ori_inputs], samples
