# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Greedy and beam search on toy decoders whose best output is known."""
import itertools
import math

import pytest
import torch

from e2evlp_mm.models.layers import beam_search, greedy_search, length_penalty

BOS, EOS = 0, 1


def table_step_fn(tables, beam_size=1):
    """``step_fn`` whose next-token distribution depends on the last token.

    ``tables[b][last]`` is the probability row of sample ``b``.
    """
    logs = [torch.tensor(t, dtype=torch.float).log() for t in tables]

    def step_fn(tokens):
        rows = [
            logs[i // beam_size][tok]
            for i, tok in enumerate(tokens[:, -1].tolist())
        ]
        return torch.stack(rows)

    return step_fn


def brute_force(table, max_len, alpha):
    """Best normalized score over every sequence (EOS or truncated)."""
    logp = torch.tensor(table).log()
    vocab = logp.size(0)
    best = (-math.inf, None)
    for length in range(1, max_len + 1):
        for seq in itertools.product(range(vocab), repeat=length):
            if EOS in seq[:-1] or (length < max_len and seq[-1] != EOS):
                continue
            prev, score = BOS, 0.
            for tok in seq:
                score, prev = score + logp[prev, tok].item(), tok
            score /= length_penalty(length, alpha)
            best = max(best, (score, seq), key=lambda x: x[0])
    score, seq = best
    return score, [t for t in seq if t != EOS]


# rows: last token BOS, EOS, a, b. Greedy takes 'a' (0.5) then is stuck
# with flat continuations; 'b' (0.4) is followed by a sure EOS.
TRAP = [[0.0, 0.1, 0.5, 0.4], [0.25, 0.25, 0.25, 0.25],
        [0.0, 0.34, 0.33, 0.33], [0.0, 0.98, 0.01, 0.01]]


def test_greedy_takes_the_locally_best_token():
    seqs, scores = greedy_search(
        table_step_fn([TRAP]), 1, BOS, EOS, max_len=3,
        device=torch.device('cpu'))
    assert seqs[0].tolist() == [2]
    assert scores[0].item() == pytest.approx(math.log(0.5 * 0.34))


@pytest.mark.parametrize('alpha', [0.0, 0.6, 1.0])
def test_exhaustive_beam_finds_the_best_sequence(alpha):
    seqs, scores = beam_search(
        table_step_fn([TRAP], 64), 1, BOS, EOS, max_len=3, beam_size=64,
        alpha=alpha)
    best_score, best_seq = brute_force(TRAP, 3, alpha)
    assert seqs[0].tolist() == best_seq
    assert scores[0].item() == pytest.approx(best_score, abs=1e-5)


def test_beam_two_escapes_the_greedy_trap():
    seqs, scores = beam_search(
        table_step_fn([TRAP], 2), 1, BOS, EOS, max_len=3, beam_size=2)
    assert seqs[0].tolist() == [3]
    assert scores[0].item() == pytest.approx(math.log(0.4 * 0.98))


# From BOS: EOS 0.4, a 0.5, b 0.1; after a: EOS 0.75, b 0.25; after b: EOS.
LP = [[0.0, 0.4, 0.5, 0.1], [0.25, 0.25, 0.25, 0.25],
      [0.0, 0.75, 0.0, 0.25], [0.0, 1.0, 0.0, 0.0]]


def test_length_penalty_changes_the_choice_as_the_formula_says():
    short = math.log(0.4)  # [EOS], length 1
    long = math.log(0.5) + math.log(0.75)  # [a, EOS], length 2
    assert short > long  # without penalty the short caption wins ...
    assert long / (7 / 6) > short / 1  # ... with alpha = 1 the long one
    step = table_step_fn([LP], 3)
    seqs, scores = beam_search(step, 1, BOS, EOS, 3, beam_size=3, alpha=0.)
    assert seqs[0].tolist() == []
    assert scores[0].item() == pytest.approx(short)
    seqs, scores = beam_search(step, 1, BOS, EOS, 3, beam_size=3, alpha=1.)
    assert seqs[0].tolist() == [2]
    assert scores[0].item() == pytest.approx(long / length_penalty(2, 1.))
    assert length_penalty(2, 1.) == pytest.approx(7 / 6)


def test_batched_beam_search_matches_per_sample():
    batched = beam_search(
        table_step_fn([TRAP, LP], 3), 2, BOS, EOS, 3, beam_size=3, alpha=1.)
    for b, table in enumerate([TRAP, LP]):
        seqs, scores = beam_search(
            table_step_fn([table], 3), 1, BOS, EOS, 3, beam_size=3,
            alpha=1.)
        assert batched[0][b].tolist() == seqs[0].tolist()
        assert batched[1][b].item() == pytest.approx(scores[0].item())


def reference_beam_search(step_fn, batch_size, max_len, k, alpha):
    """The per-sample Python beam search the vectorized one replaced."""
    tokens = torch.full((batch_size * k, 1), BOS)
    scores = torch.full((batch_size, k), -math.inf)
    scores[:, 0] = 0.
    finished = [[] for _ in range(batch_size)]
    for step in range(1, max_len + 1):
        logp = step_fn(tokens).view(batch_size, k, -1)
        vocab = logp.size(-1)
        cand = (scores.unsqueeze(-1) + logp).view(batch_size, -1)
        top_s, top_i = cand.topk(min(2 * k, cand.size(1)), dim=1)
        rows, new_scores = [], torch.empty_like(scores)
        for b in range(batch_size):
            alive = []
            for rank, (s, idx) in enumerate(
                    zip(top_s[b].tolist(), top_i[b].tolist())):
                if s == -math.inf:
                    break
                beam, tok = divmod(idx, vocab)
                if tok == EOS or step == max_len:
                    if rank < k:
                        seq = tokens[b * k + beam, 1:].tolist() + [tok]
                        finished[b].append(
                            (s / length_penalty(step, alpha), seq))
                elif len(alive) < k:
                    alive.append((s, beam, tok))
            finished[b] = sorted(finished[b], key=lambda x: -x[0])[:k]
            alive += [(-math.inf, 0, EOS)] * (k - len(alive))
            for j, (s, beam, tok) in enumerate(alive):
                new_scores[b, j] = s
                rows.append(tokens[b * k + beam].tolist() + [tok])
        tokens, scores = torch.tensor(rows), new_scores
    return [(h[0][0], [t for t in h[0][1] if t != EOS]) for h in finished]


@pytest.mark.parametrize('alpha', [0.0, 0.9])
@pytest.mark.parametrize('check_every', [1, 3])
def test_vectorized_beam_search_matches_the_reference(alpha, check_every):
    gen = torch.Generator().manual_seed(0)
    tables = [(torch.rand(6, 6, generator=gen)**3).tolist()
              for _ in range(3)]
    for table in tables:
        for row in table:
            row[BOS] = 0.  # BOS is never generated
    step = table_step_fn(tables, 4)
    seqs, scores = beam_search(step, 3, BOS, EOS, 5, beam_size=4,
                               alpha=alpha, check_every=check_every)
    expected = reference_beam_search(step, 3, 5, 4, alpha)
    for seq, score, (ref_score, ref_seq) in zip(seqs, scores, expected):
        assert seq.tolist() == ref_seq
        assert score.item() == pytest.approx(ref_score, abs=1e-5)
