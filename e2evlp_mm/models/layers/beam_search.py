# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Greedy and beam-search decoding over a ``step_fn`` (model agnostic).

``step_fn(tokens)`` takes the prefixes generated so far, a LongTensor of
shape (N, t) that starts with BOS, and returns the log-probabilities of the
next token, shape (N, V). The rows are grouped by sample: row
``b * beam_size + k`` is beam ``k`` of sample ``b``, so the caller can expand
per-sample context once with ``repeat_interleave(beam_size, 0)``.

A cached (incremental) decoder only needs ``tokens[:, -1]``; beam search
tells it how rows moved through ``reorder_fn(rows)``: after every step, row
``i`` continues the hypothesis of old row ``rows[i]``. Both searches are
vectorized over the batch and ask the device whether every sample is done
only every ``check_every`` steps (a host sync on GPUs); further steps past
the end change nothing, so the result does not depend on it.
"""
from typing import Callable, List, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

StepFn = Callable[[Tensor], Tensor]
ReorderFn = Callable[[Tensor], None]


def length_penalty(length: int, alpha: float) -> float:
    """GNMT length penalty ``((5 + |Y|) / 6) ** alpha`` (Wu et al., 2016).

    Args:
        length (int): Number of generated tokens, EOS included, BOS not.
        alpha (float): Strength; 0 ranks hypotheses by raw log-probability.

    Returns:
        float: The divisor of the summed log-probability.
    """
    return ((5.0 + length) / 6.0)**alpha


def _default_check_every(device: torch.device,
                         check_every: Optional[int]) -> int:
    """Every step on CPU (no sync cost, saves steps), every 4 on GPUs."""
    if check_every is not None:
        return max(int(check_every), 1)
    return 1 if torch.device(device).type == 'cpu' else 4


def _strip(seqs: Tensor, eos_id: int) -> List[Tensor]:
    """Cut rows of (N, T) at their first EOS (one host sync)."""
    is_eos = seqs == eos_id
    lengths = torch.where(is_eos.any(1), is_eos.int().argmax(1),
                          seqs.size(1))
    return [row[:n] for row, n in zip(seqs, lengths.tolist())]


def greedy_search(step_fn: StepFn,
                  batch_size: int,
                  bos_id: int,
                  eos_id: int,
                  max_len: int,
                  device: torch.device,
                  check_every: Optional[int] = None
                  ) -> Tuple[List[Tensor], Tensor]:
    """Pick the most likely token at every step.

    Args:
        step_fn (callable): See the module docstring (N = batch_size).
        batch_size (int): Number of samples B.
        bos_id (int): First token of every prefix.
        eos_id (int): Token that ends a sequence.
        max_len (int): Most generated tokens per sequence (BOS excluded).
        device (torch.device): Device of the token tensors.
        check_every (int, optional): Steps between checks whether every
            sequence has ended. Defaults to 1 on CPU, 4 elsewhere.

    Returns:
        tuple[list[Tensor], Tensor]: Per sample the generated ids without
        BOS and EOS, shape (n_b,), and the summed log-probabilities, shape
        (B,).
    """
    check_every = _default_check_every(device, check_every)
    tokens = torch.full((batch_size, 1), bos_id, device=device)
    scores = torch.zeros(batch_size, device=device)
    done = torch.zeros(batch_size, dtype=torch.bool, device=device)
    for step in range(1, max_len + 1):
        logp, nxt = step_fn(tokens).max(-1)
        scores = scores + logp.masked_fill(done, 0.)
        nxt = nxt.masked_fill(done, eos_id)
        tokens = torch.cat([tokens, nxt[:, None]], 1)
        done |= nxt == eos_id
        if step % check_every == 0 and done.all():
            break
    return _strip(tokens[:, 1:], eos_id), scores


def beam_search(step_fn: StepFn,
                batch_size: int,
                bos_id: int,
                eos_id: int,
                max_len: int,
                beam_size: int,
                alpha: float = 0.0,
                device: torch.device = torch.device('cpu'),
                reorder_fn: Optional[ReorderFn] = None,
                check_every: Optional[int] = None
                ) -> Tuple[List[Tensor], Tensor]:
    """Beam search ranked by ``sum(log p) / length_penalty(len, alpha)``.

    A hypothesis finishes when it emits EOS or reaches ``max_len`` tokens;
    as in GNMT / HF only candidates ranked in the top ``beam_size`` of a
    step may finish. Up to ``beam_size`` finished hypotheses are kept per
    sample (ties keep the earlier one); a sample is done once no alive beam
    can still beat the worst of them.

    Args:
        step_fn (callable): See the module docstring
            (N = batch_size * beam_size).
        batch_size (int): Number of samples B.
        bos_id (int): First token of every prefix.
        eos_id (int): Token that ends a sequence.
        max_len (int): Most generated tokens per sequence (BOS excluded,
            EOS included).
        beam_size (int): Beams kept per sample (1 is greedy search).
        alpha (float): GNMT length-penalty strength. Defaults to 0.
        device (torch.device): Device of the token tensors.
        reorder_fn (callable, optional): Called with the source rows (N,)
            after every step (for a decoder cache). Defaults to None.
        check_every (int, optional): Steps between termination checks.
            Defaults to 1 on CPU, 4 elsewhere.

    Returns:
        tuple[list[Tensor], Tensor]: Per sample the best sequence without
        BOS and EOS, shape (n_b,), and its normalized score, shape (B,).
    """
    check_every = _default_check_every(device, check_every)
    b, k, inf = batch_size, beam_size, float('-inf')
    tokens = torch.full((b * k, 1), bos_id, device=device)
    scores = torch.full((b, k), inf, device=device)
    scores[:, 0] = 0.  # all beams start identical: keep one alive
    # finished hypotheses, best first; float64 as the scores are divided
    fin_scores = torch.full((b, k), inf, dtype=torch.float64, device=device)
    fin_seqs = torch.full((b, k, max_len), eos_id, device=device)
    row_base = torch.arange(b, device=device)[:, None] * k
    for step in range(1, max_len + 1):
        logp = step_fn(tokens).view(b, k, -1)
        vocab = logp.size(-1)
        cand = (scores.unsqueeze(-1) + logp).view(b, -1)
        top_scores, top_idx = cand.topk(min(2 * k, cand.size(1)), dim=1)
        rank = torch.arange(top_idx.size(1), device=device).expand_as(top_idx)
        beam, tok = top_idx // vocab, top_idx % vocab
        valid = top_scores > inf
        ends = valid & ((tok == eos_id) | (step == max_len))
        # the first k alive candidates in rank order, dead (-inf) padding
        alive = valid & ~ends
        pick = torch.where(alive, rank, rank + rank.size(1)).argsort(1)[:, :k]
        keep = alive.gather(1, pick)
        src = torch.where(keep, beam.gather(1, pick), 0)
        new_tok = torch.where(keep, tok.gather(1, pick), eos_id)
        # candidates that finish join the kept ones, earlier ones first
        done_scores = torch.where(
            ends & (rank < k),
            top_scores.double() / length_penalty(step, alpha), inf)
        prefix = tokens.view(b, k, -1)[:, :, 1:].gather(
            1, beam[..., None].expand(-1, -1, step - 1))
        done_seqs = torch.cat([prefix, tok[..., None]], 2)
        done_seqs = F.pad(done_seqs, (0, max_len - step), value=eos_id)
        fin_scores, order = torch.cat([fin_scores, done_scores], 1).sort(
            dim=1, descending=True, stable=True)
        fin_scores, order = fin_scores[:, :k], order[:, :k]
        fin_seqs = torch.cat([fin_seqs, done_seqs], 1).gather(
            1, order[..., None].expand(-1, -1, max_len))
        rows = (row_base + src).flatten()
        tokens = torch.cat([tokens[rows], new_tok.view(-1, 1)], 1)
        scores = torch.where(keep, top_scores.gather(1, pick), inf)
        if reorder_fn is not None:
            reorder_fn(rows)
        if step % check_every == 0 and _all_done(fin_scores, scores,
                                                 max_len, alpha):
            break
    return (_strip(fin_seqs[:, 0], eos_id),
            fin_scores[:, 0].to(torch.get_default_dtype()))


def _all_done(fin_scores: Tensor, alive_scores: Tensor, max_len: int,
              alpha: float) -> bool:
    """Whether, for every sample, no alive beam can still enter the top-k
    finished ones (fin_scores (B, k) best first, alive_scores (B, k))."""
    best_alive = alive_scores.max(1).values.double()
    # log-probs only decrease; the penalty divides by at most lp(max_len)
    bound = torch.where(best_alive < 0,
                        best_alive / length_penalty(max_len, alpha),
                        best_alive)
    worst = fin_scores[:, -1]
    done = (worst > float('-inf')) & ((best_alive == float('-inf')) |
                                      (bound <= worst))
    return bool(done.all())
