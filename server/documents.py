"""An IRI's description as a document, and where people read about an IRI.

The description is the graph's self-contained description of the IRI (``graph/describe.py``), run in
the query pool as quads (each triple with its named graph) and rendered in an RDF format as triples, or as
compact JSON-LD with the graph's ``@context``. Both the data documents (``resources``) and the HTML pages
(``pages``) use it; pages of external terms add the term's context (``graph.describe.context_query``), and
every page what points at its entity (``graph.incoming``).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlencode

import pyoxigraph as ox
from flask import url_for
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from graph.describe import (
    DESCRIPTION,
    LOCAL_ID,
    Template,
    context_query,
    context_template,
    describe_query,
    template_quads,
)
from graph.executor import QueryJob
from graph.formats import rdf_format, results_format
from graph.incoming import Incoming, incoming, incoming_query
from graph.jsonld import compact
from graph.vocab import DKG, ONTOLOGY_IRI, PREFIXES

from .catalog import Catalog
from .pool import run_job, select_rows

TURTLE_PREFIXES = {p: ns for p, ns in PREFIXES.items() if p not in ("sh", "dkgsh", "obo")}
XSD_STRING = ox.NamedNode("http://www.w3.org/2001/XMLSchema#string")


def known_id(ident: str, cat: Catalog) -> bool:
    """Whether ``ident`` is a well-formed local ID the graph mentions."""
    return bool(LOCAL_ID.match(ident)) and ident in cat.local_ids


def _quads(query: str, template: Template) -> list[ox.Quad]:
    answer = run_job(QueryJob(query, solution_format="json"))
    solutions = ox.parse_query_results(answer.body, format=results_format("json"))
    assert isinstance(solutions, ox.QuerySolutions)  # the queries are SELECTs
    return template_quads(solutions, template)


def describe_quads(iri: str) -> list[ox.Quad]:
    """The self-contained description of ``iri``, each triple in each named graph that holds it (run in the
    query pool, under its limits)."""
    return _quads(describe_query(iri), DESCRIPTION)


def triples(quads: list[ox.Quad]) -> list[ox.Triple]:
    """The triples of ``quads``, each once, sorted."""
    return sorted({q.triple for q in quads}, key=str)


def describe_triples(iri: str) -> list[ox.Triple]:
    """The self-contained description of ``iri``, as the data documents give it."""
    return triples(describe_quads(iri))


def context_quads(iri: str) -> list[ox.Quad]:
    """Where a module term sits and the statements about its parts and subclasses (run in the query pool)."""
    return _quads(context_query(iri), context_template(iri))


def incoming_links(iri: str, page: int) -> Incoming:
    """Page ``page`` of the statements pointing at ``iri``, grouped by role (run in the query pool)."""
    return incoming(select_rows(incoming_query(iri, page)), page)


def render(triples: list[ox.Triple], ext: str, cat: Catalog) -> bytes:
    """Serialize a description; JSON-LD is compacted with the graph's @context, referenced by URL."""
    if ext == "jsonld":
        return jsonld_document(triples, cat)
    data = ox.serialize(triples, format=rdf_format(ext), prefixes=TURTLE_PREFIXES if ext == "ttl" else None)
    assert data is not None
    return data


def jsonld_object(triples: list[ox.Triple], cat: Catalog) -> dict[str, Any]:
    """Compact JSON-LD of ``triples`` whose ``@context`` is the graph's context document, by URL."""
    graph = Graph()
    for triple in triples:
        graph.add((rdflib_term(triple.subject), rdflib_term(triple.predicate), rdflib_term(triple.object)))
    # The release's context, read once (reading it again for each document was a third of a page's time).
    return {"@context": url_for("resources.jsonld_context", _external=True), **compact(graph, cat.jsonld_compactor)}


def jsonld_document(triples: list[ox.Triple], cat: Catalog) -> bytes:
    """:func:`jsonld_object` as a document: indented, keys sorted, UTF-8."""
    return (json.dumps(jsonld_object(triples, cat), indent=1, ensure_ascii=False, sort_keys=True) + "\n").encode()


def rdflib_term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Node:
    """A pyoxigraph term as rdflib reads it from N-Triples (a plain string has no datatype)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=None if term.datatype == XSD_STRING else URIRef(term.datatype.value))
    raise TypeError(f"a description holds no triple terms: {term}")


def home_resolver(iri: str) -> str:
    """Where an external IRI is documented by its own authority."""
    if iri.startswith("http://purl.obolibrary.org/obo/"):
        curie = iri.rsplit("/", 1)[-1].replace("_", ":", 1)
        return f"https://www.ebi.ac.uk/ols4/search?q={quote(curie)}"
    return iri


def page_href(iri: str) -> str:
    """Where a person reads about ``iri`` on this server."""
    if iri.startswith(str(DKG)):
        return f"/page/{iri[len(str(DKG)):]}"
    if iri in (str(ONTOLOGY_IRI),) or iri.startswith(str(ONTOLOGY_IRI) + "/"):
        return "/ontology.html"
    return "/describe?" + urlencode({"uri": iri, "format": "html"})
