# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Image-to-text generation head (paper Sec. 3.1.3, L_dec)."""
from typing import Callable, Dict, List, Tuple

from mmdet.registry import MODELS
from mmdet.structures import SampleList
from mmdet.utils import ConfigType
from mmengine.model import BaseModule
from torch import Tensor, nn

from ..layers import beam_search, greedy_search
from ..precision import fp32
from ..utils import stack_text

# tokens (N, t) -> last decoder layer states (N, t, d); N = B * beams.
# A :class:`CaptionDecoder` also offers ``incremental(beams)`` (KV cache).
DecodeFn = Callable[[Tensor], Tensor]


@MODELS.register_module()
class E2EVLPCaptionHead(BaseModule):
    """Language-model head of the shared decoder.

    The decoder layers themselves belong to the detector (they are shared
    with detection); this head only owns the output projection, the loss and
    the search. It talks to the decoder through ``decode_fn`` which embeds
    the tokens, runs the causal decoder over the image-only memory and
    returns hidden states.

    Args:
        vocab_size (int): Vocabulary size (injected by the detector).
        embed_dims (int): Hidden size (injected by the detector).
        pad_id (int): ``[PAD]`` id (injected by the detector).
        bos_id (int): ``[CLS]`` id, first decoder input (injected).
        eos_id (int): ``[SEP]`` id, ends generation (injected).
        loss_cap (:obj:`ConfigDict` or dict): Token loss; ``loss_weight``
            is the weight of ``L_dec`` in Eq. 3. For label smoothing (0.1
            in captioning fine-tuning) use ``dict(type='mmpretrain.
            LabelSmoothLoss', label_smooth_val=0.1, mode='original')``.
        max_length (int): Most generated tokens, ``[SEP]`` included.
            Defaults to 40 (the text length of paper Sec. 4.2).
        beam_size (int): 1 is greedy search. Defaults to 1.
        length_penalty (float): GNMT ``alpha``. Defaults to 0.
        use_cache (bool): Generate with the decoder's key/value cache when
            ``decode_fn`` offers one (one token per step); False recomputes
            every prefix through all layers (the reference path, same ids
            up to floating-point rounding). Defaults to True.
        init_cfg (:obj:`ConfigDict` or dict, optional): Init config.
    """

    def __init__(self,
                 vocab_size: int,
                 embed_dims: int,
                 pad_id: int,
                 bos_id: int,
                 eos_id: int,
                 loss_cap: ConfigType = dict(
                     type='CrossEntropyLoss', loss_weight=1.0),
                 max_length: int = 40,
                 beam_size: int = 1,
                 length_penalty: float = 0.0,
                 use_cache: bool = True,
                 init_cfg: ConfigType = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.pad_id, self.bos_id, self.eos_id = pad_id, bos_id, eos_id
        self.max_length = max_length
        self.beam_size = beam_size
        self.length_penalty = length_penalty
        self.use_cache = use_cache
        self.lm_head = nn.Linear(embed_dims, vocab_size)
        self.loss_cap = MODELS.build(loss_cap)

    def forward(self, hidden_states: Tensor) -> Tensor:
        """Vocabulary logits.

        Args:
            hidden_states (Tensor): Decoder states, shape (N, t, d).

        Returns:
            Tensor: Logits, shape (N, t, vocab_size).
        """
        return self.lm_head(hidden_states)

    def loss(self, decode_fn: DecodeFn,
             batch_data_samples: SampleList) -> Dict[str, Tensor]:
        """Teacher-forced token NLL of ``caption_ids`` (in fp32 under
        autocast).

        Args:
            decode_fn (callable): ``tokens (B, t) -> states (B, t, d)``.
            batch_data_samples (list[:obj:`DetDataSample`]): With
                ``caption_ids`` = ``[CLS] caption [SEP]`` (Lc_i,).

        Returns:
            dict[str, Tensor]: ``loss_cap`` averaged over non-pad targets.
        """
        return self.loss_by_feat(
            *self.teacher_forced(decode_fn, batch_data_samples))

    def teacher_forced(self, decode_fn: DecodeFn,
                       batch_data_samples: SampleList
                       ) -> Tuple[Tensor, Tensor, Tensor]:
        """Decode every caption but its last token.

        Args:
            decode_fn (callable): ``tokens (B, t) -> states (B, t, d)``.
            batch_data_samples (list[:obj:`DetDataSample`]): With
                ``caption_ids``.

        Returns:
            tuple[Tensor, Tensor, Tensor]: ``ids`` (B, L), their padding
            mask (B, L) and the states of ``ids[:, :-1]`` (B, L - 1, d).
        """
        ids, pad_mask = stack_text(batch_data_samples, 'caption_ids',
                                   self.pad_id)
        ids = ids.to(self.lm_head.weight.device)
        return ids, pad_mask.to(ids.device), decode_fn(ids[:, :-1])

    def loss_by_feat(self, ids: Tensor, pad_mask: Tensor,
                     states: Tensor) -> Dict[str, Tensor]:
        """Token NLL of ``ids[:, 1:]`` from :meth:`teacher_forced`."""
        logits = self(states)
        weight = (~pad_mask[:, 1:]).float().flatten()
        loss = fp32(self.loss_cap)(
            logits.flatten(0, 1),
            ids[:, 1:].flatten(),
            weight,
            avg_factor=weight.sum().clamp(min=1))
        return dict(loss_cap=loss)

    def predict(self, decode_fn: DecodeFn,
                batch_data_samples: SampleList) -> List[dict]:
        """Generate one caption per image by greedy or beam search.

        Args:
            decode_fn (callable): ``tokens (B * beam_size, t) -> states``.
            batch_data_samples (list[:obj:`DetDataSample`]): Samples.

        Returns:
            list[dict]: Per sample ``pred_caption_ids`` (n,) without
            ``[CLS]``/``[SEP]`` and ``pred_caption_score`` (float, summed
            log-probability divided by the length penalty).
        """

        reorder_fn = None
        if self.use_cache and hasattr(decode_fn, 'incremental'):
            cached = decode_fn.incremental(self.beam_size)
            reorder_fn = cached.reorder

            def step_fn(tokens: Tensor) -> Tensor:
                return self(cached.step(tokens[:, -1])).float().log_softmax(-1)
        else:

            def step_fn(tokens: Tensor) -> Tensor:
                return self(decode_fn(tokens)[:, -1]).float().log_softmax(-1)

        kwargs = dict(
            batch_size=len(batch_data_samples),
            bos_id=self.bos_id,
            eos_id=self.eos_id,
            max_len=self.max_length,
            device=self.lm_head.weight.device)
        if self.beam_size == 1:
            seqs, scores = greedy_search(step_fn, **kwargs)
        else:
            seqs, scores = beam_search(
                step_fn,
                beam_size=self.beam_size,
                alpha=self.length_penalty,
                reorder_fn=reorder_fn,
                **kwargs)
        return [
            dict(pred_caption_ids=seq, pred_caption_score=score)
            for seq, score in zip(seqs, scores.tolist())
        ]
