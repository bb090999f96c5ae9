"""Counts of a release: triples per named graph, statements by class and by source."""

from __future__ import annotations

from dataclasses import dataclass

from .query import solution_rows
from .store import Store
from .vocab import compact

_BY_CLASS = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {
  GRAPH ?g { ?s a ?class } FILTER(?g != <GRAPH_INFERRED>)
} GROUP BY ?class ORDER BY DESC(?n) ?class
"""
_BY_SOURCE = """
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?source (SAMPLE(?label) AS ?name) (COUNT(DISTINCT ?s) AS ?n) WHERE {
  ?s prov:wasDerivedFrom ?source . OPTIONAL { ?source rdfs:label ?label }
} GROUP BY ?source ORDER BY ?source
"""
_BY_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"


@dataclass(frozen=True)
class Stats:
    """Counts of a release."""

    by_graph: list[tuple[str, int]]
    by_class: list[tuple[str, int]]
    by_source: list[tuple[str, str, int]]

    def render(self) -> str:
        """Human-readable report."""
        lines = ["triples by named graph:"]
        lines += [f"  {n:>7}  {g}" for g, n in self.by_graph]
        lines.append("instances by class (asserted):")
        lines += [f"  {n:>7}  {c}" for c, n in self.by_class]
        lines.append("statements by source document:")
        lines += [f"  {n:>7}  {s}  {label}" for s, label, n in self.by_source]
        return "\n".join(lines) + "\n"


def compute_stats(store: Store, inferred_graph: str) -> Stats:
    """Count triples per graph, asserted instances per class, statements per source."""
    by_graph = [(row["g"], int(row["n"])) for row in solution_rows(store.query(_BY_GRAPH))]
    by_class = [(compact(row["class"]), int(row["n"]))
                for row in solution_rows(store.query(_BY_CLASS.replace("GRAPH_INFERRED", inferred_graph)))]
    by_source = [(compact(row["source"]), row.get("name", ""), int(row["n"]))
                 for row in solution_rows(store.query(_BY_SOURCE))]
    return Stats(by_graph, by_class, by_source)
