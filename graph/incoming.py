"""What points at an entity: the statements that name it, grouped by the property they name it by (its role:
as lesion site, as phenotype, as etiology…), a page at a time, each with its title (``graph/titles.py``).

One query (:func:`incoming_query`) answers both what a page shows and how many there are: one row per role with
its count and its label from the ontology (the property's ``rdfs:label``), and, for the page's statements, one
row per title part. Pages go over (role, statement) pairs ordered by the role's label, then the curated
statements (those with a quote) before HPO's annotations, then the statement's IRI: a statement naming the
entity by two properties is listed under each.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .describe import sparql_iri, statement_node
from .titles import parts_from_rows, parts_pattern, statement_title
from .vocab import compact

PAGE_SIZE = 200  # pairs of (role, statement) a page lists; as many as a description's statements (MAX_NODES)


def incoming_query(iri: str, page: int = 1, size: int = PAGE_SIZE) -> str:
    """SELECT the statements pointing at ``iri`` on page ``page`` (from 1) of ``size``: rows with ``?role``,
    ``?roleLabel`` and ``?count`` (one per role and label), and rows with ``?role``, ``?statement``, ``?key`` (its
    place in the order), ``?g`` (a named graph holding its link) and its title parts
    (``graph.titles.parts_pattern``)."""
    if page < 1 or size < 1:
        raise ValueError(f"page and size count from 1, not {page} and {size}")
    e = sparql_iri(iri)
    # The order is one string per link: sorting a thousand IRIs, or several keys, takes the engine ten times as
    # long (it compares their strings again at each step). Tabs part the fields: they sort below any character
    # of a label or an IRI.
    return f"""
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?role ?roleLabel ?count ?statement ?key ?g ?part ?value ?valueLabel
WHERE {{
  {{ {{ SELECT ?role (COUNT(DISTINCT ?statement) AS ?count)
       WHERE {{ {statement_node("statement")} ?statement ?role {e} }} GROUP BY ?role }}
     OPTIONAL {{ ?role rdfs:label ?roleLabel }} }}
  UNION
  {{ {{ SELECT ?role ?statement ?key WHERE {{
         {{ SELECT ?role (MIN(COALESCE(STR(?label), STR(?role))) AS ?rank)
            WHERE {{ {{ SELECT DISTINCT ?role WHERE {{ {statement_node("statement")} ?statement ?role {e} }} }}
                    OPTIONAL {{ ?role rdfs:label ?label }} }} GROUP BY ?role }}
         {statement_node("statement", kind="kind")} ?statement ?role {e}
         BIND(CONCAT(?rank, "\t", STR(?role), "\t", ?kind, "\t", STR(?statement)) AS ?key)
       }} ORDER BY ?key LIMIT {size} OFFSET {(page - 1) * size} }}
     GRAPH ?g {{ ?statement ?role {e} }}
     {parts_pattern("statement")} }}
}}"""


@dataclass(frozen=True)
class Pointer:
    """A statement pointing at the entity: its IRI, its title, the named graphs holding its link."""

    iri: str
    title: str
    graphs: tuple[str, ...]


@dataclass(frozen=True)
class Role:
    """A property statements name the entity by: its label (its CURIE when the ontology gives none), how many
    statements name the entity by it, and those of them on the page."""

    iri: str
    label: str
    count: int
    statements: tuple[Pointer, ...]


@dataclass(frozen=True)
class Incoming:
    """A page of the statements pointing at an entity, grouped by role (every role, with its count)."""

    roles: tuple[Role, ...]
    page: int
    size: int

    @property
    def total(self) -> int:
        """The (role, statement) pairs over all pages."""
        return sum(role.count for role in self.roles)

    @property
    def pages(self) -> int:
        """How many pages there are (at least one, empty or not)."""
        return max(1, -(-self.total // self.size))


def incoming(rows: Iterable[Mapping[str, str]], page: int = 1, size: int = PAGE_SIZE) -> Incoming:
    """The answer of :func:`incoming_query` (rows of variable → value) as roles with their statements."""
    rows = list(rows)
    labels: dict[str, list[str]] = {}
    counts: dict[str, int] = {}
    listed: dict[str, dict[str, tuple[str, set[str]]]] = {}
    for row in rows:
        if "count" in row:
            counts[row["role"]] = int(row["count"])
            labels.setdefault(row["role"], []).extend([row["roleLabel"]] if "roleLabel" in row else [])
        elif "statement" in row:
            _, graphs = listed.setdefault(row["role"], {}).setdefault(row["statement"], (row["key"], set()))
            graphs.add(row["g"])
    parts = parts_from_rows(rows)
    # Roles in the order the query pages them: by the least label (the IRI when there is none), then the IRI;
    # statements by their key.
    order = sorted(counts, key=lambda role: (min(labels[role], default=role), role))
    return Incoming(tuple(
        Role(role, min(labels[role], default=compact(role)), counts[role],
             tuple(Pointer(s, statement_title(parts.get(s, {}), compact(s)), tuple(sorted(graphs)))
                   for s, (_, graphs) in sorted(listed.get(role, {}).items(), key=lambda item: item[1][0])))
        for role in order), page, size)
