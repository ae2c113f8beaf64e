# Copyright (c) e2evlp-mm contributors. All rights reserved.
import json
import subprocess
import sys

import pytest
from transformers import BertTokenizerFast

from e2evlp_mm.datasets.tokenizer_training import train_wordpiece

TEXTS = [
    'A red circle to the left of a blue star.',
    'How many hexagons are there?', 'Two purple crosses on a gray canvas.',
    'The left image contains exactly one green heart.'
] * 5


def test_train_and_load(tmp_path):
    out = train_wordpiece(str(tmp_path / 'tok'), texts=TEXTS,
                          vocab_size=300)
    tok = BertTokenizerFast.from_pretrained(out)
    assert tok.convert_ids_to_tokens([0, 1, 2, 3, 4]) == [
        '[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']
    assert tok.pad_token_id == 0 and tok.mask_token == '[MASK]'
    caption = 'Two purple crosses to the left of a blue star.'
    ids = tok(caption)['input_ids']
    assert ids[0] == tok.cls_token_id and ids[-1] == tok.sep_token_id
    assert tok.unk_token_id not in ids
    assert tok.decode(ids, skip_special_tokens=True) == caption.lower()
    config = json.loads((tmp_path / 'tok/tokenizer_config.json').read_text())
    assert config['do_lower_case'] is True


def test_whole_words_only_is_reproducible(tmp_path):
    vocabs = []
    for k in range(3):
        out = train_wordpiece(str(tmp_path / str(k)), texts=TEXTS,
                              min_frequency=1, whole_words_only=True)
        vocabs.append((tmp_path / str(k) / 'vocab.txt').read_text())
    assert vocabs[0] == vocabs[1] == vocabs[2]
    words = vocabs[0].split('\n')
    assert 'hexagons' in words and '##x' in words and 'hexag' not in words
    tok = BertTokenizerFast.from_pretrained(out)
    assert tok.tokenize('Hexagons tear') == [
        'hexagons', 't', '##e', '##a', '##r']


def test_cli_from_files(tmp_path):
    corpus = tmp_path / 'corpus.txt'
    corpus.write_text('\n'.join(TEXTS) + '\n')
    subprocess.run([
        sys.executable, 'tools/dataset_converters/train_wordpiece.py',
        str(corpus), '--out', str(tmp_path / 'tok'), '--vocab-size', '200'
    ], check=True, capture_output=True)
    tok = BertTokenizerFast.from_pretrained(str(tmp_path / 'tok'))
    assert tok.tokenize('a red circle') == ['a', 'red', 'circle']


def test_needs_input(tmp_path):
    with pytest.raises(ValueError):
        train_wordpiece(str(tmp_path))
