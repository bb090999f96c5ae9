"""The SPARQL Service Description (https://www.w3.org/TR/sparql11-service-description/) and the editor page."""

from __future__ import annotations

from flask import Response, render_template, request, url_for
from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef

from graph.query import named_queries
from graph.results import GRAPH_TYPES, SOLUTION_TYPES
from graph.vocab import CURATED_GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH, PREFIXES

from . import errors
from .negotiation import content_negotiation

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
FORMAT_IRIS = {
    "json": "SPARQL_Results_JSON", "xml": "SPARQL_Results_XML", "csv": "SPARQL_Results_CSV",
    "tsv": "SPARQL_Results_TSV", "ttl": "Turtle", "nt": "N-Triples", "jsonld": "JSON-LD",
    "rdf": "RDF_XML", "nq": "N-Quads", "trig": "TriG",
}
RDFLIB_FORMATS = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld",
                  "application/rdf+xml": "xml", "application/n-quads": "nquads", "application/trig": "trig"}


def service_description() -> Graph:
    """The endpoint described in the Service Description vocabulary."""
    graph = Graph()
    graph.bind("sd", SD)
    endpoint = URIRef(url_for("sparql.endpoint", _external=True))
    service = endpoint
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, endpoint))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    for key in list(SOLUTION_TYPES) + list(GRAPH_TYPES):
        graph.add((service, SD.resultFormat, FORMATS[FORMAT_IRIS[key]]))
    dataset = BNode("dataset")
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    default = BNode("default")
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    graph.add((default, URIRef("http://www.w3.org/2000/01/rdf-schema#comment"),
               Literal("The default graph is the union of the named graphs.")))
    for name in (ONTOLOGY_GRAPH, CURATED_GRAPH, INFERRED_GRAPH):
        node = BNode(f"g-{name.rsplit('/', 1)[-1]}")
        graph.add((dataset, SD.namedGraph, node))
        graph.add((node, RDF.type, SD.NamedGraph))
        graph.add((node, SD.name, URIRef(name)))
    return graph


def service_description_response() -> Response:
    """Service Description by content negotiation; the query editor for browsers."""
    offered = [*RDFLIB_FORMATS, "text/html"]
    # A browser's Accept lists text/html first with q=1; RDF clients rarely list HTML at all.
    chosen = content_negotiation(request.headers.get("Accept"), offered)
    if chosen is None:
        return errors.not_acceptable(offered)
    if chosen == "text/html":
        return editor_page()
    body = service_description().serialize(format=RDFLIB_FORMATS[chosen], encoding="utf-8")
    response = Response(body, 200, content_type=f"{chosen}; charset=utf-8")
    response.headers["Vary"] = "Accept"
    return response


def editor_page() -> Response:
    """YASGUI, served from our own static files, prefilled with prefixes and the named queries."""
    examples = [
        {"name": q.name, "title": q.title, "question": q.question, "query": q.text} for q in named_queries()
    ]
    prefixes = {p: ns for p, ns in PREFIXES.items() if p not in ("sh",)}
    html = render_template("editor.html", examples=examples, prefixes=prefixes,
                           endpoint=url_for("sparql.endpoint", _external=True))
    response = Response(html, 200, content_type="text/html; charset=utf-8")
    response.headers["Vary"] = "Accept"
    return response
