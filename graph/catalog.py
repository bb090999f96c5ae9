"""A release's catalog: what the server needs at hand for every request, computed once by the build.

It holds the local IDs (which ``/id/`` names exist), the texts of the search index (labels, synonyms,
statements' quotes and titles, with each IRI's type, definition and kind) and the JSON-LD ``@context``. The
build writes it into the release (``catalog.json``, see ``graph.release``), so that a server answers its first
request as fast as its hundredth.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from rdflib import Graph

from .describe import ontology_query
from .jsonld import context
from .search import Entry
from .titles import parts_from_rows, parts_pattern, statement_title
from .vocab import DKG, PREFIXES, compact

Rows = Callable[[str], list[dict[str, str]]]  # SELECT text → rows of bound variable → value
Construct = Callable[[str], Graph]  # CONSTRUCT text → graph

# Each a plain scan of one index: together they take half the time of one query joining them. Local IDs are
# the subjects under the base, filtered here, not in the query: a FILTER on every quad tripled the scan (a blank
# node's label never starts with the base). The default graph is what the store serves as one (the union of
# the named graphs in a release's store; a configured store's own default graph).
SUBJECTS_QUERY = "SELECT DISTINCT ?s WHERE { ?s ?p ?o }"
SEARCH_TEXTS_QUERY = f"PREFIX dkg: <{DKG}>\n" + """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX oboInOwl: <http://www.geneontology.org/formats/oboInOwl#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?s ?text ?kind WHERE {
  { ?s rdfs:label|dcterms:title ?text BIND("label" AS ?kind) }
  UNION { ?s oboInOwl:hasExactSynonym|oboInOwl:hasRelatedSynonym|oboInOwl:hasBroadSynonym|oboInOwl:hasNarrowSynonym
             |skos:altLabel ?text BIND("synonym" AS ?kind) }
  UNION { ?s dkg:quote ?text BIND("quote" AS ?kind) }
  FILTER(isIRI(?s))
}"""
TYPES_QUERY = """SELECT ?s ?t WHERE {
  ?s a ?t FILTER(isIRI(?s) && ?t != <http://www.w3.org/2002/07/owl#NamedIndividual>) }"""
DEFINITIONS_QUERY = "SELECT ?s ?d WHERE { ?s <http://purl.obolibrary.org/obo/IAO_0000115> ?d FILTER(isIRI(?s)) }"
# The curated statements (those with a quote; HPO's annotations are a thousand more, found by their disease) and
# the parts of their titles (graph/titles.py).
TITLES_QUERY = (f"SELECT ?statement ?part ?value ?valueLabel "
                f"WHERE {{ ?statement <{DKG.quote}> ?quote {parts_pattern()} }}")

_KIND_PREFIXES = f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX dkg: <{DKG}>
PREFIX obo: <http://purl.obolibrary.org/obo/>
"""


def _in_namespace(prefix: str) -> str:
    """The classes of an ontology the release holds a module or a merge of (by its IRIs' namespace)."""
    return f'{{ ?s a owl:Class FILTER(STRSTARTS(STR(?s), "{PREFIXES[prefix]}")) }}'


# The kinds of the search facet, each decided by a query over the release; an IRI two of them name is of the
# first. "other": everything else (the ontology's own vocabulary, sources, words of likelihood...).
KIND_QUERIES: dict[str, str] = {
    "statement": "{ ?s a/rdfs:subClassOf* dkg:Statement }",  # a curated statement (its type under dkg:Statement)
    "gene": "{ ?s a dkg:Gene }",
    # Dystonia (HP:0001332) and every class under it, the local dystonia types included (each hangs under HPO).
    "dystonia-type": "{ ?s rdfs:subClassOf* obo:HP_0001332 }",
    "lesion-site": "{ [] dkg:lesionSite ?s }",  # what a statement names as the site of a lesion
    "drug": _in_namespace("CHEBI"),  # the drugs and drug classes statements name, and their ChEBI ancestors
    "disease": "{ ?s a dkg:Disease } UNION " + _in_namespace("MONDO"),  # HPO annotations' diseases; MONDO terms
    # The causes statements name that are none of the above, and the local classes of causes.
    "cause": "{ [] dkg:etiology ?s } UNION { ?s rdfs:subClassOf* dkg:EtiologicFactor }",
    "anatomy": _in_namespace("UBERON"),  # UBERON terms no statement names as a lesion site (their ancestors)
    "phenotype": _in_namespace("HP"),  # the other HPO classes
}
KINDS = (*KIND_QUERIES, "other")


def _kinds(rows: Rows, wanted: set[str]) -> dict[str, str]:
    """IRI → its kind, for the IRIs in ``wanted`` of a kind other than "other"."""
    chosen: dict[str, str] = {}
    for kind, pattern in KIND_QUERIES.items():
        for row in rows(f"{_KIND_PREFIXES}SELECT DISTINCT ?s WHERE {{ {pattern} FILTER(isIRI(?s)) }}"):
            if row["s"] in wanted:
                chosen.setdefault(row["s"], kind)
    return dict(sorted(chosen.items()))


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
    texts += [(s, statement_title(parts.get(s, {}), compact(s)), "title")
              for s in sorted({r["statement"] for r in statements})]
    local_ids = sorted(row["s"][len(base):] for row in rows(SUBJECTS_QUERY) if row["s"].startswith(base))
    searched = {text[0] for text in texts} | {base + ident for ident in local_ids}
    return {
        "local_ids": local_ids,
        "texts": [list(text) for text in texts],
        "types": _first(rows(TYPES_QUERY), "t"),
        "definitions": _first(rows(DEFINITIONS_QUERY), "d"),
        "kinds": _kinds(rows, searched),
        "context": context(construct(ontology_query())),
    }


def search_entries(catalog: dict[str, Any]) -> list[Entry]:
    """The search index's entries of a catalog: its texts, and the local IRIs that have none (found by their ID)."""
    types, definitions, kinds = catalog["types"], catalog["definitions"], catalog.get("kinds", {})

    def entry(iri: str, text: str, field: str) -> Entry:
        # One string per IRI, field, type and kind, however many entries share it (JSON gives each value its own).
        return Entry(sys.intern(iri), text, sys.intern(field), sys.intern(types.get(iri, "")),
                     definitions.get(iri, ""), sys.intern(kinds.get(iri, "other")))

    entries = [entry(iri, text, field) for iri, text, field in catalog["texts"]]
    with_text = {e.iri for e in entries}
    base = str(DKG)
    return entries + [entry(base + ident, "", "id") for ident in catalog["local_ids"] if base + ident not in with_text]
