# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Inference without the vocabulary files: take them from the checkpoint.

A checkpoint holds its answer list and WordPiece vocabulary in
``meta['vocabularies']`` (see :mod:`e2evlp_mm.engine.vocabularies`). When
a config's ``answer_list_path`` or ``tokenizer_path`` does not exist on
this machine, they are written once to a folder named after their
fingerprint under the system's temporary directory and the config is
pointed there.
"""
import json
import os
import os.path as osp
import tempfile
import warnings
from typing import Iterator, List, Tuple

from ..engine.safe_load import load_checkpoint_file
from ..engine.vocabularies import META_KEY, fingerprint

_KEYS = ('answer_list_path', 'tokenizer_path')


def _nodes(node) -> Iterator[Tuple[dict, str]]:
    """``(dict, key)`` of every answer list / tokenizer path in a config."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _KEYS and isinstance(value, str):
                yield node, key
            else:
                yield from _nodes(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _nodes(value)


def _checkpoint_meta(weights: str) -> dict:
    """The checkpoint's ``meta``, read as plain data only and
    memory-mapped (the weights stay on disk)."""
    checkpoint = load_checkpoint_file(weights, 'cpu', mmap=True)
    return checkpoint.get('meta') or {}


def _write(path: str, text: str) -> None:
    """Write ``text`` unless ``path`` exists (atomic: processes may race).
    """
    if osp.exists(path):
        return
    os.makedirs(osp.dirname(path), exist_ok=True)
    tmp = f'{path}.{os.getpid()}.tmp'
    with open(tmp, 'w', encoding='utf-8') as f:
        f.write(text)
    os.replace(tmp, path)


def _answer_file(answers: List[str]) -> str:
    path = osp.join(tempfile.gettempdir(), 'e2evlp_vocabularies',
                    fingerprint(answers)[:16], 'answer_list.json')
    _write(path, json.dumps(answers))
    return path


def _tokenizer_dir(wordpiece: dict) -> str:
    folder = osp.join(tempfile.gettempdir(), 'e2evlp_vocabularies',
                      wordpiece['sha256'][:16], 'tokenizer')
    _write(osp.join(folder, 'tokenizer_config.json'),
           json.dumps(dict(do_lower_case=wordpiece.get('lower_case', True))))
    _write(osp.join(folder, 'vocab.txt'), '\n'.join(wordpiece['tokens']) +
           '\n')
    return folder


def fill_missing_vocabularies(cfg: dict, weights: str) -> List[str]:
    """Point missing vocabulary files of ``cfg`` at the checkpoint's.

    Args:
        cfg (dict | Config): The inference config, changed in place.
        weights (str): The checkpoint.

    Returns:
        list[str]: One line per replaced path (empty when all exist).

    Raises:
        FileNotFoundError: A file is missing and the checkpoint does not
            hold its contents (saved before vocabularies were stored, or a
            WordPiece vocabulary too large to store), naming both.
    """
    # a Config is no dict: walk its top-level values (shared, not copies)
    missing = [(node, key)
               for node, key in _nodes([cfg[k] for k in list(cfg.keys())])
               if not osp.exists(node[key])]
    if not missing or not osp.isfile(weights):
        return []
    vocab = _checkpoint_meta(weights).get(META_KEY) or {}
    done = []
    for node, key in missing:
        old = node[key]
        if key == 'answer_list_path' and vocab.get('answers'):
            node[key] = _answer_file(vocab['answers'])
        elif key == 'tokenizer_path' and \
                (vocab.get('wordpiece') or {}).get('tokens'):
            node[key] = _tokenizer_dir(vocab['wordpiece'])
        else:
            raise FileNotFoundError(
                f'{key} {old!r} does not exist and checkpoint {weights} '
                f"holds no copy of it (meta['{META_KEY}'] has "
                f'{sorted(vocab) or "nothing"}): copy the file the model '
                'was trained with to that path')
        done.append(f'{key} {old!r} is missing: using the copy in '
                    f'{weights} ({node[key]})')
    for line in dict.fromkeys(done):
        warnings.warn(line, stacklevel=3)
    return done
