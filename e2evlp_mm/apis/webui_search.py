# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""The web demo's search galleries: encoded once per checkpoint and
source, kept in memory (and, given a folder, on disk), searched with the
model's pre-filter (``E2EVLPInferencer.build_gallery`` / ``search``)."""
import hashlib
import os
import os.path as osp
import time
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence, Tuple

from .gallery_store import RetrievalGallery
from .webui_models import ServedModel

# Joint passes per query when a checkpoint's config names none (its config
# predates ``prefilter_topk``): configs/demo/e2evlp_shapes_retrieval.py's.
DEFAULT_PREFILTER = 64


def prefilter_topk(model: ServedModel,
                   embed: Optional[object]) -> Optional[int]:
    """Joint passes per query: the config's ``prefilter_topk``, else
    :data:`DEFAULT_PREFILTER` when the gallery has pre-filter embeddings
    (``embed``), else None (every item scored)."""
    topk = model.inferencer.default_prefilter_topk()
    if topk is None and embed is not None:
        topk = DEFAULT_PREFILTER
    return topk


def _digest(items: Sequence[str]) -> str:
    return hashlib.sha1('\n'.join(items).encode()).hexdigest()[:16]


class GalleryCache:
    """Encoded galleries by checkpoint and content.

    An image gallery (a folder's images, or a set of uploads) is encoded
    the first time it is searched; later queries only encode the query.
    A folder's gallery is kept for the life of the page and, with
    ``cache_dir``, also saved there (named after the checkpoint's state
    sha and the image paths), so a restarted page reads it instead of
    encoding again. What users send (sets of uploads, text galleries) is
    kept in memory only, the ``max_transient`` last used, so that a page
    under load does not grow without bound.

    Args:
        cache_dir (str, optional): Folder for saved folder galleries.
        max_transient (int): Upload and text galleries kept. Defaults
            to 8.
    """

    def __init__(self, cache_dir: Optional[str] = None,
                 max_transient: int = 8) -> None:
        self.cache_dir = cache_dir
        self.max_transient = max_transient
        self._galleries: Dict[Tuple[str, str], RetrievalGallery] = {}
        self._transient: 'OrderedDict[Tuple[str, str], RetrievalGallery]' \
            = OrderedDict()

    def __len__(self) -> int:
        """Galleries held in memory."""
        return len(self._galleries) + len(self._transient)

    def _recall(self, key: Tuple[str, str]) -> Optional[RetrievalGallery]:
        if key in self._transient:
            self._transient.move_to_end(key)
            return self._transient[key]
        return self._galleries.get(key)

    def _keep_transient(self, key: Tuple[str, str],
                        gallery: RetrievalGallery) -> None:
        self._transient[key] = gallery
        while len(self._transient) > self.max_transient:
            self._transient.popitem(last=False)

    def images(self, model: ServedModel, paths: Sequence[str],
               transient: bool = False) -> Tuple[RetrievalGallery, float]:
        """The encoded image gallery of ``paths`` (caller holds the model's
        lock).

        Args:
            model (ServedModel): The checkpoint.
            paths (Sequence[str]): The gallery's images.
            transient (bool): Uploads: kept among the last used only,
                never saved to ``cache_dir``. Defaults to False.

        Returns:
            tuple: The gallery and the seconds spent encoding it now (0
            when it came from memory or ``cache_dir``).
        """
        inferencer = model.inferencer
        key = (inferencer.checkpoint_id()['sha'], _digest(list(paths)))
        gallery = self._recall(key)
        if gallery is not None:
            return gallery, 0.0
        start = time.perf_counter()
        if transient:
            gallery = inferencer.build_gallery(images=list(paths))
            self._keep_transient(key, gallery)
            return gallery, time.perf_counter() - start
        file = None
        if self.cache_dir:
            os.makedirs(self.cache_dir, exist_ok=True)
            file = osp.join(self.cache_dir, f'{key[0]}_{key[1]}.pth')
        saved = file is not None and osp.isfile(file)
        gallery = inferencer.cached_gallery(file, images=list(paths))
        self._galleries[key] = gallery
        return gallery, 0.0 if saved else time.perf_counter() - start

    def texts(self, model: ServedModel,
              texts: Sequence[str]) -> RetrievalGallery:
        """The encoded text gallery (in memory only, among the last used;
        texts are cheap to encode again)."""
        inferencer = model.inferencer
        key = (inferencer.checkpoint_id()['sha'], 'texts:' + _digest(texts))
        gallery = self._recall(key)
        if gallery is None:
            gallery = inferencer.build_gallery(texts=list(texts))
            self._keep_transient(key, gallery)
        return gallery


def search_images(
        model: ServedModel,
        cache: GalleryCache,
        sources: Sequence[Sequence[str]],
        query: str,
        topk: int,
        num_folders: Optional[int] = None
) -> Tuple[List[Dict], float, int, Optional[int]]:
    """The best images for a text over several image galleries (a
    folder each, the uploads), merged by score.

    Args:
        model (ServedModel): A retrieval checkpoint (lock held).
        cache (GalleryCache): Where the encoded galleries are kept.
        sources (Sequence[Sequence[str]]): Image paths per gallery.
        query (str): The text.
        topk (int): Images returned.
        num_folders (int, optional): The first ``num_folders`` sources
            are folders, the rest uploads (transient in ``cache``); None:
            all are folders.

    Returns:
        tuple: ``[{index, name, score}]`` best first (``index`` into the
        concatenated sources, ``name`` the path), the seconds spent
        encoding galleries, the number of images searched and the joint
        passes per query and gallery (None: all).
    """
    hits, encoding, offset, joint = [], 0.0, 0, None
    for i, paths in enumerate(sources):
        if not paths:
            continue
        gallery, seconds = cache.images(
            model, paths, transient=num_folders is not None
            and i >= num_folders)
        encoding += seconds
        joint = prefilter_topk(model, gallery.image_embed)
        found = model.inferencer.search(
            gallery, texts=query, topk=topk,
            prefilter_topk=joint)[0]['topk']
        hits += [dict(h, index=h['index'] + offset) for h in found]
        offset += len(paths)
    hits.sort(key=lambda h: -h['score'])
    return hits[:topk], encoding, offset, joint
