"""Read the members of one large JSON object a member at a time, from plain or zstd-compressed files.

The cellxgene ontology releases are single JSON objects, ``{CURIE: {...}, ...}``; ChEBI's is 115 MB of
JSON (478 MB of Python objects when loaded whole, where the build needs a few hundred of its 224,691
members). The standard library's decoder reads each member (``json.JSONDecoder.raw_decode``: the text
is parsed, never matched with patterns), and the caller keeps what it wants.

Positions are character offsets into the decompressed text, so a second pass can decode the members
an earlier pass located without decoding any other (see :func:`values_at`).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

CHUNK = 1 << 20  # characters read at a time; a member longer than this makes the buffer grow
_WHITESPACE = " \t\n\r"  # JSON's insignificant whitespace (RFC 8259, section 2)
_DECODER = json.JSONDecoder()


class JsonStreamError(ValueError):
    """The file is not one JSON object of members; names the file and the character offset."""


@contextmanager
def open_text(path: Path) -> Iterator[TextIO]:
    """The file's text, decompressed on the fly when its name ends in ``.zst``."""
    with path.open("rb") as raw:
        if path.name.endswith(".zst"):
            import zstandard

            with zstandard.ZstdDecompressor().stream_reader(raw) as binary:
                yield io.TextIOWrapper(binary, encoding="utf-8")
        else:
            yield io.TextIOWrapper(raw, encoding="utf-8")


class _Buffer:
    """A window on the text: ``text`` starts at absolute offset ``start``; reads more on demand."""

    def __init__(self, stream: TextIO, name: str) -> None:
        self.stream, self.name = stream, name
        self.text, self.start, self.ended = "", 0, False

    @property
    def end(self) -> int:
        """The absolute offset just after the window."""
        return self.start + len(self.text)

    def more(self, keep_from: int) -> bool:
        """Drop the text before absolute offset ``keep_from`` and read more; ``False`` at the end.

        Reads at least as much as it keeps, so a long member costs linear time, not quadratic.
        """
        if self.ended:
            return False
        kept = self.text[keep_from - self.start:]
        chunk = self.stream.read(max(CHUNK, len(kept)))
        if not chunk:
            self.ended = True
            return False
        self.text, self.start = kept + chunk, keep_from
        return True

    def skip_whitespace(self, at: int) -> int:
        """The absolute offset of the first non-whitespace character at or after ``at``."""
        while True:
            i = at - self.start
            while i < len(self.text) and self.text[i] in _WHITESPACE:
                i += 1
            at = i + self.start
            if i < len(self.text) or not self.more(at):
                return at

    def char(self, at: int) -> str:
        """The character at absolute offset ``at`` (empty at the end of the text)."""
        while at >= self.end:
            if not self.more(min(at, self.end)):
                return ""
        return self.text[at - self.start]

    def decode(self, at: int) -> tuple[Any, int]:
        """Decode the JSON value at absolute offset ``at``; returns it and the offset after it."""
        while True:
            try:
                value, end = _DECODER.raw_decode(self.text, at - self.start)
            except json.JSONDecodeError as exc:
                # Either the value runs past the window (read more and decode it again) or it is malformed.
                if self.more(at):
                    continue
                raise JsonStreamError(f"{self.name}: invalid JSON at character {self.start + exc.pos}: "
                                      f"{exc.msg}") from None
            # A number (or a literal) that ends where the window ends may go on after it.
            if end == len(self.text) and self.more(at):
                continue
            return value, end + self.start

    def expect(self, at: int, wanted: str) -> int:
        """The offset after the character ``wanted`` found at ``at`` (whitespace skipped), or an error."""
        at = self.skip_whitespace(at)
        found = self.char(at)
        if found != wanted:
            raise JsonStreamError(f"{self.name}: expected {wanted!r} at character {at}, found {found or 'the end'!r}")
        return at + 1


class _Slow(Exception):
    """The fast path met the end of the window (or an error): take the careful one."""


def _member_fast(text: str, i: int) -> tuple[str, Any, int, int]:
    """A member wholly inside the window: key, value, the value's index and the separator's index."""
    if text[i] != '"':
        raise _Slow
    key, i = _DECODER.raw_decode(text, i)
    while text[i] in _WHITESPACE:
        i += 1
    if text[i] != ":":
        raise _Slow
    i += 1
    while text[i] in _WHITESPACE:
        i += 1
    value_at = i
    value, i = _DECODER.raw_decode(text, i)
    while text[i] in _WHITESPACE:  # an IndexError here: the value may go on past the window
        i += 1
    return key, value, value_at, i


def _member_slow(buffer: _Buffer, at: int) -> tuple[str, Any, int, int]:
    """The same, reading more of the text where needed; raises :class:`JsonStreamError` on bad JSON."""
    if buffer.char(at) != '"':
        raise JsonStreamError(f"{buffer.name}: expected a member name (a string) at character {at}")
    key, at = buffer.decode(at)
    value_at = buffer.skip_whitespace(buffer.expect(at, ":"))
    value, end = buffer.decode(value_at)
    return key, value, value_at, buffer.skip_whitespace(end)


def members(stream: TextIO, name: str = "<json>") -> Iterator[tuple[str, Any, int]]:
    """Each member of the top-level object as ``(key, value, offset of the value)``, in file order."""
    buffer = _Buffer(stream, name)
    at = buffer.skip_whitespace(buffer.expect(0, "{"))
    if buffer.char(at) == "}":
        return
    while True:
        try:  # the common case, without a method call per character
            key, value, value_at, separator_at = _member_fast(buffer.text, at - buffer.start)
            value_at, separator_at = value_at + buffer.start, separator_at + buffer.start
        except (IndexError, json.JSONDecodeError, _Slow):
            key, value, value_at, separator_at = _member_slow(buffer, at)
        yield key, value, value_at
        separator = buffer.char(separator_at)
        if separator == "}":
            trailing = buffer.skip_whitespace(separator_at + 1)
            if buffer.char(trailing):
                raise JsonStreamError(f"{name}: text after the object at character {trailing}")
            return
        if separator != ",":
            raise JsonStreamError(f"{name}: expected ',' or '}}' at character {separator_at}, "
                                  f"found {separator or 'the end'!r}")
        at = buffer.skip_whitespace(separator_at + 1)


def values_at(stream: TextIO, offsets: Iterable[int], name: str = "<json>") -> Iterator[tuple[int, Any]]:
    """The JSON values that start at the given character offsets (found by :func:`members` over the same
    text), in offset order; the text between them is read but not decoded."""
    buffer = _Buffer(stream, name)
    for offset in sorted(set(offsets)):
        if not buffer.char(offset):
            raise JsonStreamError(f"{name}: no value at character {offset}: the text ends before it")
        value, _ = buffer.decode(offset)
        yield offset, value
