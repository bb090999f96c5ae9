"""Run queries in a pool of worker processes, each under a deadline and row/byte caps.

pyoxigraph cannot cancel a running query, so isolation is by process: each worker opens the
store itself (read-only), a query that outlives its deadline gets its worker killed and replaced,
and the answer is fully serialized (and checked against the caps) before it is returned, so the
HTTP status is always decided before any byte of the body is sent.
"""

from __future__ import annotations

import multiprocessing as mp
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from .results import GRAPH_TYPES, SOLUTION_TYPES, Caps, ResultTooLarge, kind_of, serialize
from .store import BackendUnavailable


@dataclass(frozen=True)
class Limits:
    """Per-query limits."""

    timeout: float = 10.0
    max_rows: int = 100_000
    max_bytes: int = 64 * 1024 * 1024


@dataclass(frozen=True)
class QueryJob:
    """One query and how its answer should be written."""

    sparql: str
    solution_format: str = "json"  # for SELECT / ASK
    graph_format: str = "ttl"  # for CONSTRUCT / DESCRIBE
    default_graphs: Sequence[str] | None = None
    named_graphs: Sequence[str] | None = None
    base_iri: str | None = None  # the service-defined base for relative IRIs


@dataclass(frozen=True)
class Answer:
    """A serialized answer."""

    kind: str  # solutions | boolean | graph
    format: str
    media_type: str
    body: bytes


class PoolRetired(Exception):
    """The pool was retired (a new release is being served) before a worker became free: retry on the new one."""


class QueryFailed(Exception):
    """The query could not be answered; ``kind`` says why (syntax, timeout, too_large, refused, error)."""

    def __init__(self, kind: str, message: str, detail: dict[str, Any] | None = None) -> None:
        self.kind = kind
        self.detail = detail or {}
        super().__init__(message)


_SERVICE = re.compile(r"(?<![\w:?$])SERVICE(?![\w:])", re.IGNORECASE)
_SKIP = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*',
)


_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE|INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b",
                   re.IGNORECASE)
_UPDATE_FORMS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}


def query_form(sparql: str) -> str | None:
    """``select``, ``ask``, ``construct``, ``describe``, ``update``, or ``None`` when none is found.

    Read from the first keyword after the prologue, ignoring strings, IRIs and comments.
    """
    match = _FORM.search(_SKIP.sub(" ", sparql))
    if match is None:
        return None
    word = match.group(1).upper()
    return "update" if word in _UPDATE_FORMS else word.lower()


_FROM = re.compile(r"(?<![\w:?$])FROM(?![\w:])", re.IGNORECASE)


def has_dataset_clause(sparql: str) -> bool:
    """Whether the query names its own dataset with FROM / FROM NAMED."""
    return bool(_FROM.search(_SKIP.sub(" ", sparql)))


def uses_service(sparql: str) -> bool:
    """Whether the query has a SERVICE clause (looked for outside strings, IRIs and comments)."""
    return bool(_SERVICE.search(_SKIP.sub(" ", sparql)))


def _answer(store: Any, job: QueryJob, caps: Caps) -> Answer:
    # The default graph is the union of the named graphs, unless the request or the query names a dataset.
    union = not has_dataset_clause(job.sparql)
    result = store.query(job.sparql, union_default_graph=union, default_graphs=job.default_graphs,
                         named_graphs=job.named_graphs, base_iri=job.base_iri)
    kind = kind_of(result)
    fmt = job.graph_format if kind == "graph" else job.solution_format
    media = (GRAPH_TYPES if kind == "graph" else SOLUTION_TYPES)[fmt]
    return Answer(kind, fmt, media, serialize(result, fmt, caps))


def _worker(selector: str, conn: Connection) -> None:
    from .store import open_backend

    store = open_backend(selector)
    while True:
        try:
            job, caps = conn.recv()
        except EOFError:
            return
        try:
            conn.send(("ok", _answer(store, job, caps)))
        except SyntaxError as exc:
            conn.send(("syntax", str(exc)))
        except BackendUnavailable as exc:
            conn.send(("unavailable", str(exc)))
        except ResultTooLarge as exc:
            conn.send(("too_large", (exc.limit, exc.value)))
        except Exception as exc:  # a query error must not kill the worker
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


@dataclass
class _Worker:
    process: Any
    conn: Connection


@dataclass
class QueryPool:
    """A fixed number of worker processes over one store selector."""

    selector: str
    size: int = 2
    limits: Limits = field(default_factory=Limits)

    def __post_init__(self) -> None:
        # forkserver: workers never inherit the server's threads, sockets or locks.
        self._ctx = mp.get_context("forkserver")
        self._idle: list[_Worker] = []
        self._cond = threading.Condition()
        self._closed = False
        self.restarts = 0
        for _ in range(self.size):
            self._idle.append(self._spawn())

    def _spawn(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(target=_worker, args=(self.selector, child), daemon=True)
        process.start()
        child.close()
        return _Worker(process, parent)

    def _acquire(self, deadline: float) -> _Worker:
        with self._cond:
            while not self._idle:
                if self._closed:
                    raise PoolRetired
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise QueryFailed("busy", "all query workers are busy; try again",
                                      {"limit": "timeout", "value": self.limits.timeout})
                self._cond.wait(remaining)
            return self._idle.pop()

    def _release(self, worker: _Worker) -> None:
        with self._cond:
            if not self._closed:
                self._idle.append(worker)
                self._cond.notify()
                return
        self._stop(worker)  # a retired pool lets a busy worker finish its query, then stops it

    @staticmethod
    def _stop(worker: _Worker) -> None:
        worker.conn.close()
        worker.process.kill()
        worker.process.join(5)

    def _replace(self, worker: _Worker) -> None:
        self._stop(worker)
        self.restarts += 1
        if not self._closed:
            self._release(self._spawn())

    def run(self, job: QueryJob, limits: Limits | None = None) -> Answer:
        """Answer ``job`` within the limits, or raise :class:`QueryFailed`."""
        limits = limits or self.limits
        if uses_service(job.sparql):
            raise QueryFailed("refused", "SERVICE is not allowed: this endpoint makes no outbound requests")
        deadline = time.monotonic() + limits.timeout
        worker = self._acquire(deadline)
        while not worker.process.is_alive():  # killed while idle: replace it before using it
            self._replace(worker)
            worker = self._acquire(deadline)
        try:
            worker.conn.send((job, Caps(limits.max_rows, limits.max_bytes)))
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                raise TimeoutError
            status, payload = worker.conn.recv()
        except (TimeoutError, EOFError, OSError) as exc:
            self._replace(worker)
            if isinstance(exc, TimeoutError):
                raise QueryFailed("timeout", f"the query exceeded the time limit of {limits.timeout:g} s",
                                  {"limit": "timeout", "value": limits.timeout}) from None
            raise QueryFailed("worker_died", "the query worker stopped while answering; it has been replaced, "
                              "try again") from None
        self._release(worker)
        if status == "ok":
            return payload
        if status == "too_large":
            limit, value = payload
            raise QueryFailed("too_large", f"the answer exceeds the {limit} limit of {value}",
                              {"limit": f"max_{limit}s", "value": value})
        raise QueryFailed(status, str(payload))

    def close(self) -> None:
        """Stop the idle workers now and the busy ones as they finish: no query in flight is dropped."""
        with self._cond:
            self._closed = True
            workers, self._idle = self._idle, []
            self._cond.notify_all()
        for worker in workers:
            self._stop(worker)
