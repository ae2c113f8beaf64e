# Copyright (c) e2evlp-mm contributors. All rights reserved.
"""Read a large json file record by record, in little memory.

The annotation files of the pre-training corpus are one json document each
(Visual Genome's ``objects.json`` is a list of 108K per-image records, a
converted VG detection file an object whose ``annotations`` list holds
millions). :class:`JsonStream` walks the top level itself and hands each
element of a top-level list to the C json decoder (``raw_decode``) as it
is read, so memory holds one element and a read buffer, not the document.

Bad input gives the messages :func:`~.validation.load_json` gives for the
whole file: invalid json (a truncated file too) names the file, line,
column and character, text that is not UTF-8 names the field, record and
id (see ``tests/test_datasets/test_json_stream.py``).
"""
import codecs
import json
import re
from typing import Any, BinaryIO, Iterator, Optional, Tuple

from mmengine import fileio

from .validation import E2EVLPDataError, undecodable_error, where

_WS = re.compile(r'[ \t\n\r]*')
_SURROGATE = re.compile('[\udc80-\udcff]')
_DECODER = json.JSONDecoder()
CHUNK = 1 << 22  # bytes read at a time
_MARGIN = 64  # a value ending this close to the buffer's end is re-read


class _NeedMore(Exception):
    """The buffer ends before the value does."""


class JsonStream:
    """One json file, read once from start to end.

    Args:
        file (str): The path (for messages, and to open it).
        backend_args (dict, optional): mmengine file backend arguments;
            files that are not local are fetched whole first.

    Example::

        for key, value in JsonStream(path).members():   # {...} at top
            if key == 'annotations':
                for index, ann in value:                 # lazy elements
                    ...
    """

    def __init__(self, file: str,
                 backend_args: Optional[dict] = None) -> None:
        self.file = file
        self.backend_args = backend_args
        self._fp: Optional[BinaryIO] = None
        self._text = codecs.getincrementaldecoder('utf-8')(
            'surrogateescape')
        self._buf = ''
        self._pos = 0  # in _buf
        self._offset = 0  # characters dropped before _buf
        self._lines = 0  # newlines dropped before _buf
        self._last_nl = -1  # absolute position of the last dropped newline
        self._eof = False

    # -- reading ---------------------------------------------------------
    def _open(self) -> None:
        if '://' in self.file:
            import io
            self._fp = io.BytesIO(fileio.get(self.file, self.backend_args))
        else:
            self._fp = open(self.file, 'rb')

    def _read(self) -> bool:
        """Append one chunk to the buffer; False at the end of the file."""
        if self._eof:
            return False
        data = self._fp.read(CHUNK)
        self._eof = not data
        text = self._text.decode(data, final=self._eof)
        if self._pos > CHUNK:
            dropped = self._buf[:self._pos]
            newlines = dropped.count('\n')
            if newlines:
                self._lines += newlines
                self._last_nl = self._offset + dropped.rfind('\n')
            self._offset += self._pos
            self._buf, self._pos = self._buf[self._pos:], 0
        self._buf += text
        return bool(text) or not self._eof

    def _peek(self) -> str:
        """Skip white space; the next character, '' at the end."""
        while True:
            self._pos = _WS.match(self._buf, self._pos).end()
            if self._pos < len(self._buf):
                return self._buf[self._pos]
            if not self._read():
                return ''

    # -- errors ----------------------------------------------------------
    def _invalid(self, msg: str, pos: int) -> E2EVLPDataError:
        """The error ``json.loads`` of the whole file would give."""
        at = pos - self._offset
        lineno = self._lines + self._buf.count('\n', 0, at) + 1
        last = self._buf.rfind('\n', 0, at)
        last = self._offset + last if last >= 0 else self._last_nl
        return E2EVLPDataError(
            f'{where(self.file, None)}: not valid JSON ({msg}: line '
            f'{lineno} column {pos - last} (char {pos}))')

    def _expect(self, char: str, msg: str) -> None:
        if self._peek() != char:
            raise self._invalid(msg, self._offset + self._pos)
        self._pos += 1

    # -- values ----------------------------------------------------------
    def _value(self, trail: str) -> Any:
        """Decode the value at the read position (read more as needed);
        ``trail`` names it in a message about text that is not UTF-8."""
        if not self._peek():
            raise self._invalid('Expecting value', self._offset + self._pos)
        while True:
            try:
                value, end = _DECODER.raw_decode(self._buf, self._pos)
                if end + _MARGIN > len(self._buf) and not self._eof:
                    raise _NeedMore  # a number may go on: '-2.' of '-2.5'
            except json.JSONDecodeError as error:
                if self._eof or not self._may_go_on(error):
                    raise self._invalid(error.msg,
                                        self._offset + error.pos) from None
                self._read()
                continue
            except _NeedMore:
                self._read()
                continue
            break
        if _SURROGATE.search(self._buf, self._pos, end):
            raise undecodable_error(value, self.file, None, trail)
        self._pos = end
        return value

    def _may_go_on(self, error: json.JSONDecodeError) -> bool:
        """Whether more text could make the value valid: the error is at
        the end of the buffer or in a string that the buffer cuts."""
        return (error.pos + _MARGIN > len(self._buf)
                or error.msg.startswith('Unterminated string'))

    def _elements(self, trail: str) -> Iterator[Tuple[int, Any]]:
        """The elements of the list that starts at the read position."""
        self._expect('[', 'Expecting value')
        if self._peek() == ']':
            self._pos += 1
            return
        index = 0
        while True:
            yield index, self._value(f'{trail}[{index}]')
            index += 1
            if not self._more(']'):
                return

    def _more(self, close: str) -> bool:
        """After an element or member: True at ',', False at ``close``."""
        char = self._peek()
        self._pos += 1
        if char == close:
            return False
        if char != ',':
            raise self._invalid("Expecting ',' delimiter",
                                self._offset + self._pos - 1)
        return True

    # -- the top level ---------------------------------------------------
    def records(self) -> Iterator[Tuple[int, Any]]:
        """``(index, element)`` of a file holding one list.

        Raises:
            E2EVLPDataError: If the file is not a json list or not valid
                json (as ``json.loads`` words it), or a string is not
                UTF-8 (naming ``[index]`` and the field).
        """
        self._open()
        try:
            if self._peek() not in ('[', ''):
                self._value('')  # what json.loads would say of it
                raise E2EVLPDataError(
                    f'{where(self.file, None)}: expected a json list')
            yield from self._elements('')
            self._end()
        finally:
            self._fp.close()

    def members(self) -> Iterator[Tuple[str, Any]]:
        """``(key, value)`` of a file holding one object, in file order.

        A value that is a list comes as an iterator of ``(index,
        element)``, read lazily; what the caller leaves of it is read and
        dropped before the next member. Other values come decoded.

        Raises:
            E2EVLPDataError: As :meth:`records`, for a json object.
        """
        self._open()
        try:
            if self._peek() != '{':
                value = self._value('')
                raise E2EVLPDataError(
                    f'{where(self.file, None)}: expected an object, got '
                    f'{type(value).__name__}')
            self._pos += 1
            if self._peek() == '}':
                self._pos += 1
            else:
                yield from self._members()
            self._end()
        finally:
            self._fp.close()

    def _members(self) -> Iterator[Tuple[str, Any]]:
        msg = 'Expecting property name enclosed in double quotes'
        while True:
            if self._peek() != '"':
                raise self._invalid(msg, self._offset + self._pos)
            key = self._value('')
            self._expect(':', "Expecting ':' delimiter")
            if self._peek() == '[':
                items = self._elements(key)
                yield key, items
                for _ in items:
                    pass
            else:
                yield key, self._value(key)
            if not self._more('}'):
                return

    def _end(self) -> None:
        if self._peek():
            raise self._invalid('Extra data', self._offset + self._pos)


def stream_member(file: str, key: str,
                  backend_args: Optional[dict] = None) -> dict:
    """``{key: its list's elements, read lazily}`` of a json object file,
    or ``{}`` when it has no ``key`` (so ``require_keys`` names it).

    Example::

        karpathy_eval_ids(stream_member(path, 'images'), path)
    """
    members = JsonStream(file, backend_args).members()
    for name, value in members:
        if name == key:
            return {key: _elements_then_close(value, members)}
    return {}


def _elements_then_close(items: Iterator, members: Iterator) -> Iterator:
    """The elements of ``items``; the file (``members``) stays open until
    they are read."""
    try:
        for _, element in items:
            yield element
    finally:
        members.close()
