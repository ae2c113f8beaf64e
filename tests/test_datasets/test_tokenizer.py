# Copyright (c) e2evlp-mm contributors. All rights reserved.
import pytest

from e2evlp_mm.datasets import build_tokenizer


def test_build_tokenizer_loads_fixture_and_caches(tokenizer_path):
    tok = build_tokenizer(tokenizer_path)
    assert tok is build_tokenizer(tokenizer_path + '/')
    ids = tok('Two RED circles left of the hexagon.')['input_ids']
    assert ids[0] == tok.cls_token_id and ids[-1] == tok.sep_token_id
    assert tok.unk_token_id not in ids
    assert tok.convert_ids_to_tokens(ids[1:4]) == ['two', 'red', 'circles']


def test_build_tokenizer_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match='train_wordpiece.py') as e:
        build_tokenizer(str(tmp_path / 'nope'))
    assert 'nope' in str(e.value)
