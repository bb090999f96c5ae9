"""How the HTTP front reads a request's framing: waitress's parser, with linear reading and tighter limits.

Waitress reads every request in the server's one network thread, so whatever the reading costs, every other
connection waits for it. Three of its costs grew faster than the request (found by an independent attempt: one
connection sending such requests back to back held a steady client's p99 at 11 to 19 times its baseline):

- the header block was searched again from its start at each read, and its field lines, joined by waitress
  where a line is folded or a field repeats, were copied again at each join (a 212 KB block of repeated or
  folded fields cost 50–70 ms);
- a chunked body was cut and copied again at each chunk (266 KB of one-byte chunks cost 75 ms).

Here the header block is searched once, from where the last read ended; the field lines after the request line
are limited in bytes and in number (431), as nginx and Apache limit them; a folded line (obs-fold), which
RFC 9112 §5.2 lets a server reject, gets 400; a chunked body is read a slice at a time, with a bound on its
chunks and on the lengths of a chunk-size line and of the trailer (413, 400, 431). The request line keeps its
own bound (``max_request_header_size``): a GET query travels in it.
"""

from __future__ import annotations

from typing import Any

from waitress.parser import HTTPRequestParser
from waitress.receiver import ChunkedReceiver
from waitress.utilities import BadRequest, RequestEntityTooLarge, RequestHeaderFieldsTooLarge

MAX_FIELD_BYTES = 16 * 1024  # the header fields after the request line, and a chunked body's trailer
MAX_FIELDS = 100  # field lines (Apache's LimitRequestFields)
MAX_CHUNKS = 1024  # chunks of one chunked body: each costs the network thread about 2 µs of Python
MAX_CHUNK_LINE = 1024  # bytes of one chunk-size line, extensions included
_FEED = 1024  # bytes of a chunked body given to waitress's receiver at once: it copies what is left at each chunk


class CountingChunks(ChunkedReceiver):
    """Waitress's chunked-body receiver, counting the chunks it begins."""

    chunks = 0
    _remainder = 0

    @property
    def chunk_remainder(self) -> int:
        return self._remainder

    @chunk_remainder.setter
    def chunk_remainder(self, value: int) -> None:
        if value > 0 and self._remainder == 0:  # set from a chunk-size line: a new chunk begins
            self.chunks += 1
        self._remainder = value


class RequestParser(HTTPRequestParser):
    """Waitress's request parser, reading in linear time under the limits above.

    Also, a request framed by both Transfer-Encoding and Content-Length closes its connection after the answer,
    as RFC 9112 §6.3 requires (a front end that framed it by Content-Length would otherwise read what follows as
    a request of its own), and so does one of another version than HTTP/1.1 with a Transfer-Encoding, which
    waitress does not read there (§6.1: its framing is faulty; found by an independent attempt with HTTP/1.0
    and keep-alive)."""

    # Waitress's own attributes, which it leaves untyped.
    adj: Any
    body_rcv: Any
    chunked: bool
    completed: bool
    error: Any
    headers: dict[str, str]

    def __init__(self, adj: object) -> None:
        super().__init__(adj)
        self._head = bytearray()

    def received(self, data: bytes) -> int:
        if self.completed:
            return 0
        if self.body_rcv is None:
            return self._received_head(data)
        if not isinstance(self.body_rcv, CountingChunks):
            return int(super().received(data))
        consumed = int(super().received(data[:_FEED]))
        receiver = self.body_rcv
        problem = None
        if receiver.chunks > MAX_CHUNKS:
            problem = RequestEntityTooLarge(f"a chunked body of more than {MAX_CHUNKS} chunks")
        elif len(receiver.control_line) > MAX_CHUNK_LINE:
            problem = BadRequest(f"a chunk-size line longer than {MAX_CHUNK_LINE} bytes")
        elif len(receiver.trailer) > MAX_FIELD_BYTES:
            problem = RequestHeaderFieldsTooLarge(f"a trailer of more than {MAX_FIELD_BYTES} bytes")
        if problem is not None and self.error is None:  # even if this read completed the body: it is refused
            self.error, self.completed = problem, True
        return consumed

    def _received_head(self, data: bytes) -> int:
        """Gather the header block; hand it to waitress whole, once, when it has ended (or outgrown its bound)."""
        before = len(self._head)
        self._head += data
        end = self._head.find(b"\r\n\r\n", max(0, before - 3))
        if end < 0 and len(self._head) < self.adj.max_request_header_size:
            return len(data)
        block, self._head = bytes(self._head), bytearray()
        problem = _field_problem(block[:end]) if end >= 0 else None
        if problem is not None:
            # As waitress answers a block over its bound: a request line to answer, then the error (which closes).
            self.parse_header(b"GET / HTTP/1.0\r\n")
            self.error, self.completed = problem, True
            return len(data)
        return int(super().received(block)) - before

    def parse_header(self, header_plus: bytes) -> None:
        super().parse_header(header_plus)
        if self.chunked:  # count its chunks (an empty buffer yet: the body has not been read)
            self.body_rcv = CountingChunks(self.body_rcv.buf)
        # Waitress takes Transfer-Encoding out of the headers when it reads it (HTTP/1.1 only).
        if (self.chunked and "CONTENT_LENGTH" in self.headers) or "TRANSFER_ENCODING" in self.headers:
            # What waitress reads to close the connection after the answer, saying so in one Connection header.
            self.headers["CONNECTION"] = "close"


def _field_problem(head: bytes) -> BadRequest | RequestHeaderFieldsTooLarge | None:
    """What is wrong with the field lines of a header block (``head``: up to its last field's CRLF), if anything."""
    head = head.lstrip()  # as waitress reads it: blank lines before a request are skipped (RFC 9112 §2.2)
    line_end = head.find(b"\r\n")
    if line_end < 0:
        return None  # the request line alone, or nothing: waitress's own reading decides
    fields = head[line_end + 2:]
    if len(fields) > MAX_FIELD_BYTES:
        return RequestHeaderFieldsTooLarge(f"header fields of more than {MAX_FIELD_BYTES} bytes")
    if fields.count(b"\n") + 1 > MAX_FIELDS:
        return RequestHeaderFieldsTooLarge(f"more than {MAX_FIELDS} header fields")
    if fields[:1] in (b" ", b"\t") or b"\n " in fields or b"\n\t" in fields:
        return BadRequest("a header field folded over lines (obs-fold, RFC 9112 §5.2)")
    return None
