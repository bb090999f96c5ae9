"""An IRI's description as a document, and where people read about an IRI.

The description is the graph's self-contained CONSTRUCT for the IRI (``graph/describe.py``), run in
the query pool and rendered in an RDF format, or as compact JSON-LD with the graph's ``@context``.
Both the data documents (``resources``) and the HTML pages (``pages``) use it; pages of external terms add
the term's context (``graph.describe.context_query``).
"""

from __future__ import annotations

import json
from urllib.parse import quote, urlencode

import pyoxigraph as ox
from flask import url_for
from rdflib import Graph

from graph.describe import LOCAL_ID, context_query, describe_query
from graph.executor import QueryJob
from graph.formats import rdf_format
from graph.vocab import DKG, ONTOLOGY_IRI, PREFIXES

from .catalog import Catalog, parse_ntriples
from .pool import run_job

TURTLE_PREFIXES = {p: ns for p, ns in PREFIXES.items() if p not in ("sh", "dkgsh", "obo")}


def known_id(ident: str, cat: Catalog) -> bool:
    """Whether ``ident`` is a well-formed local ID the graph mentions."""
    return bool(LOCAL_ID.match(ident)) and ident in cat.local_ids


def describe_triples(iri: str) -> list[ox.Triple]:
    """The self-contained description of ``iri`` (run in the query pool, under its limits)."""
    answer = run_job(QueryJob(describe_query(iri), graph_format="nt"))
    return sorted(parse_ntriples(answer.body), key=str)


def context_triples(iri: str) -> list[ox.Triple]:
    """Where a module term sits and the statements about its parts and subclasses (run in the query pool)."""
    answer = run_job(QueryJob(context_query(iri), graph_format="nt"))
    return sorted(parse_ntriples(answer.body), key=str)


def render(triples: list[ox.Triple], ext: str, cat: Catalog) -> bytes:
    """Serialize a description; JSON-LD is compacted with the graph's @context, referenced by URL."""
    if ext == "jsonld":
        return jsonld_document(triples, cat)
    data = ox.serialize(triples, format=rdf_format(ext), prefixes=TURTLE_PREFIXES if ext == "ttl" else None)
    assert data is not None
    return data


def jsonld_document(triples: list[ox.Triple], cat: Catalog) -> bytes:
    """Compact JSON-LD whose ``@context`` is the graph's context document, by URL."""
    graph = Graph()
    nt = ox.serialize(triples, format=rdf_format("nt"))
    graph.parse(data=nt, format="nt")
    compacted = json.loads(graph.serialize(format="json-ld", context=cat.jsonld_context["@context"], auto_compact=True))
    compacted["@context"] = url_for("resources.jsonld_context", _external=True)
    return (json.dumps(compacted, indent=1, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


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
