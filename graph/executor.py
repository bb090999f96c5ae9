"""Run queries in a pool of worker processes, each under a deadline, row/byte caps and a memory limit.

pyoxigraph cannot cancel a running query, so isolation is by process: each worker confines itself
(no network, bounded memory: ``graph/sandbox.py``) before it opens the store (read-only), decides
what the request is from a parse (``graph/query_shape.py``), and serializes the whole answer
(checked against the caps) before returning it, so the HTTP status is always decided before any
byte of the body is sent. A query that outlives its deadline or its memory gets its worker killed
and replaced. Requests waiting for a worker wait in a bounded queue; beyond it they are refused at once.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import multiprocessing as mp
import os
import signal
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from .cores import long_query_cores, pin, usable_cores
from .formats import media_type
from .query_shape import QuerySyntaxError, QueryTooDeep, shape_of
from .results import Caps, NotRepresentable, ResultTooLarge, kind_of, serialize
from .sandbox import SandboxUnavailable, deny_network, limit_memory
from .store import BackendUnavailable, open_backend, open_store

log = logging.getLogger(__name__)
_START_TRIES = 3  # starts of a replacement worker tried at once before its place waits for the next request
_CHECK_EVERY = 0.1  # seconds between looks at whether a waiting request's client is still there
QUICK_SECONDS = 0.1  # a query its worker answered within this is remembered as quick
QUICK_DEADLINE = 1.0  # the quick lane's own deadline
QUICK_REMEMBERED = 4096  # quick queries remembered, least recently used forgotten first


def _quick_key(job: QueryJob, limits: Limits) -> bytes:
    """A fixed-size key for what decides a query's cost (the job and the limits)."""
    return hashlib.sha256(job.digest() + repr(limits).encode()).digest()


class _LaneTimeout(Exception):
    """A query on the quick lane outlived the lane's deadline: it is no longer quick."""


@dataclass(frozen=True)
class Limits:
    """Per-query limits."""

    timeout: float = 10.0
    max_rows: int = 100_000
    max_bytes: int = 64 * 1024 * 1024  # encoded bytes of the answer


@dataclass(frozen=True)
class Confinement:
    """How the pool confines its workers (fixed when each starts) and bounds its wait queue."""

    memory: int = 1024 * 1024 * 1024  # bytes of heap and anonymous mappings (RLIMIT_DATA)
    queue: int = 8  # requests that may wait for a busy worker; more are refused with 503 at once
    sandbox: str = "required"  # required: no worker without the seccomp filter; warn: start anyway, log it
    nice: int = 5  # CPU priority below the server's and the quick lane's (see QueryPool)
    recycle: int = 64 * 1024 * 1024  # bytes of its own resident memory past which a worker is replaced after a query
    long_after: float = 0.5  # seconds after which a running query is kept to the long queries' cores (graph/cores.py)


@dataclass(frozen=True)
class QueryJob:
    """One query and how its answer should be written."""

    sparql: str
    solution_format: str | None = "json"  # for SELECT / ASK; None: not acceptable
    graph_format: str | None = "ttl"  # for CONSTRUCT / DESCRIBE; None: not acceptable
    default_graphs: Sequence[str] | None = None
    named_graphs: Sequence[str] | None = None
    base_iri: str | None = None  # the service-defined base for relative IRIs

    def digest(self) -> bytes:
        """A fixed-size digest of everything that decides the answer (text, formats, dataset, base)."""
        parts = (self.sparql, self.solution_format, self.graph_format, tuple(self.default_graphs or ()),
                 tuple(self.named_graphs or ()), self.base_iri)
        return hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).digest()


@dataclass(frozen=True)
class Answer:
    """A serialized answer."""

    kind: str  # solutions | boolean | graph
    format: str
    media_type: str
    body: bytes
    volatile: bool = False  # the same query may answer other bytes next time (QueryShape.volatile)


class WorkerStartFailed(SandboxUnavailable):
    """A query worker died or stayed silent while starting. When the pool starts, nothing is served (it may be
    the sandbox that kills it); later, a replacement is tried again (``QueryPool._replace``)."""


class PoolRetired(Exception):
    """The pool was retired (a new release is being served) before a worker became free: retry on the new one."""


class QueryFailed(Exception):
    """The query could not be answered; ``kind`` says why: syntax, update, service, not_acceptable, timeout,
    too_large, memory, busy, worker_died, unavailable, error."""

    def __init__(self, kind: str, message: str, detail: dict[str, Any] | None = None) -> None:
        self.kind = kind
        self.detail = detail or {}
        super().__init__(message)


class _Refused(Exception):
    """Raised in a worker: the request is not answered, for the reason ``kind``."""

    def __init__(self, kind: str, message: str) -> None:
        self.kind = kind
        super().__init__(message)


def _engine_syntax_error(text: str) -> str | None:
    """The engine's own message (with line and column) for a text the check's grammars reject.

    The store is empty, and an ASK the engine accepts is evaluated at once: call this only in a
    worker without network.
    """
    try:
        open_store("memory:").query(text)
    except SyntaxError as exc:
        return str(exc)
    except Exception:
        return None
    return None


def _answer(store: Any, job: QueryJob, caps: Caps, offline: bool) -> Answer:
    """Parse, check, evaluate and serialize one query (in a worker; ``offline`` when it has no network)."""
    try:
        shape = shape_of(job.sparql)
    except QueryTooDeep as exc:
        raise SyntaxError(str(exc)) from None
    except QuerySyntaxError as exc:
        # The engine words the error best, but may evaluate what it accepts: ask it only without a network.
        raise SyntaxError((_engine_syntax_error(job.sparql) if offline else None) or str(exc)) from None
    if shape.operation == "update":
        raise _Refused("update", "this endpoint is read-only: SPARQL Update is not accepted (by the SPARQL "
                       "grammar, a text without a query form, even an empty one, is an update)")
    if shape.uses_service:
        raise _Refused("service", "SERVICE is not allowed: this endpoint makes no outbound requests")
    fmt = job.graph_format if shape.returns_graph else job.solution_format
    if fmt is None:
        raise _Refused("not_acceptable", "graph" if shape.returns_graph else "solutions")
    # The default graph is the union of the named graphs, unless the request or the query names a dataset.
    result = store.query(job.sparql, union_default_graph=not shape.names_dataset,
                         default_graphs=job.default_graphs, named_graphs=job.named_graphs, base_iri=job.base_iri)
    kind = kind_of(result)
    if (kind == "graph") != shape.returns_graph:  # a second line: the engine must read the form as the parse did
        raise _Refused("error", f"the parse read a {shape.form.upper() if shape.form else '?'} query, the engine "
                       "another form; not answered")
    return Answer(kind, fmt, media_type(fmt), serialize(result, fmt, caps), shape.volatile)


def engine_error_message(exc: Exception) -> str:
    """What a client is told of an evaluation error: the engine's words about the query, never an I/O
    error's (they would describe the sandbox, the network or the files behind it)."""
    if isinstance(exc, OSError):
        return "the engine could not evaluate the query"
    return str(exc)[:500] or type(exc).__name__


def confine(selector: str, confinement: Confinement) -> str | None:
    """Confine this worker; a problem to report when the sandbox is missing, else ``None``."""
    limit_memory(confinement.memory)
    if selector.startswith("sparql:"):
        return None  # a remote backend is reached over the network: its workers keep it (the parse check stays)
    try:
        deny_network()
    except SandboxUnavailable as exc:
        return str(exc)
    return None


def own_memory() -> int:
    """Bytes of this process's resident memory that are not file-backed (its heap and anonymous mappings, as
    ``/proc/self/statm`` counts them); 0 where there is no such file."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            fields = statm.read().split()
    except OSError:
        return 0
    return (int(fields[1]) - int(fields[2])) * os.sysconf("SC_PAGE_SIZE")


_WARM_UP = QueryJob("ASK { ?s ?p ?o }")  # the parse, the engine and the serializer each run once


def _worker(selector: str, graphs: tuple[str, ...] | None, confinement: Confinement, conn: Connection,
            quick: bool) -> None:
    # What the forkserver imported is shared with it until written; a collection that walks those objects writes
    # their headers and copies their pages (4 MB a worker): they are set aside from collections for good.
    gc.freeze()
    if not quick:  # long queries yield the CPU to the server process and the quick lane
        os.nice(confinement.nice)
    problem = confine(selector, confinement)
    offline = problem is None and not selector.startswith("sparql:")
    store = None
    if offline:
        # Opened and warmed before the worker says it is ready: a replacement's first query paid for both, 19 ms
        # against 0.9 (helper-47 had workers replaced over and over, and the steady client's p99 went to 4-6x).
        # A remote backend is opened after, as before: a replacement must start while the remote is away.
        try:
            store = open_backend(selector, graphs)
        except Exception as exc:  # told to the pool, which names it when it refuses to start
            conn.send(("unopened", f"its store could not be opened: {exc}"))
            return
        _reply(store, _WARM_UP, Caps(1, 4096), offline)
    conn.send(("ready", problem))
    if problem is not None and confinement.sandbox == "required":
        return
    if store is None:
        store = open_backend(selector, graphs)
    while True:
        try:
            job, caps = conn.recv()
        except EOFError:
            return
        reply = _reply(store, job, caps, offline)
        conn.send((*reply, own_memory()))  # with what the worker holds now: the pool replaces one grown too big
        if reply[0] == "memory":
            return  # the heap may be fragmented past use: start afresh


def _reply(store: Any, job: QueryJob, caps: Caps, offline: bool) -> tuple[str, Any]:
    """The worker's reply to one job: a status and its payload (an answer, or what stopped it)."""
    try:
        return "ok", _answer(store, job, caps, offline)
    except SyntaxError as exc:
        return "syntax", str(exc)
    except _Refused as exc:
        return exc.kind, str(exc)
    except BackendUnavailable as exc:
        return "unavailable", str(exc)
    except ResultTooLarge as exc:
        return "too_large", (exc.limit, exc.value)
    except MemoryError:
        return "memory", ""
    except NotRepresentable as exc:
        return "not_representable", str(exc)
    except Exception as exc:  # a query error must not kill the worker
        return "error", engine_error_message(exc)


@dataclass
class _Worker:
    process: Any
    conn: Connection
    quick: bool = False  # the quick lane's worker


@dataclass
class QueryPool:
    """``size`` worker processes over one store selector, plus the quick lane's one (``quick_lane``);
    ``graphs``: the release's named graphs, which keep a remote backend's dataset to them
    (``graph.store.open_backend``)."""

    selector: str
    size: int = 2
    limits: Limits = field(default_factory=Limits)
    confinement: Confinement = field(default_factory=Confinement)
    quick_lane: bool = True
    on_restart: Callable[[], None] | None = None  # told each time a worker is replaced (the server counts them)
    graphs: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        # forkserver: workers never inherit the server's threads, sockets or locks.
        self._ctx = mp.get_context("forkserver")
        # The forkserver imports the workers' modules once: a replaced worker starts without importing them again.
        self._ctx.set_forkserver_preload(["graph.executor"])
        self._idle: list[_Worker] = []
        self._cond = threading.Condition()
        self._closed = False
        self._waiting = 0
        self.restarts = 0
        self._cores = usable_cores()
        self._long_cores = long_query_cores(self._cores)
        for _ in range(self.size):
            self._idle.append(self._spawn())
        # The quick lane: one more worker, for query texts that answered quickly before, so that they
        # are answered even while slow queries hold every other worker (bounded by QUICK_DEADLINE).
        self._quick_idle: list[_Worker] = []
        self._quick_known: OrderedDict[bytes, None] = OrderedDict()
        if self.quick_lane:
            self._quick_idle.append(self._spawn(quick=True))

    def _spawn(self, quick: bool = False) -> _Worker:
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(target=_worker, args=(self.selector, self.graphs, self.confinement, child, quick),
                                    daemon=True)
        try:
            process.start()
        except (OSError, EOFError) as exc:  # the forkserver died while launching it (the next start launches another)
            parent.close()
            child.close()
            raise WorkerStartFailed(f"query workers cannot be started (the fork server: {exc!r})") from None
        child.close()
        worker = _Worker(process, parent, quick)
        try:
            status, problem = parent.recv() if parent.poll(60) else ("silent", "the worker did not start in 60 s")
        except (EOFError, OSError):
            process.join(1)  # its exit code, once it is reaped
            status, problem = "died", f"the worker exited at start (exit code {process.exitcode})"
        if status != "ready":
            self._stop(worker)
            raise WorkerStartFailed(f"query workers cannot be started ({problem})")
        if problem is not None and self.confinement.sandbox == "required":
            self._stop(worker)
            raise SandboxUnavailable(f"query workers cannot be confined ({problem}); refusing to serve queries "
                                     "without the kernel's network denial (DKG_SANDBOX=warn runs them anyway)")
        if problem is not None:
            log.warning("query workers run WITHOUT the network sandbox (%s): only the parse check stops SERVICE",
                        problem)
        return worker

    def _acquire(self, deadline: float, cancelled: Callable[[], bool]) -> _Worker:
        with self._cond:
            if not self._idle and self._waiting >= self.confinement.queue:
                raise QueryFailed("busy", f"all query workers are busy and {self._waiting} requests are waiting; "
                                  "try again shortly", {"limit": "queue", "value": self.confinement.queue})
            self._waiting += 1
            try:
                while not self._idle:
                    if self._closed:
                        raise PoolRetired
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise QueryFailed("busy", "all query workers stayed busy until the deadline; try again",
                                          {"limit": "timeout", "value": self.limits.timeout})
                    if cancelled():
                        raise QueryFailed("cancelled", "the client went away while waiting for a worker")
                    self._cond.wait(min(remaining, _CHECK_EVERY))
                return self._idle.pop()
            finally:
                self._waiting -= 1

    def _release(self, worker: _Worker) -> None:
        with self._cond:
            if not self._closed:
                (self._quick_idle if worker.quick else self._idle).append(worker)
                self._cond.notify()
                return
        self._stop(worker)  # a retired pool lets a busy worker finish its query, then stops it

    @staticmethod
    def _stop(worker: _Worker) -> None:
        worker.conn.close()
        worker.process.kill()
        worker.process.join(5)

    def _replace(self, worker: _Worker) -> None:
        """Stop ``worker`` and start another in its place. The place is never lost: a replacement that dies while
        starting (killed, or out of memory) is tried again, and if every try fails the stopped worker goes back
        as it is, so that the next request to take it starts one again (``run`` replaces a dead worker before
        using it). An independent attempt that killed the workers 200 ms apart, some while starting, left a pool
        with no worker at all, answering every query with 503 at its deadline, for good."""
        self._stop(worker)
        self.restarts += 1
        if self.on_restart is not None:
            self.on_restart()
        for attempt in range(_START_TRIES):
            if self._closed:
                return
            try:
                self._release(self._spawn(worker.quick))
                return
            except WorkerStartFailed as exc:
                log.warning("a replacement query worker failed to start (try %d of %d): %s", attempt + 1,
                            _START_TRIES, exc)
                time.sleep(0.05 * (attempt + 1))
            except BaseException:
                self._release(worker)  # the place is kept, whatever stopped the start
                raise
        self._release(worker)

    def run(self, job: QueryJob, limits: Limits | None = None,
            cancelled: Callable[[], bool] = lambda: False) -> Answer:
        """Answer ``job`` within the limits, or raise :class:`QueryFailed`.

        ``cancelled`` says whether the client has gone away: its query then stops (the worker is
        replaced), so a client that sends a slow query and hangs up does not keep a worker busy.
        A query that answered within ``QUICK_SECONDS`` before goes to the quick lane when no other
        worker is idle and the lane is free;
        past ``QUICK_DEADLINE`` there, it moves to the other workers with the time it has left.
        """
        limits = limits or self.limits
        deadline = time.monotonic() + limits.timeout
        key = _quick_key(job, limits)
        lane = self._take_quick(key)
        if lane is not None:
            try:
                return self._answer_on(lane, job, limits, min(deadline, time.monotonic() + QUICK_DEADLINE),
                                       cancelled)[0]
            except _LaneTimeout:
                self._forget_quick(key)
        worker = self._acquire(deadline, cancelled)
        while not worker.process.is_alive():  # killed while idle: replace it before using it
            self._replace(worker)
            worker = self._acquire(deadline, cancelled)
        answer, seconds = self._answer_on(worker, job, limits, deadline, cancelled)
        # A volatile query (NOW(), RAND(), ...) may cost another time what it cost this time: an independent attempt
        # (helper-47) taught the lane texts quick until a moment (IF(NOW() < T, true, <endless>)), then held it.
        if seconds <= QUICK_SECONDS and not answer.volatile:
            self._remember_quick(key)
        return answer

    def _take_quick(self, key: bytes) -> _Worker | None:
        with self._cond:
            # The lane is for when the other workers are busy: an idle one answers a quick query as fast.
            if key not in self._quick_known or not self._quick_idle or self._idle:
                return None
            worker = self._quick_idle.pop()
        if worker.process.is_alive():
            return worker
        self._replace(worker)
        with self._cond:  # the lane's new worker, if it started, answers this query too
            if self._quick_idle and self._quick_idle[-1].process.is_alive():
                return self._quick_idle.pop()
        return None

    def _remember_quick(self, key: bytes) -> None:
        with self._cond:
            self._quick_known[key] = None
            self._quick_known.move_to_end(key)
            if len(self._quick_known) > QUICK_REMEMBERED:
                self._quick_known.popitem(last=False)

    def _forget_quick(self, key: bytes) -> None:
        with self._cond:
            self._quick_known.pop(key, None)

    def _answer_on(self, worker: _Worker, job: QueryJob, limits: Limits, deadline: float,
                   cancelled: Callable[[], bool]) -> tuple[Answer, float]:
        """Run ``job`` on ``worker`` until ``deadline``; the answer and the seconds the worker took."""
        started = time.monotonic()
        long_cores, pinned = self._long_cores, False
        long_at = started + self.confinement.long_after if long_cores is not None else float("inf")
        try:
            worker.conn.send((job, Caps(limits.max_rows, limits.max_bytes)))
            while True:
                now = time.monotonic()
                if long_cores is not None and now >= long_at:
                    pinned, long_at = pin(worker.process.pid, long_cores), float("inf")  # tried once
                if worker.conn.poll(max(0.0, min(deadline - now, _CHECK_EVERY, long_at - now))):
                    break
                if time.monotonic() >= deadline:
                    raise TimeoutError
                if cancelled():
                    raise ConnectionAbortedError
            status, payload, held = worker.conn.recv()
            if pinned:
                pin(worker.process.pid, self._cores)
        except (TimeoutError, EOFError, OSError) as exc:
            self._replace(worker)
            if isinstance(exc, ConnectionAbortedError):
                raise QueryFailed("cancelled", "the client went away; its query was stopped") from None
            if isinstance(exc, TimeoutError) and worker.quick:
                raise _LaneTimeout from None
            if isinstance(exc, TimeoutError):
                raise QueryFailed("timeout", f"the query exceeded the time limit of {limits.timeout:g} s",
                                  {"limit": "timeout", "value": limits.timeout}) from None
            if worker.process.exitcode == -signal.SIGABRT:  # the engine aborts when an allocation fails
                raise self._over_memory() from None
            raise QueryFailed("worker_died", "the query worker stopped while answering; it has been replaced, "
                              "try again") from None
        seconds = time.monotonic() - started
        if status == "memory":
            self._replace(worker)
            raise self._over_memory()
        if held > self.confinement.recycle:
            # What a worker's heap grew to for one query it keeps (glibc and the engine's caches give little back):
            # idle workers held 275 and 428 MB for good after single heavy queries. This one is replaced beside the
            # request, which answers at once.
            threading.Thread(target=self._replace, args=(worker,), name="dkg-worker-recycle", daemon=True).start()
        else:
            self._release(worker)
        if status == "ok":
            return payload, seconds
        if status == "too_large":
            limit, value = payload
            raise QueryFailed("too_large", f"the answer exceeds the {limit} limit of {value}",
                              {"limit": f"max_{limit}s", "value": value})
        raise QueryFailed(status, str(payload))

    def _over_memory(self) -> QueryFailed:
        limit = self.confinement.memory
        return QueryFailed("memory", f"the query exceeded the memory limit of {limit // (1024 * 1024)} MiB per "
                           "query worker; the worker has been replaced", {"limit": "memory", "value": limit})

    def close(self) -> None:
        """Stop the idle workers now and the busy ones as they finish: no query in flight is dropped."""
        with self._cond:
            self._closed = True
            workers, self._idle = self._idle + self._quick_idle, []
            self._quick_idle = []
            self._cond.notify_all()
        for worker in workers:
            self._stop(worker)
