"""An HTTP cache in front of the app (a shared cache, RFC 9111): what the app said may be stored is answered again
from memory, without the app.

A release never changes, so the app marks what a release fixes as ``Cache-Control: public`` with a max-age: a GET
query's answer (``server/sparql.py``: a strong ``ETag``, ``Vary: Accept``), a data document, the JSON-LD context.
This cache takes the app at its word, as a reverse proxy would, and stores the whole answer (status, headers,
body) of such a GET; a later GET of the same target with the same ``Accept`` is answered from it, with ``Age``,
while it is fresh. That takes Flask, the protocol's parsing and the query pool off the path of a repeated request
(the "repeated" class of ``bench/compare.py``): the answer is the app's own bytes, not a second rendering of them.

What it stores: a 200 to a GET, ``public``, with a ``Content-Length`` and a body in memory (never a file sent as it
is read), varying on nothing but ``Accept`` (a response that varies on another header is not stored), from the
release being served (the app says which one answered: ``environ["dkg.release"]``, set by ``server/pool.py``; the
same build published again is a release of its own, with its own ``Last-Modified``). All of it is dropped when a
new release is published. What it holds is bounded in bytes (``ANSWER_CACHE_BYTES``: bodies, headers and a KiB an
entry besides, as objects), least recently used dropped first.

What it leaves to the app: every method but GET and HEAD, conditional and range requests (``If-*``, ``Range``),
a request that asks for a fresh answer (``Cache-Control: no-cache``, ``max-age=0``, ``Pragma: no-cache``; its
answer is stored) or one fresher than the stored one (``max-age``, ``min-fresh``), and an answer the output budget
would refuse (``server/output_budget.py``), which the app then answers 503. The app's answer to a request with
``no-store`` is not stored, though a stored answer may serve it (RFC 9111 §5.2.1.5); a request with
``only-if-cached`` (any method) that no stored answer serves gets 504 and never reaches the app (§5.2.1.7).
Concurrent first requests for one target each go to the app (no request collapsing). A directive given twice
counts as werkzeug reads it: the last one.
"""

from __future__ import annotations

import hashlib
import sys
import threading
import time
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from werkzeug.datastructures import RequestCacheControl, ResponseCacheControl
from werkzeug.http import parse_cache_control_header, parse_dict_header, parse_set_header

from .lru import BytesLRU
from .output_budget import over_budget

# Request headers that make a request conditional, partial or a demand for a fresh answer: the app answers it.
_PASSED_ON = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_UNMODIFIED_SINCE",
              "HTTP_IF_RANGE", "HTTP_RANGE", "HTTP_AUTHORIZATION")
_KEYED_ON = "accept"  # the one request header a stored answer may vary on (the app's negotiation reads Accept)

CC = TypeVar("CC", RequestCacheControl, ResponseCacheControl)
_ONLY_IF_CACHED = b"504 Gateway Timeout: no stored answer for this request, and it asked for a stored one only\n"
_ONLY_IF_CACHED_HEADERS = (("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(_ONLY_IF_CACHED))),
                           ("X-Content-Type-Options", "nosniff"))
Key = bytes  # a digest of path, query string and Accept: the key's size does not grow with the request's
# What holding an entry costs besides its body and headers: the entry, its key, its status, its list of headers and
# the LRU's slot (measured with tracemalloc: tests/test_http_cache.py; an independent attempt found 1,954 bytes held
# for an entry of a tiny answer where 1,364 were counted, when only the text of the headers was).
ENTRY_OVERHEAD = 1024
HEADER_PAIR = sys.getsizeof(("", ""))


@dataclass(frozen=True)
class Stored:
    """One answer as the app gave it, and when and for how long it may be given again."""

    status: str
    headers: list[tuple[str, str]]
    body: bytes
    route: str  # the app's route for the metrics, as the app counted it
    stored_at: float
    max_age: float


class ReleaseAnswers(BytesLRU[Key, Stored]):
    """The stored answers of one release, each counted with its headers and what holding it costs besides, so that
    many small answers are bounded as surely as a few large ones."""

    def __init__(self, release: Hashable, capacity: int) -> None:
        super().__init__(capacity)
        self.release = release

    def weight(self, value: Stored) -> int:
        """The body and the header pairs as the objects they are, and the rest of the entry (``ENTRY_OVERHEAD``)."""
        return (sys.getsizeof(value.body) + ENTRY_OVERHEAD
                + sum(HEADER_PAIR + sys.getsizeof(name) + sys.getsizeof(text) for name, text in value.headers))


Observe = Callable[[str, str, str, float], None]  # route, method, status, seconds


class HttpCache:
    """WSGI middleware: the shared cache in front of ``app`` (see the module's docstring)."""

    def __init__(self, app: Any, served: Callable[[], Hashable | None], capacity: int, observe: Observe,
                 held_output: Callable[[], Callable[[], int] | None], budget: int) -> None:
        self.app = app
        self.served = served  # the release being served, or None (then nothing is stored)
        self.capacity = capacity
        self.observe = observe  # counts an answer given here, as the app counts its own (server/metrics.py)
        self.held_output = held_output  # the front's count of unread answer bytes, once the front has said it
        self.budget = budget
        self._answers: ReleaseAnswers | None = None
        self._lock = threading.Lock()

    def _release(self) -> Hashable | None:
        try:
            return self.served()
        except Exception:  # a release the app cannot read: the app answers why, on its own path
            return None

    def answers(self, release: Hashable) -> ReleaseAnswers:
        """The stored answers of ``release``: a new, empty store when it is not the one held."""
        answers = self._answers
        if answers is not None and answers.release == release:
            return answers
        with self._lock:
            if self._answers is None or self._answers.release != release:
                self._answers = ReleaseAnswers(release, self.capacity)  # the previous release's answers go with it
            return self._answers

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.perf_counter()
        method = environ["REQUEST_METHOD"]
        asked = _directives(environ.get("HTTP_CACHE_CONTROL"), RequestCacheControl)
        usable = method in ("GET", "HEAD") and not any(name in environ for name in _PASSED_ON)
        release = self._release() if usable else None
        if release is not None:
            answers = self.answers(release)
            key = _key(environ)
            if not (asked.no_cache or asked.max_age == 0 or _pragma_no_cache(environ.get("HTTP_PRAGMA"))):
                stored = answers.get(key)
                if stored is not None and _fresh_enough(stored, asked) and self._may_send(stored, environ, method):
                    age = time.monotonic() - stored.stored_at
                    start_response(stored.status, [*stored.headers, ("Age", str(int(age)))])
                    self.observe(stored.route, method, stored.status[:3], time.perf_counter() - started)
                    return [] if method == "HEAD" else [stored.body]
        if asked.only_if_cached:  # RFC 9111 §5.2.1.7: no stored answer will do, and the app is not to be asked
            start_response("504 Gateway Timeout", [*_ONLY_IF_CACHED_HEADERS])
            self.observe("only-if-cached", method, "504", time.perf_counter() - started)
            return [] if method == "HEAD" else [_ONLY_IF_CACHED]
        if release is None or method != "GET" or asked.no_store:
            return self.app(environ, start_response)
        return self._answer_and_store(environ, start_response, answers, key)

    def _may_send(self, stored: Stored, environ: dict[str, Any], method: str) -> bool:
        """Whether the output budget lets this connection have ``stored`` now (else the app says why not)."""
        held = self.held_output()
        return method == "HEAD" or over_budget(len(stored.body), environ.get("dkg.held_here"), held,
                                               self.budget) is None

    def _answer_and_store(self, environ: dict[str, Any], start_response: Callable[..., Any],
                          answers: ReleaseAnswers, key: Key) -> Iterable[bytes]:
        said: list[Any] = []

        def remember(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            said[:] = [status, headers]
            return start_response(status, headers, exc_info)

        result = self.app(environ, remember)
        if not said:
            return result
        status, headers = said
        max_age = _storable(status, headers, answers.capacity)
        wrapper = environ.get("wsgi.file_wrapper")
        if (max_age is None or environ.get("dkg.release") != answers.release
                or (isinstance(wrapper, type) and isinstance(result, wrapper))):
            return result
        try:
            body = b"".join(result)  # within the cache's bound: _storable read its Content-Length
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        if len(body) == int(_header(headers, "content-length") or -1):
            answers.put(key, Stored(status, list(headers), body, environ.get("dkg.route", "unmatched"),
                                    time.monotonic(), max_age))
        return [body]


def _key(environ: dict[str, Any]) -> Key:
    target = (environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""), environ.get("HTTP_ACCEPT"))
    return hashlib.sha256(repr(target).encode("utf-8", "surrogateescape")).digest()  # repr: parts cannot run together


def _directives(value: str | None, kind: type[CC]) -> CC:
    """A ``Cache-Control`` header's directives: their names are case-insensitive (RFC 9111 §5.2), which werkzeug's
    parser does not know, so they are read in lower case (the values this cache reads are numbers)."""
    return parse_cache_control_header((value or "").lower(), cls=kind)


def _pragma_no_cache(value: str | None) -> bool:
    """Whether a ``Pragma`` header holds ``no-cache`` (RFC 9111 §5.4: what an HTTP/1.0 client asks by it)."""
    return "no-cache" in parse_dict_header((value or "").lower())


def _fresh_enough(stored: Stored, asked: RequestCacheControl) -> bool:
    """Whether ``stored`` is fresh, and fresh enough for the client's own limits (RFC 9111 §5.2.1)."""
    age = time.monotonic() - stored.stored_at
    if age >= stored.max_age or (asked.max_age is not None and age > asked.max_age):
        return False
    return asked.min_fresh is None or stored.max_age - age >= asked.min_fresh


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((value for key, value in headers if key.lower() == name), None)


def _storable(status: str, headers: list[tuple[str, str]], capacity: int) -> float | None:
    """The max-age of an answer this cache may store, or ``None``."""
    if not status.startswith("200 ") or _header(headers, "set-cookie") is not None:
        return None
    length = _header(headers, "content-length")
    if length is None or not length.isdigit() or int(length) > capacity:
        return None
    control = _directives(_header(headers, "cache-control"), ResponseCacheControl)
    if not control.public or control.no_store or control.no_cache or control.private or not control.max_age:
        return None
    varies = {name.lower() for name in parse_set_header(_header(headers, "vary"))}
    if not varies <= {_KEYED_ON}:
        return None  # "*" or a header this cache does not key on
    return float(control.s_maxage if control.s_maxage is not None else control.max_age)
