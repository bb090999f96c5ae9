"""What the server knows about the release it serves: build, local IDs, search index, context.

Read once per release from the catalog the build wrote, and cached; a new release (the ``current``
symlink repointed) is picked up within a quarter second (``graph.release.ReleaseWatch``).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from flask import current_app
from rdflib import Graph
from rdflib.plugins.shared.jsonld.context import Context

from graph.catalog import compute_catalog, search_entries
from graph.executor import Limits, QueryJob
from graph.formats import rdf_format
from graph.release import Release
from graph.search import SearchIndex

from .lru import BytesLRU
from .pool import current_release, per_release, run_job, select_rows


@dataclass(frozen=True)
class Document:
    """A rendered document and its entity tag, computed once with it (hashing a body on every request
    releases the GIL, which concurrent requests then wait to get back)."""

    body: bytes
    etag: str

    @classmethod
    def of(cls, body: bytes) -> Document:
        """``body`` with its tag: the first 32 hex digits of its SHA-256."""
        return cls(body, hashlib.sha256(body).hexdigest()[:32])


class DocumentCache:
    """Rendered documents of one release, bounded in bytes (``DOCUMENT_CACHE_BYTES``), least recently used first out.

    A release never changes once published, so a description rendered once stays right until the
    next release, which comes with a new catalog and an empty cache. Requests that miss the same key
    at once wait for one rendering instead of each running it.
    """

    def __init__(self, capacity: int) -> None:
        self._documents: BytesLRU[tuple[str, ...], Document] = BytesLRU(capacity)
        self._lock = threading.Lock()
        self._producing: dict[tuple[str, ...], threading.Lock] = {}

    def get(self, key: tuple[str, ...], produce: Callable[[], bytes]) -> Document:
        """The cached document for ``key``, producing its body on a miss (kept if it fits the bound)."""
        value = self._documents.get(key)
        if value is not None:
            return value
        with self._lock:
            producing = self._producing.setdefault(key, threading.Lock())
        try:
            with producing:
                value = self._documents.get(key)
                if value is None:
                    value = Document.of(produce())
                    self._documents.put(key, value)
        finally:  # a production that failed (a page past the last, a query over its limits) leaves no lock behind
            with self._lock:
                self._producing.pop(key, None)
        return value

    @property
    def size(self) -> int:
        """Bytes of the documents held."""
        return self._documents.size


@dataclass(frozen=True)
class Catalog:
    """Per-release facts the resource routes need."""

    built_at: datetime  # when the build was written (VoID's dcterms:modified)
    published_at: datetime  # when it was published (HTTP Last-Modified: never earlier than what was served before)
    local_ids: frozenset[str]
    search: SearchIndex
    jsonld_context: dict[str, Any]
    jsonld_compactor: Context  # the context, read: what compacts a description
    release: Release | None
    documents: DocumentCache

    @property
    def build(self) -> str:
        """The release's build id (``remote`` when serving a configured store without a release)."""
        return self.release.build if self.release is not None else "remote"

    @property
    def manifest(self) -> dict[str, Any]:
        """The release's manifest (empty without a release)."""
        return self.release.manifest if self.release is not None else {}

    def rdf_type(self, iri: str) -> str:
        """One rdf:type of ``iri`` (the least; never owl:NamedIndividual), or "" when the catalog knows none."""
        entry = self.search.entry(iri)
        return entry.type if entry is not None else ""

    @property
    def folder(self) -> Path | None:
        """The release's build folder (``None`` when serving a configured store without a release)."""
        return self.release.folder if self.release is not None else None


# Without a release folder (a configured store only), the catalog is computed by queries that read
# whole indexes: they are not held to the limits set for clients' queries.
CATALOG_LIMITS = Limits(timeout=300.0, max_rows=10_000_000, max_bytes=1 << 31)


def _construct(query: str) -> Graph:
    answer = run_job(QueryJob(query, graph_format="nt"), CATALOG_LIMITS)
    return Graph().parse(data=answer.body, format="nt")


def _load(release: Release | None) -> Catalog:
    data = release.catalog if release is not None else None
    if data is None:  # no release, or one built before the build wrote catalogs
        data = compute_catalog(lambda query: select_rows(query, CATALOG_LIMITS), _construct)
    now = datetime.now(UTC).replace(microsecond=0)
    built_at = release.built_at if release is not None else now
    published_at = (release.published_at or built_at) if release is not None else now
    return Catalog(built_at, published_at, frozenset(data["local_ids"]), SearchIndex(search_entries(data)),
                   data["context"], Context(data["context"]["@context"]), release,
                   DocumentCache(current_app.config["DOCUMENT_CACHE_BYTES"]))


def catalog() -> Catalog:
    """The catalog of the release being served."""
    release = current_release()
    return per_release("dkg_catalog", lambda cached: cached.release == release, lambda: _load(release))


def parse_ntriples(data: bytes) -> list[ox.Triple]:
    """N-Triples bytes as pyoxigraph triples."""
    return list(ox.parse(data, format=rdf_format("nt")))
