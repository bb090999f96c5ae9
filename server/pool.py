"""The app's query pool: started on first use (after gunicorn has forked), replaced when a new
release is published, stopped at exit."""

from __future__ import annotations

import atexit
import threading
from pathlib import Path

from flask import current_app

from graph.executor import Answer, Limits, PoolRetired, QueryJob, QueryPool

_lock = threading.Lock()


def release_folder() -> Path | None:
    """The published release's own folder (``current`` resolved), when there is one."""
    link = Path(current_app.config["RELEASE_DIR"]) / "current"
    return link.resolve() if link.exists() else None


def _selector() -> str:
    """The store to open: the published release's own folder (not the symlink), or the configured one."""
    folder = release_folder() if current_app.config.get("STORE_FROM_RELEASE", True) else None
    return f"oxigraph:{folder / 'store'}" if folder is not None else str(current_app.config["STORE"])


def query_pool() -> QueryPool:
    """The query pool over the release being served; a new release gets a new pool, and the old
    one finishes the queries it is running before its workers stop."""
    app = current_app
    selector = _selector()
    pool: QueryPool | None = app.extensions.get("dkg_pool")
    if pool is None or pool.selector != selector:
        with _lock:
            pool = app.extensions.get("dkg_pool")
            if pool is None or pool.selector != selector:
                config = app.config
                limits = Limits(config["QUERY_TIMEOUT"], config["MAX_ROWS"], config["MAX_BYTES"])
                old, pool = pool, QueryPool(selector, size=config["WORKERS"], limits=limits)
                app.extensions["dkg_pool"] = pool
                atexit.register(pool.close)
                if old is not None:
                    old.close()
    return pool


def run_job(job: QueryJob, limits: Limits | None = None) -> Answer:
    """Run a query on the current pool; if that pool is retired meanwhile, run it on its successor."""
    try:
        return query_pool().run(job, limits)
    except PoolRetired:
        return query_pool().run(job, limits)
