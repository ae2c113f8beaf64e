# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Greedy and beam-search decoding over a ``step_fn`` (model agnostic).

``step_fn(tokens)`` takes the prefixes generated so far, a LongTensor of
shape (N, t) that starts with BOS, and returns the log-probabilities of the
next token, shape (N, V). The rows are grouped by sample: row
``b * beam_size + k`` is beam ``k`` of sample ``b``, so the caller can expand
per-sample context once with ``repeat_interleave(beam_size, 0)``.
"""
from typing import Callable, List, Tuple

import torch
from torch import Tensor

StepFn = Callable[[Tensor], Tensor]


def length_penalty(length: int, alpha: float) -> float:
    """GNMT length penalty ``((5 + |Y|) / 6) ** alpha`` (Wu et al., 2016).

    Args:
        length (int): Number of generated tokens, EOS included, BOS not.
        alpha (float): Strength; 0 ranks hypotheses by raw log-probability.

    Returns:
        float: The divisor of the summed log-probability.
    """
    return ((5.0 + length) / 6.0)**alpha


def greedy_search(step_fn: StepFn, batch_size: int, bos_id: int,
                  eos_id: int, max_len: int,
                  device: torch.device) -> Tuple[List[Tensor], Tensor]:
    """Pick the most likely token at every step.

    Args:
        step_fn (callable): See the module docstring (N = batch_size).
        batch_size (int): Number of samples B.
        bos_id (int): First token of every prefix.
        eos_id (int): Token that ends a sequence.
        max_len (int): Most generated tokens per sequence (BOS excluded).
        device (torch.device): Device of the token tensors.

    Returns:
        tuple[list[Tensor], Tensor]: Per sample the generated ids without
        BOS and EOS, shape (n_b,), and the summed log-probabilities, shape
        (B,).
    """
    tokens = torch.full((batch_size, 1), bos_id, device=device)
    scores = torch.zeros(batch_size, device=device)
    done = torch.zeros(batch_size, dtype=torch.bool, device=device)
    for _ in range(max_len):
        logp, nxt = step_fn(tokens).max(-1)
        scores = scores + logp.masked_fill(done, 0.)
        nxt = nxt.masked_fill(done, eos_id)
        tokens = torch.cat([tokens, nxt[:, None]], 1)
        done |= nxt == eos_id
        if done.all():
            break
    seqs = []
    for row in tokens[:, 1:]:
        end = (row == eos_id).nonzero()
        seqs.append(row[:end[0, 0]] if len(end) else row)
    return seqs, scores


def beam_search(step_fn: StepFn,
                batch_size: int,
                bos_id: int,
                eos_id: int,
                max_len: int,
                beam_size: int,
                alpha: float = 0.0,
                device: torch.device = torch.device('cpu')
                ) -> Tuple[List[Tensor], Tensor]:
    """Beam search ranked by ``sum(log p) / length_penalty(len, alpha)``.

    A hypothesis finishes when it emits EOS or reaches ``max_len`` tokens.
    Up to ``beam_size`` finished hypotheses are kept per sample; the search
    stops once no alive beam can still beat the worst of them.

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

    Returns:
        tuple[list[Tensor], Tensor]: Per sample the best sequence without
        BOS and EOS, shape (n_b,), and its normalized score, shape (B,).
    """
    k = beam_size
    tokens = torch.full((batch_size * k, 1), bos_id, device=device)
    scores = torch.full((batch_size, k), float('-inf'), device=device)
    scores[:, 0] = 0.  # all beams start identical: keep one alive
    finished: List[List[Tuple[float, Tensor]]] = [
        [] for _ in range(batch_size)
    ]
    for step in range(1, max_len + 1):
        logp = step_fn(tokens).view(batch_size, k, -1)
        vocab = logp.size(-1)
        cand = (scores.unsqueeze(-1) + logp).view(batch_size, -1)
        top_scores, top_idx = cand.topk(min(2 * k, cand.size(1)), dim=1)
        new_rows, new_scores = [], torch.empty_like(scores)
        for b in range(batch_size):
            alive = []
            for rank, (s, idx) in enumerate(
                    zip(top_scores[b].tolist(), top_idx[b].tolist())):
                if s == float('-inf'):
                    break
                beam, tok = divmod(idx, vocab)
                seq = torch.cat([tokens[b * k + beam, 1:],
                                 tokens.new_tensor([tok])])
                if tok == eos_id or step == max_len:
                    if rank < k:  # as in GNMT/HF: only top-k candidates end
                        finished[b].append(
                            (s / length_penalty(step, alpha), seq))
                elif len(alive) < k:
                    alive.append((s, beam, tok))
            finished[b] = sorted(finished[b], key=lambda x: -x[0])[:k]
            # pad with dead beams (-inf) when fewer than k stay alive
            alive += [(float('-inf'), 0, eos_id)] * (k - len(alive))
            for j, (s, beam, tok) in enumerate(alive):
                new_scores[b, j] = s
                new_rows.append(
                    torch.cat([tokens[b * k + beam],
                               tokens.new_tensor([tok])]))
        tokens, scores = torch.stack(new_rows), new_scores
        if all(_is_done(finished[b], scores[b], k, max_len, alpha)
               for b in range(batch_size)):
            break
    seqs, best = [], []
    for hyps in finished:
        s, seq = hyps[0]
        seqs.append(seq[:-1] if len(seq) and seq[-1] == eos_id else seq)
        best.append(s)
    return seqs, torch.tensor(best, device=device)


def _is_done(hyps: list, alive_scores: Tensor, k: int, max_len: int,
             alpha: float) -> bool:
    """Whether no alive beam can still enter the top-k finished ones."""
    if len(hyps) < k:
        return False
    best_alive = alive_scores.max().item()
    if best_alive == float('-inf'):
        return True
    # log-probs only decrease; the penalty divides by at most lp(max_len)
    bound = best_alive / (length_penalty(max_len, alpha)
                          if best_alive < 0 else 1.0)
    return bound <= hyps[-1][0]
