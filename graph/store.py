"""The store seam: the only module that names a storage backend.

Callers get a :class:`Store` from :func:`open_store` with a selector string, as in oaklib:

- ``oxigraph:PATH``  the on-disk store of a release, opened read-only (the default backend);
- ``memory:``        an empty in-memory store, filled with :meth:`EmbeddedStore.load`;
- ``sparql:URL``     any remote SPARQL 1.1 endpoint (Oxigraph server, Virtuoso, QLever, Fuseki...),
                     read over the SPARQL 1.1 Protocol.

Results are pyoxigraph's types (``QuerySolutions``, ``QueryBoolean``, and triples) whatever the
backend, so callers serialize and iterate them one way. Whatever else a remote engine holds (Virtuoso's
own system graphs), a query that names no dataset sees the release's graphs only: their union as its
default graph, and them as its named graphs (see :class:`RemoteStore`).
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from .formats import FORM, bare, media_type, rdf_format
from .query_shape import QuerySyntaxError, shape_of
from .remote_answers import read_solutions, read_triples

# Virtuoso answers with one X-SPARQL-default-graph and one X-SPARQL-named-graph header per graph of the dataset
# the seam sends (a release has about fifty: the named queries' example graphs among them), past http.client's
# limit of 100 headers, which then refuses the whole answer.
http.client._MAXHEADERS = max(http.client._MAXHEADERS, 1000)  # type: ignore[attr-defined]

QueryResult = ox.QuerySolutions | ox.QueryTriples | ox.QueryBoolean | Iterator[ox.Triple]


class Store(Protocol):
    """What the rest of the project may ask of a store."""

    def query(
        self,
        sparql: str,
        *,
        union_default_graph: bool = True,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        """Run a SPARQL 1.1 query; without dataset arguments the default graph is the union of all graphs."""
        ...

    def __len__(self) -> int:
        """Number of quads."""
        ...


class EmbeddedStore:
    """pyoxigraph, in memory or on disk."""

    def __init__(self, store: ox.Store) -> None:
        self._store = store

    def query(
        self,
        sparql: str,
        *,
        union_default_graph: bool = True,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        """Run a SPARQL 1.1 query (see :class:`Store`)."""
        if default_graphs is not None or named_graphs is not None:
            return self._store.query(
                sparql,
                base_iri=base_iri,
                default_graph=[ox.NamedNode(g) for g in default_graphs or []] or None,
                named_graphs=[ox.NamedNode(g) for g in named_graphs] if named_graphs is not None else None,
            )
        return self._store.query(sparql, base_iri=base_iri, use_default_graph_as_union=union_default_graph)

    def load(self, data: bytes, fmt: str, graph: str | None = None, base_iri: str | None = None) -> None:
        """Add RDF in the format of key ``fmt`` (``graph/formats.py``; into ``graph`` for triple formats), its
        relative IRIs resolved against ``base_iri``."""
        to_graph = ox.NamedNode(graph) if graph else None
        self._store.bulk_load(data, format=rdf_format(fmt), to_graph=to_graph, base_iri=base_iri)

    def dump(self, fmt: str, graph: str | None = None) -> bytes:
        """Serialize the whole dataset (quad formats) or one graph, the default graph unless named."""
        chosen = rdf_format(fmt)
        if chosen.supports_datasets and graph is None:
            return _bytes(self._store.dump(format=chosen))
        source = ox.NamedNode(graph) if graph else ox.DefaultGraph()
        return _bytes(self._store.dump(format=chosen, from_graph=source))

    def named_graphs(self) -> list[str]:
        """IRIs of the named graphs, sorted."""
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def __len__(self) -> int:
        return len(self._store)


class BackendUnavailable(OSError):
    """The remote SPARQL engine cannot be reached or failed (a 5xx from it)."""


class RemoteStore:
    """A remote SPARQL 1.1 endpoint, queried with POST form requests.

    SELECT/ASK answers are asked for as SPARQL JSON, CONSTRUCT/DESCRIBE as N-Triples, and read into
    pyoxigraph's types (``graph/remote_answers.py``, which makes the engines' ways of writing the same
    answer the same). With ``graphs`` (the release's named graphs), a query that names no dataset is sent
    with them as its dataset (``default-graph-uri`` and ``named-graph-uri``, SPARQL 1.1 Protocol), so its
    default graph is their union and nothing else the engine holds is seen, on any engine. Without
    ``graphs``, the default graph is whatever the engine makes it.
    """

    def __init__(self, endpoint: str, timeout: float = 60.0, graphs: Sequence[str] | None = None) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self.graphs = tuple(graphs) if graphs is not None else None

    def query(
        self,
        sparql: str,
        *,
        union_default_graph: bool = True,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        """Run a SPARQL 1.1 query remotely (see :class:`Store`)."""
        try:
            shape = shape_of(sparql)
            form, names_dataset, declares_base = shape.form, shape.names_dataset, shape.declares_base
        except QuerySyntaxError:
            form, names_dataset, declares_base = None, False, False  # the engine words the error
        # The service's base goes before a query without its own (Virtuoso refuses a second BASE declaration).
        if base_iri and not declares_base:
            sparql = f"BASE <{base_iri}>\n{sparql}"
        if (self.graphs is not None and union_default_graph and not names_dataset
                and default_graphs is None and named_graphs is None):
            default_graphs = named_graphs = self.graphs
        fields = [("query", sparql)]
        fields += [("default-graph-uri", g) for g in default_graphs or []]
        fields += [("named-graph-uri", g) for g in named_graphs or []]
        request = urllib.request.Request(
            self.endpoint, data=urllib.parse.urlencode(fields).encode(), method="POST",
            headers={"Accept": _ACCEPT.get(form, _ACCEPT[None]), "Content-Type": FORM},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                media = response.headers.get_content_type()
                body = response.read()
        except urllib.error.HTTPError as exc:
            message = exc.read().decode("utf-8", "replace").strip()
            if exc.code == 400:
                raise SyntaxError(f"remote endpoint: {message}") from None
            raise BackendUnavailable(f"remote endpoint answered {exc.code}: {message[:300]}") from None
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            raise BackendUnavailable(f"remote endpoint {self.endpoint} unreachable: {exc}") from None
        if bare(media) == media_type("nt"):
            return iter(read_triples(body))
        return read_solutions(body, ask=form == "ask")

    def __len__(self) -> int:
        result = self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert isinstance(result, ox.QuerySolutions)
        return int(next(iter(result))["n"].value)


# What a remote engine is asked to answer in, by query form: a graph answer only as N-Triples (asked for
# SPARQL JSON too, Virtuoso writes a CONSTRUCT's triples as a table of ?s ?p ?o); unknown form: either.
_SOLUTIONS, _TRIPLES = media_type("json"), media_type("nt")
_ACCEPT: dict[str | None, str] = {"select": _SOLUTIONS, "ask": _SOLUTIONS, "construct": _TRIPLES,
                                  "describe": _TRIPLES, None: f"{_SOLUTIONS}, {_TRIPLES};q=0.9"}


def _bytes(data: bytes | None) -> bytes:
    """pyoxigraph's serializers return ``None`` only when given an output; we never give one."""
    assert data is not None
    return data


def open_store(selector: str) -> EmbeddedStore:
    """Open an embedded store from a selector string (see the module docstring)."""
    store = open_backend(selector)
    if not isinstance(store, EmbeddedStore):
        raise ValueError(f"{selector!r} is not an embedded store")
    return store


def open_backend(selector: str, graphs: Sequence[str] | None = None) -> EmbeddedStore | RemoteStore:
    """Open any backend from a selector string: ``oxigraph:PATH``, ``memory:`` or ``sparql:URL``; ``graphs``
    (the release's named graphs) keep a remote backend's dataset to them (see :class:`RemoteStore`). An
    embedded store holds a release's graphs and nothing else, so it needs none."""
    kind, _, arg = selector.partition(":")
    if kind == "sparql":
        return RemoteStore(arg, graphs=graphs)
    if kind == "oxigraph":
        if not Path(arg).is_dir():
            raise FileNotFoundError(f"no store at {arg}: run `dystonia-kg build` first")
        return EmbeddedStore(ox.Store.read_only(arg))
    if kind == "memory":
        return EmbeddedStore(ox.Store())
    raise ValueError(f"unknown store selector {selector!r} (expected oxigraph:PATH, memory: or sparql:URL)")


def create_disk_store(path: Path, nquads: bytes) -> int:
    """Write a new on-disk store at ``path`` holding ``nquads``; returns its quad count."""
    store = ox.Store(str(path))
    store.bulk_load(nquads, format=rdf_format("nq"))
    store.flush()
    store.optimize()
    count = len(store)
    del store
    return count


def graphs_store(chunks: Iterable[tuple[str, bytes]]) -> EmbeddedStore:
    """An in-memory store holding each chunk (a graph IRI and N-Triples bytes) in its named graph."""
    store = open_store("memory:")
    for graph, data in chunks:
        store.load(data, "nt", graph=graph)  # the engine puts each triple in its graph: no Python object per quad
    return store


def canonical_nquads(store: EmbeddedStore) -> bytes:
    """The store's quads with canonical blank node labels (RDFC-1.0), as sorted N-Quads lines: equal data gives
    byte-identical output."""
    dataset = ox.Dataset(store._store)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    # Sorting UTF-8 bytes gives code point order: the same lines, in the same order, as sorting the text.
    return b"".join(sorted(_bytes(ox.serialize(dataset, format=rdf_format("nq"))).splitlines(keepends=True)))


def reserialize(data: bytes, source: str, target: str) -> bytes:
    """RDF in format ``source`` written in format ``target``, streamed in the input's order (no store)."""
    return _bytes(ox.serialize(ox.parse(data, format=rdf_format(source)), format=rdf_format(target)))
