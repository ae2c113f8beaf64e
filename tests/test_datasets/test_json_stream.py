# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""The streaming json reader reads what json.load reads and fails with the
message load_json gives for the whole file."""
import json
from functools import partial

import pytest

from e2evlp_mm.datasets import json_stream
from e2evlp_mm.datasets.json_stream import JsonStream
from e2evlp_mm.datasets.validation import E2EVLPDataError, load_json

DOC = {
    'info': {'year': 2017, 'note': 'caf\u00e9 \\ "quoted"'},
    'images': [{'id': i, 'file_name': f'{i}.jpg', 'width': 640.5,
                'height': 480, 'coco_id': None} for i in range(40)],
    'empty': [],
    'numbers': [1, -2.5e3, 123456789, True, None],
    'annotations': [{'id': i, 'bbox': [1, 2, 3.25, 4], 'attribute_ids': [],
                     'phrase': 'a\nb \u2603'} for i in range(60)],
}


def read_list(path):
    return [v for _, v in JsonStream(str(path)).records()]


def streamed(path):
    """Everything JsonStream yields, as plain json values."""
    out = {}
    for key, value in JsonStream(str(path)).members():
        out[key] = [v for _, v in value] if key in (
            'images', 'empty', 'numbers', 'annotations') else value
    return out


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of 7 characters, so values and numbers span reads."""
    monkeypatch.setattr(json_stream, 'CHUNK', 7)


@pytest.mark.parametrize('indent', [None, 1])
def test_reads_what_json_reads(indent, tmp_path, small_chunks):
    path = tmp_path / 'doc.json'
    path.write_text(json.dumps(DOC, indent=indent, ensure_ascii=False))
    assert streamed(path) == DOC
    path.write_text(json.dumps(DOC['images'], indent=indent))
    assert read_list(path) == DOC['images']
    path.write_text(' [ ] ')
    assert read_list(path) == []


def _error(call):
    with pytest.raises(E2EVLPDataError) as error:
        call()
    return str(error.value)


def test_truncated_and_broken_files_fail_as_load_json(tmp_path,
                                                      small_chunks):
    text = json.dumps(DOC, indent=1)
    cases = [text[:n] for n in range(0, len(text), 97)] + [
        text[:200] + '}' + text[200:], text + ' x', text.replace(': ', ' ', 3),
        text.replace('],', ']', 1), '{"a": 1,}', '{"a": [1,]}', '[1 2]',
        '', '{', '{"a"', '[{"id": 1}, {"id"']
    path = tmp_path / 'bad.json'
    for case in cases:
        path.write_text(case)
        expected = _error(lambda: load_json(str(path)))
        assert 'not valid JSON' in expected
        consume = streamed if case.lstrip()[:1] != '[' else read_list
        assert _error(partial(consume, path)) == expected, case[-40:]


def test_non_utf8_text_is_named_as_load_json(tmp_path, small_chunks):
    path = tmp_path / 'latin1.json'
    raw = json.dumps(DOC).encode().replace(
        b'"id": 7, "bbox"', b'"id": 7, "bad": "caf\xe9", "bbox"')
    path.write_bytes(raw)
    expected = _error(lambda: load_json(str(path)))
    assert "(id 7): field 'annotations[7].bad' is not valid UTF-8" in \
        expected
    assert _error(lambda: streamed(path)) == expected
    path.write_bytes(b'[{"regions": [{"phrase": "ok"}]}, {"regions": '
                     b'[{"phrase": "caf\xe9 sign"}]}]')
    expected = _error(lambda: load_json(str(path)))
    assert "field '[1].regions[0].phrase'" in expected
    assert _error(lambda: read_list(path)) == expected


def test_wrong_top_level(tmp_path):
    path = tmp_path / 'list.json'
    path.write_text('[1]')
    assert 'expected an object, got list' in _error(
        lambda: streamed(path))
    path.write_text('{"a": 1}')
    assert 'expected a json list' in _error(
        partial(read_list, path))
