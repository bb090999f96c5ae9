"""HTTP caching of SPARQL answers: a release never changes, so a GET query's answer is fixed by the release, the
request and the format chosen for it.

A GET (or HEAD) answer carries a strong ``ETag`` derived from those (``answer_tag``) and ``Cache-Control`` with a
configurable max-age (``SPARQL_MAX_AGE``); a request whose ``If-None-Match`` holds the tag gets a 304 before any
query runs. Recent answers are kept in a cache bounded in bytes (``ANSWER_CACHE_BYTES``), one per release: a new
release starts an empty one and the old one is dropped with it. POST is never cached (RFC 9110 §9.3.3: its
answers are not reusable by default), and neither is an answer from an explicitly configured store
(``DKG_STORE``, e.g. a remote engine): what it holds is not pinned by the release.
"""

from __future__ import annotations

import hashlib

from graph.executor import Answer, QueryJob

from .lru import BytesLRU


def answer_tag(build: str, job: QueryJob) -> str:
    """The strong entity tag of ``job``'s answer in the release ``build`` (its formats included, both of them:
    which one applies depends on the query's form, known only once a worker has parsed it)."""
    return hashlib.sha256(f"{build}\n".encode() + job.digest()).hexdigest()[:32]


class AnswerCache(BytesLRU[str, Answer]):
    """Answers of one release by tag, never holding more than ``capacity`` bytes of bodies."""

    def __init__(self, build: str, capacity: int) -> None:
        super().__init__(capacity)
        self.build = build
