"""Bounds on the work the server process does itself, under its one interpreter lock.

Search, the rendering of ``/describe`` documents and of entity pages run in the server's process (not in a
query worker): each kind may run a few at a time, and a few more requests may wait for a turn; a request beyond
that is told at once to retry (503 with ``Retry-After``) instead of slowing every other route or holding one of
the server's threads.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec

from flask import Response

from . import errors
from .metrics import busy

P = ParamSpec("P")


class Slots:
    """``running`` turns at once for work of one kind, and ``waiting`` more requests queued for a turn, each for
    at most ``wait`` seconds."""

    def __init__(self, what: str, running: int, waiting: int = 0, wait: float = 0.0) -> None:
        self.what, self.wait = what, wait
        self._admitted = threading.BoundedSemaphore(running + waiting)
        self._running = threading.BoundedSemaphore(running)

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Run the block in a turn: 503 at once when every turn and place in the queue is taken, or when no turn
        comes within ``wait`` seconds."""
        if not self._admitted.acquire(blocking=False):
            self._refuse("at once")
        try:
            if not self._running.acquire(timeout=self.wait):
                self._refuse("in the queue")
            try:
                yield
            finally:
                self._running.release()
        finally:
            self._admitted.release()

    def _refuse(self, where: str) -> None:
        busy(self.what)
        raise errors.unavailable(f"too many {self.what} requests {where}; try again shortly", retry_after=1)


def at_most(slots: int, what: str) -> Callable[[Callable[P, Response]], Callable[P, Response]]:
    """A route decorator: at most ``slots`` requests of this kind at once, others get 503."""
    bound = Slots(what, slots)

    def decorate(route: Callable[P, Response]) -> Callable[P, Response]:
        @functools.wraps(route)
        def bounded(*args: P.args, **kwargs: P.kwargs) -> Response:
            with bound.turn():
                return route(*args, **kwargs)

        return bounded

    return decorate
