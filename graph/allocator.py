"""glibc allocator settings for the server's processes, which glibc reads when a process starts.

``MALLOC_ARENA_MAX`` 2: the request threads share two arenas; by default each may get one of its own (up to eight
per core), each keeping the high-water mark of what its thread allocated. Measured (eight clients asking three
times each for a 48 MB CSV answer): the server process held 390 MB once the answers were sent without it, 129 MB
with it (start: 91 MB). Fixing ``MALLOC_MMAP_THRESHOLD_`` at 128 KiB as well gave 91 MB, but cost the competency
queries 19 % of their throughput at 8 clients (a mapping and its page faults for every large allocation), so it
is not set.

A setting already in the environment is kept (an operator's choice wins).
"""

from __future__ import annotations

from collections.abc import Mapping

ALLOCATOR_ENV = {"MALLOC_ARENA_MAX": "2"}


def with_allocator_settings(environ: Mapping[str, str]) -> dict[str, str]:
    """``environ`` plus the settings of :data:`ALLOCATOR_ENV` it does not set itself."""
    return {**ALLOCATOR_ENV, **environ}


def missing_allocator_settings(environ: Mapping[str, str]) -> list[str]:
    """The names of :data:`ALLOCATOR_ENV` that ``environ`` does not set."""
    return [name for name in ALLOCATOR_ENV if name not in environ]
