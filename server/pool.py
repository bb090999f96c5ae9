"""The app's query pool: started on first use (after gunicorn has forked), replaced when a new
release is published, stopped at exit."""

from __future__ import annotations

import atexit
import threading
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, current_app, g, has_request_context, request

from graph.executor import Answer, Confinement, Limits, PoolRetired, QueryJob, QueryPool
from graph.query import json_rows
from graph.release import NoRelease, Release, ReleaseWatch
from graph.vocab import BASE

from .metrics import worker_restarted

_lock = threading.RLock()  # re-entrant: building the catalog starts the pool
# The pools not yet collected, closed at exit. Weak: a retired pool is dropped (an atexit entry per pool kept every
# pool of every release switch, closed, for the life of the process).
_pools: weakref.WeakValueDictionary[int, QueryPool] = weakref.WeakValueDictionary()  # by id: not hashable


@atexit.register
def _close_pools() -> None:
    for pool in list(_pools.values()):
        pool.close()


class ReleaseChanged(Exception):
    """A newer release was published while this request was being answered from an older one: it is answered 503,
    to be retried (on the newer release), rather than rebuild the older release's pool or catalog, which would
    retire the newer one's, and so on back and forth while requests of both are in flight."""

    def __init__(self) -> None:
        super().__init__("a new release was published while this request was being answered; try again")


def _watch() -> ReleaseWatch:
    return release_watch(current_app)


def release_watch(app: Flask) -> ReleaseWatch:
    """The app's one watch of its release folder."""
    watch: ReleaseWatch | None = app.extensions.get("dkg_release")
    if watch is None:
        watch = app.extensions.setdefault("dkg_release", ReleaseWatch(Path(app.config["RELEASE_DIR"])))
    return watch


def current_release() -> Release | None:
    """The published release (its own folder, ``current`` resolved), when there is one; a newly published one
    is noticed within a quarter second (see ``ReleaseWatch``). A request sees one release from start to end,
    so that no answer mixes two builds (a catalog of one and a query of the other).

    Raises ``BaseMismatch`` when it was built under another base IRI than the server's: every route reaches
    the release through here (the query pool, the catalog), so none answers from it (the handler says 503).
    """
    if has_request_context() and "dkg_release" in g:
        release: Release | None = g.dkg_release  # one release for the whole request: its catalog, pool and store
    else:
        release = _watch().release()
        if has_request_context():
            g.dkg_release = release
            if release is not None:
                request.environ["dkg.release"] = release  # which release answered: server/http_cache.py
    if release is not None:
        release.check_base(BASE)
    return release


def _selector() -> str:
    """The store to open: the configured one, else the published release's own (not the symlink's); without
    either, ``NoRelease`` tells how to make one."""
    if not current_app.config["STORE_FROM_RELEASE"]:
        return str(current_app.config["STORE"])
    release = current_release()
    if release is None:
        raise NoRelease(f"no release in {current_app.config['RELEASE_DIR']}: run `dystonia-kg build` first")
    return release.selector


def _graphs() -> tuple[str, ...] | None:
    """The published release's named graphs, to which a configured remote store's dataset is kept (its engine
    may hold more: Virtuoso's system graphs); ``None`` for the release's own store, or without a release."""
    if current_app.config["STORE_FROM_RELEASE"]:
        return None
    release = current_release()
    names = release.manifest.get("named_graphs") if release is not None else None
    return tuple(names) if names else None


T = TypeVar("T")


KEPT = 2  # replaced objects of a key kept at once for their grace; one more replacement retires the oldest at once


def per_release(key: str, is_current: Callable[[T], bool], make: Callable[[], T],
                retire: Callable[[T], None] | None = None) -> T:
    """The app's object under ``key``, made again when it no longer fits this request's release.

    Each one replaced is kept for a grace period of its own (twice the query deadline and 5 s), then ``retire``d:
    a request that began on an older release is answered from it meanwhile, and a switch drops no request (a
    revert within the grace takes it back). At most ``KEPT`` are kept (each holds query workers): a further
    switch within their grace retires the oldest at once. Nothing is made for a release older than the
    published one (:class:`ReleaseChanged`): two switches in quick succession once had requests of both releases
    retire each other's pools back and forth, and answer 500.
    """
    extensions = current_app.extensions
    value: T | None = extensions.get(key)
    if value is not None and is_current(value):
        return value
    with _lock:
        value = extensions.get(key)
        if value is not None and is_current(value):
            return value
        # (grace token, object), oldest first; a token is what a timer names, so one of an object taken back since
        # (a revert) finds nothing to end.
        kept: list[tuple[object, T]] = extensions.setdefault(f"{key}/previous", [])
        match = next((entry for entry in kept if is_current(entry[1])), None)
        if match is not None:
            if _outlived():
                return match[1]  # a request that began before the switch
            kept.remove(match)
            fresh = match[1]  # the published release again (a revert): take it back
        elif value is not None and _outlived():
            raise ReleaseChanged
        else:
            fresh = make()
        extensions[key] = fresh
        if value is not None:
            token = object()
            kept.append((token, value))
            while len(kept) > KEPT:
                _, oldest = kept.pop(0)
                if retire is not None:
                    retire(oldest)
            grace = 2 * float(current_app.config["QUERY_TIMEOUT"]) + 5
            timer = threading.Timer(grace, _retire, (extensions, key, token, retire))
            timer.daemon = True
            timer.start()
        return fresh


def _retire(extensions: dict[str, Any], key: str, token: object, retire: Callable[[Any], None] | None) -> None:
    """End the grace of the replaced object ``token`` names, if it is still kept (not taken back, not retired)."""
    with _lock:
        kept: list[tuple[object, Any]] = extensions.get(f"{key}/previous", [])
        entry = next((entry for entry in kept if entry[0] is token), None)
        if entry is None:
            return
        kept.remove(entry)
    if retire is not None:
        retire(entry[1])


def _outlived() -> bool:
    """Whether this request began on a release that is no longer the published one."""
    return has_request_context() and "dkg_release" in g and g.dkg_release != _watch().release()


def query_pool() -> QueryPool:
    """The query pool over this request's release; a new release gets a new pool, and the old one, kept for the
    requests that began before (``per_release``), finishes the queries it is running before its workers stop."""
    selector, graphs = _selector(), _graphs()

    def make() -> QueryPool:
        config = current_app.config
        limits = Limits(config["QUERY_TIMEOUT"], config["MAX_ROWS"], config["MAX_BYTES"])
        confinement = Confinement(config["WORKER_MEMORY"], config["QUERY_QUEUE"], config["SANDBOX"],
                                  recycle=config["WORKER_RECYCLE"], long_after=config["LONG_QUERY_AFTER"])
        pool = QueryPool(selector, size=config["WORKERS"], limits=limits, confinement=confinement,
                         on_restart=worker_restarted, graphs=graphs)
        _pools[id(pool)] = pool
        return pool

    return per_release("dkg_pool", lambda pool: pool.selector == selector and pool.graphs == graphs, make,
                       QueryPool.close)


def _client_gone() -> bool:
    # waitress says whether the request's client has disconnected (with channel_request_lookahead > 0).
    check = request.environ.get("waitress.client_disconnected") if has_request_context() else None
    return bool(check and check())


def run_job(job: QueryJob, limits: Limits | None = None) -> Answer:
    """Run a query on the pool of this request's release. A pool is retired only for a newer release, so a
    request still waiting for one of its workers then has outlived its release (:class:`ReleaseChanged`)."""
    try:
        return query_pool().run(job, limits, _client_gone)
    except PoolRetired:
        raise ReleaseChanged from None


def select_rows(query: str, limits: Limits | None = None) -> list[dict[str, str]]:
    """Run a SELECT on the current pool; its solutions as rows (:func:`graph.query.json_rows`)."""
    answer = run_job(QueryJob(query, solution_format="json"), limits)
    return json_rows(answer.body)
