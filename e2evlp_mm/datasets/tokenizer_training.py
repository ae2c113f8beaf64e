# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Train an uncased BERT WordPiece vocabulary without hub access.

The output folder loads with ``BertTokenizerFast.from_pretrained(folder)``
(and ``e2evlp_mm.datasets.build_tokenizer``) fully offline.
"""
import json
import os
import os.path as osp
from collections.abc import Iterable, Sequence

from tokenizers import BertWordPieceTokenizer

SPECIAL_TOKENS = ('[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]')


def train_wordpiece(out_dir: str, files: Sequence[str] | None = None,
                    texts: Iterable[str] | None = None,
                    vocab_size: int = 30522, min_frequency: int = 2,
                    limit_alphabet: int = 1000,
                    whole_words_only: bool = False) -> str:
    """Train an uncased WordPiece vocabulary and save a BERT tokenizer.

    Args:
        out_dir (str): Output folder (created).
        files (Sequence[str], optional): Text files, one text per line.
        texts (Iterable[str], optional): Texts, used when ``files`` is
            not given.
        vocab_size (int): Largest vocabulary size (special tokens and the
            alphabet included). Defaults to 30522 (BERT-base).
        min_frequency (int): Fewest occurrences for a merge. Defaults to 2.
        limit_alphabet (int): Most initial characters. Defaults to 1000.
        whole_words_only (bool): Keep only characters and whole corpus
            words of the trained vocabulary. ``tokenizers`` breaks ties
            between equally frequent merges in hash-map order, which changes
            from run to run; the dropped intermediate pieces are exactly the
            part that depends on it, so with this option (and a vocabulary
            that is not full) the result is a function of the corpus alone.
            Defaults to False.

    Returns:
        str: ``out_dir``, holding ``vocab.txt``, ``tokenizer_config.json``
        and ``special_tokens_map.json``;
        ``[PAD]`` has id 0, then ``[UNK] [CLS] [SEP] [MASK]``.
    """
    tok = BertWordPieceTokenizer(lowercase=True, strip_accents=None,
                                 clean_text=True)
    kwargs = dict(vocab_size=vocab_size, min_frequency=min_frequency,
                  limit_alphabet=limit_alphabet,
                  special_tokens=list(SPECIAL_TOKENS), show_progress=False)
    if not files and texts is None:
        raise ValueError('train_wordpiece needs files or texts')
    if whole_words_only:  # the texts are read twice
        texts = list(_read_lines(files) if files else texts)
    if files and not whole_words_only:
        tok.train(list(files), **kwargs)
    else:
        tok.train_from_iterator(texts, **kwargs)
    # The trainer breaks frequency ties in hash-map order, which changes
    # between processes; a canonical order makes equal vocabularies
    # byte-identical files.
    vocab = set(tok.get_vocab()) - set(SPECIAL_TOKENS)
    if whole_words_only:
        words = {w for text in texts for w, _ in
                 tok.pre_tokenizer.pre_tokenize_str(
                     tok.normalizer.normalize_str(text))}
        vocab = {t for t in vocab if len(t.removeprefix('##')) == 1
                 or t in words}
    vocab = sorted(vocab,
                   key=lambda t: (t.startswith('##'), len(t) > 1, t))
    os.makedirs(out_dir, exist_ok=True)
    with open(osp.join(out_dir, 'vocab.txt'), 'w', encoding='utf-8') as f:
        f.write(''.join(f'{t}\n' for t in SPECIAL_TOKENS + tuple(vocab)))
    special = dict(pad_token='[PAD]', unk_token='[UNK]', cls_token='[CLS]',
                   sep_token='[SEP]', mask_token='[MASK]')
    config = dict(tokenizer_class='BertTokenizer', do_lower_case=True,
                  strip_accents=None, tokenize_chinese_chars=True,
                  model_max_length=512, **special)
    for name, obj in (('tokenizer_config.json', config),
                      ('special_tokens_map.json', special)):
        with open(osp.join(out_dir, name), 'w') as f:
            json.dump(obj, f, indent=2)
    return out_dir


def _read_lines(files: Sequence[str]) -> Iterable[str]:
    """Lines of text files, in order."""
    for path in files:
        with open(path, encoding='utf-8') as f:
            yield from (line.rstrip('\n') for line in f)
