# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Text embedding: BERT layout and loading a local HF BERT checkpoint."""
import pytest
import torch
from transformers import BertConfig, BertModel

from e2evlp_mm.models.layers import E2EVLPTextEmbedding


def tiny_bert(tmp_path, hidden_size, safe):
    cfg = BertConfig(
        vocab_size=20,
        hidden_size=hidden_size,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=16,
        max_position_embeddings=32)
    torch.manual_seed(0)
    bert = BertModel(cfg)
    bert.save_pretrained(tmp_path, safe_serialization=safe)
    return bert


def test_forward_sums_three_embeddings_then_normalizes():
    emb = E2EVLPTextEmbedding(20, 16, max_position_embeddings=32, dropout=0.)
    emb.init_weights()
    assert emb.word_embeddings.weight[0].abs().sum() == 0  # [PAD] row
    ids = torch.tensor([[1, 5, 7, 2]])
    seg = torch.tensor([[0, 0, 1, 1]])
    out = emb(ids, seg)
    raw = (emb.word_embeddings(ids) + emb.position_embeddings.weight[:4] +
           emb.token_type_embeddings(seg))
    torch.testing.assert_close(out, emb.norm(raw))
    assert out.shape == (1, 4, 16)


@pytest.mark.parametrize('safe', [True, False])
def test_init_from_local_hf_bert(tmp_path, safe):
    bert = tiny_bert(tmp_path, 16, safe)
    emb = E2EVLPTextEmbedding(
        20, 16, max_position_embeddings=32, dropout=0., init_from=tmp_path)
    emb.init_weights()
    ids = torch.tensor([[2, 5, 7, 3]])
    bert.eval()
    with torch.no_grad():
        torch.testing.assert_close(emb(ids), bert.embeddings(ids))


def test_width_mismatch_raises(tmp_path):
    tiny_bert(tmp_path, 24, True)
    emb = E2EVLPTextEmbedding(20, 16, max_position_embeddings=32)
    with pytest.raises(ValueError, match='hidden size'):
        emb.load_bert(str(tmp_path))
