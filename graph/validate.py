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


CORE_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


def targeted_property_shapes(shapes: Graph) -> tuple[Graph, dict[Node, URIRef]]:
    """``shapes`` with the property shapes of each targeted node shape given that shape's targets instead, and the
    node shape each such property shape belonged to.

    pySHACL validates a property shape reached through ``sh:property`` once per focus node, and each of those calls
    costs far more than the checks it runs (about 40 calls per statement: most of the time SHACL took); a property
    shape with targets of its own is validated once, for all its focus nodes together. The results are the same
    (https://www.w3.org/TR/shacl/#property-shapes: a property shape validates each focus node alike, however the
    node became its focus), each from the same property shape, so reported as before under its node shape's name.
    Left as they are: node shapes that are closed (``sh:closed`` reads the paths of their property shapes) or
    deactivated, that another shape refers to (``sh:node``, ``sh:or`` ...: validated there, without targets) or that
    have a SPARQL-based target (pySHACL finds no focus node with one on a property shape; a test caught it),
    and property shapes that two node shapes share or that ``sh:qualifiedValueShapesDisjoint`` ties to their siblings.
    """
    batched = Graph()
    batched += shapes
    owners: dict[Node, URIRef] = {}
    for node in set(shapes.subjects(SH.property, None)):
        targets = [(p, o) for p in CORE_TARGETS for o in shapes.objects(node, p)]
        kept = any((node, p, None) in shapes for p in (SH.target, SH.closed, SH.deactivated))
        if not targets or not isinstance(node, URIRef) or kept or (None, None, node) in shapes:
            continue
        for prop in set(shapes.objects(node, SH.property)):
            if (len(set(shapes.subjects(SH.property, prop))) > 1 or (prop, SH.qualifiedValueShapesDisjoint, None) in
                    shapes or any((prop, p, None) in shapes for p in (*CORE_TARGETS, SH.target))):
                continue
            batched.remove((node, SH.property, prop))
            for predicate, target in targets:
                batched.add((prop, predicate, target))
            owners[prop] = node
    return batched, owners


def shacl_violations(data: Graph, shapes: Graph, batch: bool = True) -> list[Violation]:
    """Validate ``data`` (ontology plus instances) against ``shapes``; return every result.

    ``batch`` validates the shapes as :func:`targeted_property_shapes` gives them (the same results, far sooner);
    without it, pySHACL reads them as written (the reference the tests compare with).
    """
    from pyshacl import validate

    checked, owners = targeted_property_shapes(shapes) if batch else (shapes, {})
    conforms, report, _ = validate(
        data, shacl_graph=checked, inference="none", advanced=True, allow_warnings=True, abort_on_first=False
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
                check=_shape_name(shapes, report.value(result, SH.sourceShape), owners),
                focus=compact(str(focus)),
                path=_path_text(report, path),
                message=str(message) if message is not None else "constraint not met",
                severity=compact(str(severity)).removeprefix("sh:"),
                value=compact(str(value)) if value is not None and value != focus else "",
            )
        )
    return sorted(results, key=lambda v: (v.focus, v.path, v.check, v.message, v.value, v.severity))


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
