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
from graph.vocab import DKG

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


def _load(folder: Path | None) -> Catalog:
    manifest: dict[str, Any] = {}
    built_at = datetime.now(UTC).replace(microsecond=0)
    if folder is not None and (folder / "manifest.json").is_file():
        manifest = json.loads((folder / "manifest.json").read_text())
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
