# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""BERT-style sentence embeddings of E2E-VLP (paper Sec. 3.1.1)."""
import os
import os.path as osp
from typing import Dict, Optional

import torch
from torch import Tensor, nn

# suffixes of the HF ``BertModel`` / ``BertForPreTraining`` state dict keys
_BERT_KEYS = {
    'word_embeddings.weight': 'embeddings.word_embeddings.weight',
    'position_embeddings.weight': 'embeddings.position_embeddings.weight',
    'token_type_embeddings.weight':
    'embeddings.token_type_embeddings.weight',
    'norm.weight': ('embeddings.LayerNorm.weight',
                    'embeddings.LayerNorm.gamma'),
    'norm.bias': ('embeddings.LayerNorm.bias', 'embeddings.LayerNorm.beta'),
}


def _load_state_dict(path: str) -> Dict[str, Tensor]:
    """Read a local BERT checkpoint file or HF model folder."""
    path = os.fspath(path)
    if osp.isdir(path):
        for name in ('model.safetensors', 'pytorch_model.bin'):
            if osp.isfile(osp.join(path, name)):
                path = osp.join(path, name)
                break
        else:
            raise FileNotFoundError(
                f'No model.safetensors or pytorch_model.bin in {path}')
    if path.endswith('.safetensors'):
        from safetensors.torch import load_file
        return load_file(path)
    # lazy: the layers must not import the engine package at import time
    from e2evlp_mm.engine.safe_load import safe_load
    state = safe_load(path)  # plain data only, a clear error otherwise
    return state.get('state_dict', state)


class E2EVLPTextEmbedding(nn.Module):
    """Token + segment + position embeddings, LayerNorm and dropout.

    ``E_emb = Dropout(LN(E_tok[w] + E_seg[s] + E_pos[i]))`` as in BERT. The
    position embedding gives text its order, so text tokens get a zero
    positional term inside the cross-modal encoder.

    Args:
        vocab_size (int): WordPiece vocabulary size (30522 for BERT uncased).
        embed_dims (int): Hidden size ``d`` of the Transformer (256).
        pad_id (int): Id of ``[PAD]``; its embedding row starts at zero.
            Defaults to 0.
        max_position_embeddings (int): Number of position rows (512 as in
            BERT so its table loads). Defaults to 512.
        type_vocab_size (int): Number of segment ids. Defaults to 2.
        dropout (float): Dropout after LayerNorm. Defaults to 0.1.
        init_from (str, optional): A local HF BERT checkpoint
            (``pytorch_model.bin``, ``*.safetensors`` or a folder holding
            one). Word, position, segment embeddings and LayerNorm are loaded
            from it in :meth:`init_weights`. Only loads when the checkpoint's
            hidden size equals ``embed_dims`` and vocabularies match:
            BERT-base is 768 wide and E2E-VLP 256, and we do not pretend a
            projection of BERT's table is BERT, so a mismatch raises
            ``ValueError``. Defaults to None (BERT's N(0, 0.02) init).
    """

    def __init__(self,
                 vocab_size: int,
                 embed_dims: int,
                 pad_id: int = 0,
                 max_position_embeddings: int = 512,
                 type_vocab_size: int = 2,
                 dropout: float = 0.1,
                 init_from: Optional[str] = None) -> None:
        super().__init__()
        self.embed_dims = embed_dims
        self.pad_id = pad_id
        self.init_from = init_from
        self.word_embeddings = nn.Embedding(
            vocab_size, embed_dims, padding_idx=pad_id)
        self.position_embeddings = nn.Embedding(max_position_embeddings,
                                                embed_dims)
        self.token_type_embeddings = nn.Embedding(type_vocab_size,
                                                  embed_dims)
        self.norm = nn.LayerNorm(embed_dims, eps=1e-12)
        self.dropout = nn.Dropout(dropout)

    def init_weights(self) -> None:
        """BERT init, then the local checkpoint when ``init_from`` is set."""
        for emb in (self.word_embeddings, self.position_embeddings,
                    self.token_type_embeddings):
            nn.init.normal_(emb.weight, std=0.02)
        with torch.no_grad():
            self.word_embeddings.weight[self.pad_id].zero_()
        if self.init_from is not None:
            self.load_bert(self.init_from)

    def load_bert(self, path: str) -> None:
        """Copy the embedding tables and LayerNorm of a HF BERT checkpoint.

        Args:
            path (str): Checkpoint file or folder (see ``init_from``).

        Raises:
            ValueError: When a table is missing or its shape differs from
                ours (e.g. 768-d BERT-base into a 256-d model).
        """
        state = _load_state_dict(path)
        own = self.state_dict()
        new = {}
        for own_key, suffixes in _BERT_KEYS.items():
            suffixes = (suffixes, ) if isinstance(suffixes, str) else suffixes
            found = [k for k in state for s in suffixes if k.endswith(s)]
            if not found:
                raise ValueError(f'{path} has no key ending in {suffixes}.')
            value = state[found[0]]
            if value.shape != own[own_key].shape:
                raise ValueError(
                    f'Cannot load {found[0]} of shape {tuple(value.shape)} '
                    f'from {path} into {own_key} of shape '
                    f'{tuple(own[own_key].shape)}: the BERT hidden size or '
                    'vocabulary differs from the model (BERT-base is 768-d, '
                    'E2E-VLP uses 256-d). Train the embeddings from scratch '
                    'or use a checkpoint of the same width.')
            new[own_key] = value
        self.load_state_dict(new, strict=True)

    def forward(self,
                input_ids: Tensor,
                token_type_ids: Optional[Tensor] = None) -> Tensor:
        """Embed a batch of token ids.

        Args:
            input_ids (Tensor): Token ids, shape (B, L).
            token_type_ids (Tensor, optional): Segment ids, shape (B, L).
                Defaults to all zeros.

        Returns:
            Tensor: Embeddings, shape (B, L, embed_dims).
        """
        positions = torch.arange(
            input_ids.size(1), device=input_ids.device).unsqueeze(0)
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        x = (self.word_embeddings(input_ids) +
             self.position_embeddings(positions) +
             self.token_type_embeddings(token_type_ids))
        return self.dropout(self.norm(x))
