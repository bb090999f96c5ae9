"""Bounds on the work the server process does itself, under its one interpreter lock.

Search and the rendering of ``/describe`` documents run in the server's process (not in a query
worker): each kind may run a few at a time; a request beyond that is told at once to retry
(503 with ``Retry-After``) instead of slowing every other route.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import ParamSpec

from flask import Response

from . import errors
from .metrics import busy

P = ParamSpec("P")


def at_most(slots: int, what: str) -> Callable[[Callable[P, Response]], Callable[P, Response]]:
    """A route decorator: at most ``slots`` requests of this kind at once, others get 503."""
    semaphore = threading.BoundedSemaphore(slots)

    def decorate(route: Callable[P, Response]) -> Callable[P, Response]:
        @functools.wraps(route)
        def bounded(*args: P.args, **kwargs: P.kwargs) -> Response:
            if not semaphore.acquire(blocking=False):
                busy(what)
                raise errors.unavailable(f"too many {what} requests at once; try again shortly", retry_after=1)
            try:
                return route(*args, **kwargs)
            finally:
                semaphore.release()

        return bounded

    return decorate
