"""SHACL validation (pySHACL) and the QC ``*-violation.rq`` checks.

SHACL: https://www.w3.org/TR/shacl/ . Each result is reported with its focus node, path and
``sh:message`` (https://www.w3.org/TR/shacl/#results-validation-result).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import pyoxigraph as ox
from rdflib import XSD, Graph, Literal, Namespace, URIRef
from rdflib.paths import Path as RdfPath
from rdflib.term import Node

from .paths import resource_dir
from .query import with_base
from .store import Store
from .vocab import BASE, compact

SH = Namespace("http://www.w3.org/ns/shacl#")


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
    # Complex SHACL paths (sequence, inverse, ...) are blank nodes: show their first predicate.
    first = graph.value(node, SH.inversePath) or graph.value(node, SH.oneOrMorePath)
    return f"complex path via {compact(str(first))}" if first is not None else "complex path"


def shacl_violations(data: Graph, shapes: Graph) -> list[Violation]:
    """Validate ``data`` (ontology plus instances) against ``shapes``; return every result."""
    from pyshacl import validate

    conforms, report, _ = validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True, abort_on_first=False
    )
    if conforms:
        return []
    results: set[Violation] = set()
    # Top-level results only: nested sh:detail results of sh:node constraints would repeat them.
    for result in report.objects(None, SH.result):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        value = report.value(result, SH.value)
        severity = report.value(result, SH.resultSeverity)
        results.add(
            Violation(
                check=_shape_name(shapes, report.value(result, SH.sourceShape)),
                focus=compact(str(focus)),
                path=_path_text(report, path),
                message=str(message) if message is not None else "constraint not met",
                severity=compact(str(severity)).removeprefix("sh:"),
                value=compact(str(value)) if value is not None and value != focus else "",
            )
        )
    return sorted(results, key=lambda v: (v.focus, v.path, v.check, v.message))


def _shape_name(shapes: Graph, source: Node | None) -> str:
    """The shape's IRI, or for an anonymous property shape the node shape that owns it."""
    if isinstance(source, URIRef):
        return compact(str(source))
    owner = shapes.value(None, SH.property, source) if source is not None else None
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
