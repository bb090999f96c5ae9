"""A release's catalog: what the server needs at hand for every request, computed once by the build.

It holds the local IDs (which ``/id/`` names exist), the texts of the search index (labels and
synonyms, with each IRI's type and definition; the curated statements' titles) and the JSON-LD
``@context``. The build writes it into the release (``catalog.json``, see ``graph.release``), so that a
server answers its first request as fast as its hundredth.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rdflib import Graph

from .describe import ontology_query
from .jsonld import context
from .search import Entry
from .titles import parts_from_rows, parts_pattern, statement_title
from .vocab import DKG, compact

Rows = Callable[[str], list[dict[str, str]]]  # SELECT text → rows of bound variable → value
Construct = Callable[[str], Graph]  # CONSTRUCT text → graph

# Each a plain scan of one index: together they take half the time of one query joining them. Local IDs are
# the subjects under the base, filtered here, not in the query: a FILTER on every quad tripled the scan (a blank
# node's label never starts with the base). The default graph is what the store serves as one (the union of
# the named graphs in a release's store; a configured store's own default graph).
SUBJECTS_QUERY = "SELECT DISTINCT ?s WHERE { ?s ?p ?o }"
SEARCH_TEXTS_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX oboInOwl: <http://www.geneontology.org/formats/oboInOwl#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?s ?text ?kind WHERE {
  { ?s rdfs:label ?text BIND("label" AS ?kind) }
  UNION { ?s oboInOwl:hasExactSynonym|oboInOwl:hasRelatedSynonym|skos:altLabel ?text BIND("synonym" AS ?kind) }
  FILTER(isIRI(?s))
}"""
TYPES_QUERY = """SELECT ?s ?t WHERE {
  ?s a ?t FILTER(isIRI(?s) && ?t != <http://www.w3.org/2002/07/owl#NamedIndividual>) }"""
DEFINITIONS_QUERY = "SELECT ?s ?d WHERE { ?s <http://purl.obolibrary.org/obo/IAO_0000115> ?d FILTER(isIRI(?s)) }"
# The curated statements (those with a quote; HPO's annotations are a thousand more, found by their disease) and
# the parts of their titles.
TITLES_QUERY = (f"SELECT ?statement ?part ?value ?valueLabel "
                f"WHERE {{ ?statement <{DKG.quote}> ?quote {parts_pattern()} }}")


def _first(rows: list[dict[str, str]], value: str) -> dict[str, str]:
    """IRI → its least ``value`` (so that an IRI with several gets the same one in every build)."""
    chosen: dict[str, str] = {}
    for row in rows:
        if row["s"] not in chosen or row[value] < chosen[row["s"]]:
            chosen[row["s"]] = row[value]
    return dict(sorted(chosen.items()))


def compute_catalog(rows: Rows, construct: Construct) -> dict[str, Any]:
    """The catalog of the store that ``rows`` and ``construct`` query, as JSON-ready data."""
    base = str(DKG)
    texts = sorted({(r["s"], r["text"], r["kind"]) for r in rows(SEARCH_TEXTS_QUERY)})
    statements = rows(TITLES_QUERY)
    parts = parts_from_rows(statements)
    titles = {s: statement_title(parts.get(s, {}), compact(s)) for s in sorted({r["statement"] for r in statements})}
    return {
        "local_ids": sorted(row["s"][len(base):] for row in rows(SUBJECTS_QUERY) if row["s"].startswith(base)),
        "texts": [list(text) for text in texts],
        "types": _first(rows(TYPES_QUERY), "t"),
        "definitions": _first(rows(DEFINITIONS_QUERY), "d"),
        "titles": titles,
        "context": context(construct(ontology_query())),
    }


def search_entries(catalog: dict[str, Any]) -> list[Entry]:
    """The search index's entries of a catalog: labels, synonyms and statement titles (a catalog written before
    titles were has none)."""
    types, definitions = catalog["types"], catalog["definitions"]
    return [Entry(iri, text, kind, types.get(iri, ""), definitions.get(iri, ""))
            for iri, text, kind in catalog["texts"]] + \
           [Entry(iri, title, "title", types.get(iri, ""), "") for iri, title in catalog.get("titles", {}).items()]
