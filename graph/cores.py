"""The cores a long-running query may use, so that the others stay free for the server and quick queries.

On a small machine, queries that run until their deadline on every core slow everything else, however low
their priority: on this project's two-core virtual machine, two processes that only burn CPU at the kernel's
lowest priority (``SCHED_IDLE``) doubled a steady client's p99 (``bench/faults.py``, its control row), while one
burning core left it within 1.3×. So a query that has run past ``Confinement.long_after`` is moved, with every
thread of its worker, to the upper half of the cores (``long_query_cores``), and back when it has answered.
Short queries, which are most of a heavy class's work, keep every core.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable

log = logging.getLogger(__name__)


def usable_cores() -> frozenset[int]:
    """The cores this process may run on (its affinity, which a container's cpuset narrows)."""
    return frozenset(os.sched_getaffinity(0))


def long_query_cores(usable: Iterable[int]) -> frozenset[int] | None:
    """The cores long queries are kept to: the upper half of ``usable``, at least one; None with a single core,
    where there is none to keep free."""
    cores = sorted(usable)
    if len(cores) < 2:
        return None
    return frozenset(cores[len(cores) - max(1, len(cores) // 2):])


def pin(pid: int, cores: frozenset[int]) -> bool:
    """Put every thread of process ``pid`` on ``cores``; False if the process is gone or the kernel refused.
    Threads, since affinity is per thread and the engine may run on any of its worker's threads."""
    try:
        threads = [int(tid) for tid in os.listdir(f"/proc/{pid}/task")]
    except OSError:  # gone (killed at its deadline meanwhile), or no /proc
        threads = [pid]
    done = False
    for tid in threads:
        try:
            os.sched_setaffinity(tid, cores)
            done = True
        except OSError as exc:  # a thread that ended meanwhile; EPERM in a sandbox that forbids it
            log.debug("affinity of thread %d of %d not set: %s", tid, pid, exc)
    return done
