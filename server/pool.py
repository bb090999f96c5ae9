"""The app's query pool, started on first use (after gunicorn has forked) and stopped at exit."""

from __future__ import annotations

import atexit
import threading

from flask import current_app

from graph.executor import Limits, QueryPool

_lock = threading.Lock()


def query_pool() -> QueryPool:
    """The query pool of the current app."""
    app = current_app
    pool = app.extensions.get("dkg_pool")
    if pool is None:
        with _lock:
            pool = app.extensions.get("dkg_pool")
            if pool is None:
                config = app.config
                limits = Limits(config["QUERY_TIMEOUT"], config["MAX_ROWS"], config["MAX_BYTES"])
                pool = QueryPool(config["STORE"], size=config["WORKERS"], limits=limits)
                app.extensions["dkg_pool"] = pool
                atexit.register(pool.close)
    assert isinstance(pool, QueryPool)
    return pool
