"""What the server knows about the release it serves: build, local IDs, search index, context.

Read once per release and cached; a new release (the ``current`` symlink repointed) is picked up
on the next request.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph

from graph.describe import LOCAL_IDS_QUERY, SEARCH_ROWS_QUERY, ontology_query
from graph.executor import Limits, QueryJob
from graph.jsonld import context
from graph.search import Entry, SearchIndex
from graph.vocab import BASE, DKG

from .pool import per_release, release_folder, run_job


class DocumentCache:
    """Rendered documents of one release, least recently used first out.

    A release never changes once published, so a description rendered once stays right until the
    next release, which comes with a new catalog and an empty cache.
    """

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, ...], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, ...], produce: Callable[[], bytes]) -> bytes:
        """The cached document for ``key``, producing it on a miss."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = produce()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value


@dataclass(frozen=True)
class Catalog:
    """Per-release facts the resource routes need."""

    build: str
    built_at: datetime
    manifest: dict[str, Any]
    local_ids: frozenset[str]
    search: SearchIndex
    jsonld_context: dict[str, Any]
    folder: Path | None
    documents: DocumentCache = field(default_factory=DocumentCache)


# The catalog's own queries read whole indexes once per release: they are not held to the limits
# set for clients' queries.
CATALOG_LIMITS = Limits(timeout=300.0, max_rows=10_000_000, max_bytes=1 << 31)


def _construct(query: str) -> Graph:
    answer = run_job(QueryJob(query, graph_format="nt"), CATALOG_LIMITS)
    return Graph().parse(data=answer.body, format="nt")


def _select(query: str) -> list[dict[str, str]]:
    answer = run_job(QueryJob(query, solution_format="json"), CATALOG_LIMITS)
    bindings = json.loads(answer.body)["results"]["bindings"]
    return [{k: v["value"] for k, v in row.items()} for row in bindings]


class ReleaseBaseMismatch(RuntimeError):
    """The release was built under another base IRI than the one this server is configured with."""


def release_manifest(folder: Path | None) -> dict[str, Any]:
    """The release's ``manifest.json`` (empty for a remote store), refused when its base IRI is not the server's.

    A release's IRIs are minted under the base it was built with; served under another, every IRI the
    server writes about itself, and every ``/id/`` it answers for, would name things the data does not hold.
    """
    if folder is None or not (folder / "manifest.json").is_file():
        return {}
    manifest: dict[str, Any] = json.loads((folder / "manifest.json").read_text())
    built = manifest.get("base")
    if built is not None and built != BASE:
        raise ReleaseBaseMismatch(
            f"the release {folder} was built under the base IRI {built} but this server is configured with "
            f"{BASE} (DKG_BASE): serve it with DKG_BASE={built} (`dystonia-kg serve` does), or rebuild it "
            f"with `dystonia-kg build --base {BASE}`")
    return manifest


def _load(folder: Path | None) -> Catalog:
    manifest = release_manifest(folder)
    built_at = datetime.now(UTC).replace(microsecond=0)
    if folder is not None and manifest:
        built_at = datetime.fromtimestamp((folder / "manifest.json").stat().st_mtime, UTC).replace(microsecond=0)
    ids = frozenset(row["s"][len(str(DKG)):] for row in _select(LOCAL_IDS_QUERY))
    entries = [Entry(r["s"], r["text"], r["kind"], r.get("type", ""), r.get("definition", ""))
               for r in _select(SEARCH_ROWS_QUERY)]
    return Catalog(manifest.get("build", "remote"), built_at, manifest, ids, SearchIndex(entries),
                   context(_construct(ontology_query())), folder)


def catalog() -> Catalog:
    """The catalog of the release being served."""
    folder = release_folder()
    return per_release("dkg_catalog", lambda cached: cached.folder == folder, lambda _: _load(folder))


def parse_ntriples(data: bytes) -> list[ox.Triple]:
    """N-Triples bytes as pyoxigraph triples."""
    return list(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
