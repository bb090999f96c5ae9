"""The SPARQL Service Description (https://www.w3.org/TR/sparql11-service-description/) and the editor page."""

from __future__ import annotations

from flask import Response, render_template, request, url_for
from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SDO, VOID

from graph import formats
from graph.formats import SERVICE_DESCRIPTION, SPARQL_GRAPHS, SPARQL_SOLUTIONS
from graph.results import Caps, serialize_triples
from graph.vocab import GRAPH, PREFIXES, SPARQL_SERVICE

from . import errors
from .catalog import catalog, parse_ntriples
from .examples import published_examples
from .negotiation import negotiate

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")


def service_description() -> Graph:
    """The endpoint described in the Service Description vocabulary; the named graphs that hold the SPARQL
    examples say which example each holds (``void:rootResource``), and each example that it targets the service."""
    graph = Graph()
    graph.bind("sd", SD)
    endpoint = URIRef(url_for("sparql.endpoint", _external=True))
    # The service's canonical IRI (what the examples' schema:target names, as served data keeps canonical IRIs); its
    # endpoint is where this deployment answers.
    service = SPARQL_SERVICE
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, endpoint))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    for key in (*SPARQL_SOLUTIONS.keys, *SPARQL_GRAPHS.keys):
        iri = formats.by_key(key).iri
        assert iri is not None  # every SPARQL result format has a W3C format IRI
        graph.add((service, SD.resultFormat, URIRef(iri)))
    dataset = BNode("dataset")
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    default = BNode("default")
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    graph.add((default, URIRef("http://www.w3.org/2000/01/rdf-schema#comment"),
               Literal("The default graph is the union of the named graphs.")))
    release = catalog().release  # the graphs the store holds, as the build recorded them
    names = release.manifest.get("named_graphs", []) if release is not None else []
    examples = {example.graph: example for example in published_examples()}
    for name in names:
        local = name.removeprefix(str(GRAPH))  # graph/x or graph/query/x: a label of its own for each
        label = f"g-{local.replace('/', '-')}" if local != name else None
        node = BNode(label)
        graph.add((dataset, SD.namedGraph, node))
        graph.add((node, RDF.type, SD.NamedGraph))
        graph.add((node, SD.name, URIRef(name)))
        if (example := examples.get(name)) is not None:
            content = BNode(f"{label}-graph" if label else None)  # its content (sd:graph), said with VoID
            graph.add((node, SD.graph, content))
            graph.add((content, RDF.type, SD.Graph))
            graph.add((content, VOID.rootResource, URIRef(example.iri)))
            graph.add((URIRef(example.iri), SDO.target, service))
            graph.add((URIRef(example.iri), RDFS.label, Literal(example.title, lang="en")))
    return graph


def service_description_response() -> Response:
    """Service Description by content negotiation; the query editor for browsers."""
    # A browser's Accept lists text/html first with q=1; RDF clients rarely list HTML at all.
    key = negotiate(request.headers.get("Accept"), SERVICE_DESCRIPTION)
    if key is None:
        raise errors.not_acceptable(SERVICE_DESCRIPTION.canonical_media_types)
    if key == "html":
        return editor_page()
    # Written by pyoxigraph, which writes every offered format (quad formats put it in the default graph). It says
    # only what the release and the configuration fix, so it is rendered once per release and format.
    documents = catalog().documents
    nt = documents.get(("service-description",),
                       lambda: service_description().serialize(format="nt", encoding="utf-8")).body
    doc = documents.get(("service-description", key),
                        lambda: serialize_triples(parse_ntriples(nt), key, Caps()))
    response = Response(doc.body, 200, content_type=formats.utf8(formats.media_type(key)))
    response.set_etag(doc.etag)
    response.headers["Vary"] = "Accept"
    response.make_conditional(request)
    return response


def editor_page() -> Response:
    """YASGUI, served from our own static files, prefilled with prefixes and the SPARQL examples the store
    publishes (the named queries)."""
    examples = [{"iri": e.iri, "title": e.title, "question": e.question, "query": e.query}
                for e in published_examples()]
    prefixes = {p: ns for p, ns in PREFIXES.items() if p not in ("sh",)}
    html = render_template("editor.html", examples=examples, prefixes=prefixes,
                           endpoint=url_for("sparql.endpoint", _external=True))
    response = Response(html, 200, content_type=formats.utf8(formats.HTML))
    response.headers["Vary"] = "Accept"
    return response
