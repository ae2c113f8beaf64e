# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""An encoded retrieval gallery: built once, saved, searched many times."""
import hashlib
import os
import os.path as osp
from dataclasses import asdict, dataclass, field, fields
from typing import Dict, List, Optional

import torch
from torch import Tensor, nn

from ..engine.safe_load import safe_load

GALLERY_FORMAT = 1


def state_sha(model: nn.Module) -> str:
    """SHA-256 (first 16 hex digits) of a model's state dict: names,
    shapes, dtypes and values, so a renamed or moved checkpoint file keeps
    its identity and a different one does not share it."""
    digest = hashlib.sha256()
    for key, value in sorted(model.state_dict().items()):
        value = value.detach().cpu().contiguous().reshape(-1)
        digest.update(f'{key}{tuple(value.shape)}{value.dtype}'.encode())
        digest.update(value.view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()[:16]


@dataclass
class RetrievalGallery:
    """What ranking a gallery needs, encoded once by
    ``E2EVLPInferencer.build_gallery``.

    Images keep the encoder inputs of the joint pass (the backbone never
    runs again) padded to one token count, texts their token ids, and both
    their dual-encoder embeddings for the pre-filter.

    .. code:: python

        gallery = inferencer.build_gallery(images='photos/')
        gallery.save('photos.gallery.pth')
        gallery = inferencer.load_gallery('photos.gallery.pth')
        inferencer.search(gallery, texts='a red circle', topk=5)

    Attributes:
        checkpoint (dict): ``path`` of the weights (None without) and
            ``sha`` of the model state (see :func:`state_sha`).
        image_names (list[str]): A path (or running name) per image.
        image_feat (Tensor, optional): Image tokens (N_img, HW, d).
        image_mask (Tensor, optional): Padding mask (N_img, HW), True at
            padding.
        image_pos (Tensor, optional): Positions (N_img, HW, d).
        image_embed (Tensor, optional): Pre-filter embeddings
            (N_img, itc_dims); None without ``retrieval_head.itc_dims``.
        texts (list[str]): The text gallery.
        text_ids (Tensor, optional): ``[CLS] text [SEP]`` ids
            (N_txt, L), padded.
        text_mask (Tensor, optional): Padding mask (N_txt, L).
        text_embed (Tensor, optional): Pre-filter embeddings
            (N_txt, itc_dims).
    """

    checkpoint: Dict
    image_names: List[str] = field(default_factory=list)
    image_feat: Optional[Tensor] = None
    image_mask: Optional[Tensor] = None
    image_pos: Optional[Tensor] = None
    image_embed: Optional[Tensor] = None
    texts: List[str] = field(default_factory=list)
    text_ids: Optional[Tensor] = None
    text_mask: Optional[Tensor] = None
    text_embed: Optional[Tensor] = None

    @property
    def num_images(self) -> int:
        """Images in the gallery."""
        return len(self.image_names)

    @property
    def num_texts(self) -> int:
        """Texts in the gallery."""
        return len(self.texts)

    def to(self, device) -> 'RetrievalGallery':
        """The gallery with its tensors on ``device`` (self if there)."""
        moved = {
            f.name: getattr(self, f.name).to(device)
            for f in fields(self) if isinstance(getattr(self, f.name), Tensor)
        }
        if all(moved[k] is getattr(self, k) for k in moved):
            return self
        return RetrievalGallery(**{**self.__dict__, **moved})

    def head(self, num_images: int) -> 'RetrievalGallery':
        """The gallery of the first ``num_images`` images (all texts)."""
        part = {
            f.name: getattr(self, f.name)[:num_images]
            for f in fields(self) if f.name.startswith('image_')
            and getattr(self, f.name) is not None
        }
        return RetrievalGallery(**{**self.__dict__, **part})

    def save(self, path: str) -> None:
        """Write the gallery (tensors on CPU) to ``path``."""
        if osp.dirname(path):
            os.makedirs(osp.dirname(path), exist_ok=True)
        torch.save(dict(format=GALLERY_FORMAT, **asdict(self.to('cpu'))),
                   path)

    @classmethod
    def load(cls,
             path: str,
             checkpoint: Optional[Dict] = None) -> 'RetrievalGallery':
        """Read a gallery saved by :meth:`save`.

        Args:
            path (str): The file.
            checkpoint (dict, optional): The ``path`` and ``sha`` of the
                model that will search it; a gallery encoded by another
                model is refused.

        Raises:
            FileNotFoundError: No such file.
            ValueError: Not a gallery file, or from another checkpoint.
            E2EVLPUnsafeCheckpoint: A pickle that would run code.
        """
        if not osp.isfile(path):
            raise FileNotFoundError(f'gallery cache {path}: no such file')
        data = safe_load(path, hint='delete it to encode the gallery again',
                         what='gallery cache')
        if not isinstance(data, dict) or \
                data.pop('format', None) != GALLERY_FORMAT:
            raise ValueError(f'{path} is not a gallery cache of '
                             'E2EVLPInferencer.build_gallery (format '
                             f'{GALLERY_FORMAT}).')
        gallery = cls(**data)
        if checkpoint is not None and \
                gallery.checkpoint.get('sha') != checkpoint.get('sha'):
            raise ValueError(
                f'gallery cache {path} was encoded by checkpoint '
                f'{gallery.checkpoint.get("path")} (state sha '
                f'{gallery.checkpoint.get("sha")}), not by '
                f'{checkpoint.get("path")} (state sha '
                f'{checkpoint.get("sha")}): delete it or give another '
                'file to encode the gallery again.')
        return gallery
