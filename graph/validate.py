"""SHACL validation (pySHACL) and the QC ``*-violation.rq`` checks.

SHACL: https://www.w3.org/TR/shacl/ . Each result is reported with its focus node, path and
``sh:message`` (https://www.w3.org/TR/shacl/#results-validation-result).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import pyoxigraph as ox
from rdflib import XSD, ConjunctiveGraph, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.paths import Path as RdfPath
from rdflib.term import Node

from .paths import resource_dir
from .query import with_base
from .shape_batching import SH, Batched, batched_shapes, results_for_focus_nodes
from .store import Store
from .vocab import BASE, compact


@dataclass(frozen=True)
class Violation:
    """One SHACL result or one QC row, printable as a report line."""

    check: str
    focus: str
    path: str
    message: str
    severity: str = "Violation"
    value: str = ""

    def __str__(self) -> str:
        where = f" path {self.path}" if self.path else ""
        value = f" (value {self.value})" if self.value else ""
        return f"[{self.check}] {self.severity}: focus {self.focus}{where}{value}: {self.message}"


def shape_files(shapes_dir: Path | None = None) -> list[Path]:
    """The SHACL shape files, one per target class, in a stable order."""
    return sorted((shapes_dir or resource_dir("shapes")).glob("*.ttl"))


def load_shapes(shapes_dir: Path | None = None) -> Graph:
    """All shape files in one graph (see :func:`read_shapes`)."""
    return read_shapes(shape_files(shapes_dir))


def read_shapes(paths: list[Path]) -> Graph:
    """Shape files in one graph, relative IRIs and prefix namespaces resolved against the base IRI.

    A Turtle parser resolves the files' IRIs, but an ``sh:namespace`` is an ``xsd:anyURI`` literal
    (https://www.w3.org/TR/shacl/#sparql-prefixes), which it leaves as written: a relative one
    (``"id/"``) is resolved here, by RFC 3986, so that the shapes' SPARQL sees the same namespace.
    """
    shapes = Graph()
    for path in paths:
        shapes.parse(path, format="turtle", publicID=BASE)
    for declaration, namespace in list(shapes.subject_objects(SH.namespace)):
        resolved = urljoin(BASE, str(namespace))
        if resolved != str(namespace):
            shapes.set((declaration, SH.namespace, Literal(resolved, datatype=XSD.anyURI)))
    return shapes


def _path_text(graph: Graph, node: Node | None) -> str:
    if node is None:
        return ""
    if isinstance(node, URIRef):
        return compact(str(node))
    if isinstance(node, RdfPath):
        return str(node)
    # Complex SHACL paths are blank nodes: an alternative path as SPARQL writes it, the others by their first predicate.
    alternatives = graph.value(node, SH.alternativePath)
    if alternatives is not None:
        return "|".join(compact(str(member)) for member in Collection(graph, alternatives))
    first = graph.value(node, SH.inversePath) or graph.value(node, SH.oneOrMorePath)
    return f"complex path via {compact(str(first))}" if first is not None else "complex path"


def shacl_violations(data: Graph, shapes: Graph, batch: bool = True) -> list[Violation]:
    """Validate ``data`` (ontology plus instances) against ``shapes``; return every result.

    ``batch`` validates the shapes as :mod:`graph.shape_batching` rewrites them (the same results, far sooner);
    without it, pySHACL reads them as written (the reference the tests compare with).
    """
    if isinstance(data, ConjunctiveGraph) or isinstance(shapes, ConjunctiveGraph):  # a Dataset too
        # pySHACL reads a dataset's graphs as their union (it sets default_union on it): so does this, on a copy.
        return shacl_violations(_union(data), _union(shapes), batch)
    # pySHACL binds the prefix sh (or sh1) in the data graph it reads, as written or batched; rdflib's stores cannot
    # unbind a prefix, so that binding stays (the triples, contexts and default_union are left as they were).
    checked, report = _validated(data, shapes, batch)
    # Every result, whatever its severity: with allow_warnings a graph with warnings only "conforms".
    results: set[Violation] = set()
    # Top-level results only: nested sh:detail results of sh:node constraints would repeat them.
    for result in report.objects(None, SH.result):
        focus = report.value(result, SH.focusNode)
        source = report.value(result, SH.sourceShape)
        path, value = report.value(result, SH.resultPath), report.value(result, SH.value)
        focus_nodes = [focus]
        values = checked.values.get(source) if source is not None else None
        if values is not None and focus is not None:  # a value shape: its focus is the value
            source, path, value = values.prop, values.path, focus
            focus_nodes = list(results_for_focus_nodes(data, focus, values))
        message = _message(report.objects(result, SH.resultMessage))
        severity = report.value(result, SH.resultSeverity)
        for node in focus_nodes:
            results.add(
                Violation(
                    check=_shape_name(shapes, source, checked.owners),
                    focus=compact(str(node)),
                    path=_path_text(report, path),
                    message=message,
                    severity=compact(str(severity)).removeprefix("sh:"),
                    value=compact(str(value)) if value is not None and value != node else "",
                )
            )
    return sorted(results, key=_order)


def _union(graph: Graph) -> Graph:
    """``graph``, or the union of a dataset's graphs as one graph."""
    if not isinstance(graph, ConjunctiveGraph):
        return graph
    union = Graph()
    for s, p, o, _ in graph.quads((None, None, None, None)):
        union.add((s, p, o))
    return union


def _validated(data: Graph, shapes: Graph, batch: bool) -> tuple[Batched, Graph]:
    """The shapes validated and pySHACL's report; the shapes as written where the rewrite or pySHACL on it fails (the
    rewrite may read data the shapes as written never reach: then their error, if any, is the one raised)."""
    from pyshacl import validate

    # One graph as data and shapes: pySHACL adds a triple or two to the shapes graph it is given, which as written are
    # then in the data too (found by an independent attempt), so such a graph is validated as written.
    batch = batch and data is not shapes
    try:
        checked = batched_shapes(shapes) if batch else Batched(shapes)
        # Without inference and SHACL rules pySHACL does not change the data graph: it need not copy it first (a copy
        # of the curated graph costs a sixth of the validation).
        _, report, _ = validate(
            data, shacl_graph=checked.shapes, inference="none", advanced=True, allow_warnings=True,
            abort_on_first=False, inplace=(None, SH.rule, None) not in shapes,
        )
    except Exception:
        if not batch:
            raise
        return _validated(data, shapes, batch=False)
    return checked, report


def _order(violation: Violation) -> tuple[str, ...]:
    v = violation
    return (v.focus, v.path, v.check, v.message, v.value, v.severity)


def _message(messages: Iterator[Node]) -> str:
    """One of a result's messages, the same every time: English or untagged first, then in order."""
    def order(message: Node) -> tuple[bool, str, str]:
        language = getattr(message, "language", None) or ""
        return (language.lower() not in ("", "en") and not language.lower().startswith("en-"), language, str(message))

    return str(min(messages, key=order, default="constraint not met"))


def _shape_name(shapes: Graph, source: Node | None, owners: dict[Node, URIRef]) -> str:
    """The shape's IRI, or for an anonymous property shape the node shape that owns it."""
    if isinstance(source, URIRef):
        return compact(str(source))
    owner = owners.get(source) or shapes.value(None, SH.property, source) if source is not None else None
    return compact(str(owner)) if isinstance(owner, URIRef) else "shape"


def qc_query_files(queries_dir: Path | None = None) -> list[Path]:
    """The QC checks: ``*-violation.rq`` files."""
    return sorted((queries_dir or resource_dir("queries")).glob("*-violation.rq"))


def qc_violations(store: Store, queries_dir: Path | None = None) -> list[Violation]:
    """Run every QC query over the union of graphs; each row is a violation.

    A QC query selects ``?focus`` and optionally ``?path`` and ``?message``.
    """
    found: list[Violation] = []
    for path in qc_query_files(queries_dir):
        name = path.name.removesuffix(".rq")
        result = store.query(with_base(path.read_text(encoding="utf-8")))
        if not isinstance(result, ox.QuerySolutions):
            raise ValueError(f"{path}: a QC check must be a SELECT query")
        for row in result:
            def get(var: str, row: object = row) -> str:
                try:
                    term = row[var]  # type: ignore[index]
                except KeyError:
                    return ""
                return compact(term.value) if term is not None else ""

            found.append(Violation(name, get("focus"), get("path"), get("message") or "QC check fired"))
    return found
