"""The HTTP API as an OpenAPI 3.1 document (``/openapi.json``), and Swagger UI over it (``/api/``).

The document is generated from the facts the routes use, never from a copy of them: the named queries
(``graph/query.py``: title, question, parameters, the IRIs their ``VALUES`` blocks hold, their form), the format
registry (``graph/formats.py``: the media types each route offers, the ``format=`` words it reads), the search API's
bounds (``server/search.py``) and the release (its dumps, its version, and an ID and its label for the examples).
Every required parameter has an example, and each operation answers its examples as the document says
(``tests/test_openapi.py`` sends them). Built once per release.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, render_template, request, url_for

from graph import formats
from graph.catalog import KINDS
from graph.describe import LOCAL_ID
from graph.examples import example_iri
from graph.formats import (
    DEREFERENCE,
    ERROR_MEDIA_TYPES,
    FORM,
    JSON,
    OPENAPI_DOCUMENT,
    RDF_DOCUMENTS,
    SPARQL_GRAPHS,
    SPARQL_QUERY,
    SPARQL_SOLUTIONS,
    VOID,
    Offer,
)
from graph.hpo_import import IMPORT_MODULE_IRI
from graph.query import NamedQuery, named_queries, parameter_defaults, query_form
from graph.vocab import DKG, OBO, compact

from . import errors, search
from .catalog import Catalog, catalog
from .documents import page_href
from .host import public_root
from .negotiation import content_negotiation
from .pages import MAX_PAGE

bp = Blueprint("openapi", __name__)

OPENAPI_VERSION = "3.1.0"
Json = dict[str, Any]


def _ref(kind: str, name: str) -> Json:
    return {"$ref": f"#/components/{kind}/{name}"}


def _error(description: str) -> Json:
    """An error answer: short text, or JSON when the client's Accept prefers it (``server/errors.py``)."""
    schemas = {formats.PLAIN_TEXT: {"type": "string"}, JSON: _ref("schemas", "Error")}
    return {"description": description, "content": {media: {"schema": schemas[media]} for media in ERROR_MEDIA_TYPES}}


COMPONENTS: Json = {
    "schemas": {
        "Error": {"type": "object", "required": ["status", "error", "message"], "properties": {
            "status": {"type": "integer"}, "error": {"type": "string"}, "message": {"type": "string"}}},
        "NamedQuery": {"type": "object", "required": ["name", "title", "question", "parameters", "url", "sparql"],
                       "properties": {
                           "name": {"type": "string"}, "title": {"type": "string"}, "question": {"type": "string"},
                           "parameters": {"type": "object", "additionalProperties": {"type": "string"},
                                          "description": "variable name → what it takes"},
                           "url": {"type": "string", "format": "uri"},
                           "sparql": {"type": "string", "description": "the text, as it runs in any SPARQL client"}}},
        "SearchHit": {"type": "object",
                      "required": ["iri", "curie", "label", "type", "kind", "snippet", "matched", "score", "page"],
                      "properties": {
                          "iri": {"type": "string", "format": "iri"}, "curie": {"type": "string"},
                          "label": {"type": "string"}, "type": {"type": "string"},
                          "kind": {"type": "string", "enum": list(KINDS)}, "snippet": {"type": "string"},
                          "matched": {"type": "string", "description": "which text of the entry matched"},
                          "score": {"type": "number"}, "page": {"type": "string", "format": "uri"}}},
        "SearchResults": {"type": "object", "required": ["query", "type", "total", "counts", "results"], "properties": {
            "query": {"type": "string"},
            "type": {"type": "array", "items": {"type": "string", "enum": list(KINDS)},
                     "description": "the kinds asked for (empty: every kind)"},
            "total": {"type": "integer", "minimum": 0, "description": "how many terms of the kinds type= keeps match"},
            "counts": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0},
                       "description": "how many terms of each kind match, whatever type= keeps (a facet)"},
            "results": {"type": "array", "items": _ref("schemas", "SearchHit")}}},
    },
    "responses": {
        "BadRequest": _error("The request is malformed; the message says what is wrong."),
        "NotFound": _error("No such resource."),
        "NotAcceptable": _error("None of the offered media types is acceptable; the message lists them."),
        "Unavailable": _error("A limit was reached (deadline, rows, bytes, a busy queue) or no release is served; the "
                              "message names it."),
    },
}
TAGS = [
    {"name": "SPARQL", "description": "The SPARQL 1.1 Protocol endpoint (read-only)."},
    {"name": "Named queries", "description": "The competency questions of queries/, run by name (as grlc does); "
                                             "each is also published as a SPARQL example (sh:SPARQLExecutable)."},
    {"name": "Search", "description": "Label and synonym search."},
    {"name": "Linked data", "description": "Dereferenceable IRIs, their documents and pages, the dataset's "
                                           "description and dumps."},
]


def _content(offer: Offer) -> Json:
    """The media types a route answers in: each offered format's canonical type (the Content-Type it is sent as)."""
    return {media: {} for media in offer.canonical_media_types}


def _format_parameter(offer: Offer) -> Json:
    return {"name": "format", "in": "query", "required": False,
            "description": "Overrides the Accept header: a format key, another word for one, or a media type.",
            "schema": {"type": "string", "enum": [*offer.words, *dict.fromkeys(offer.media_types)]}}


def _id_parameter(example: str) -> Json:
    return {"name": "id", "in": "path", "required": True, "description": "A local ID (the IRI's part after id/).",
            "schema": {"type": "string", "pattern": LOCAL_ID.pattern}, "example": example}


def _operation_id(*words: str) -> str:
    """camelCase of the words, split at hyphens and dots too (code generators name methods from it)."""
    parts = [p for word in words for p in word.replace(".", "-").split("-") if p]
    return parts[0].lower() + "".join(p[:1].upper() + p[1:] for p in parts[1:])


def _failures(*statuses: str) -> Json:
    names = {"400": "BadRequest", "404": "NotFound", "406": "NotAcceptable", "503": "Unavailable"}
    return {status: _ref("responses", names[status]) for status in statuses}


def _sparql(example: str) -> Json:
    both = {**_content(SPARQL_SOLUTIONS), **_content(SPARQL_GRAPHS)}
    answer = {"description": "The answer: SELECT and ASK as SPARQL results, CONSTRUCT and DESCRIBE as RDF.",
              "content": both}
    responses = {"200": answer, **_failures("400", "406", "503"),
                 "403": _error("An update: the endpoint is read-only.")}
    graphs = {"type": "array", "items": {"type": "string", "format": "iri"}}
    return {
        "get": {"operationId": "sparqlQuery", "tags": ["SPARQL"], "summary": "Run a SPARQL query",
                "description": "Without a query, the endpoint answers its Service Description (or, for a browser, "
                               "the query editor).",
                "parameters": [
                    {"name": "query", "in": "query", "required": True, "schema": {"type": "string"},
                     "example": example},
                    {"name": "default-graph-uri", "in": "query", "schema": graphs, "style": "form", "explode": True},
                    {"name": "named-graph-uri", "in": "query", "schema": graphs, "style": "form", "explode": True},
                    _format_parameter(Offer(SPARQL_SOLUTIONS.entries + SPARQL_GRAPHS.entries))],
                "responses": responses},
        "post": {"operationId": "sparqlQueryPost", "tags": ["SPARQL"], "summary": "Run a SPARQL query sent by POST",
                 "requestBody": {"required": True, "content": {
                     FORM: {"schema": {"type": "object", "required": ["query"], "properties": {
                         "query": {"type": "string"}, "default-graph-uri": graphs, "named-graph-uri": graphs}},
                         "example": {"query": example}},
                     SPARQL_QUERY: {"schema": {"type": "string"}, "example": example}}},
                 "responses": responses},
    }


def _named_query(query: NamedQuery) -> Json:
    """``/queries/<name>``: its parameters (the IRIs of its ``VALUES`` blocks as examples), its formats by its form."""
    form = query_form(query)
    offer = SPARQL_GRAPHS if form in ("construct", "describe") else SPARQL_SOLUTIONS
    defaults = parameter_defaults(query)
    parameters = []
    for variable, description in query.parameters.items():
        parameter: Json = {
            "name": variable, "in": "query", "required": False, "style": "form", "explode": True,
            "description": f"{description}. IRIs or CURIEs of the project's prefixes (repeat the parameter for "
                           f"several); they replace the query's VALUES ?{variable} block, which the example holds.",
            "schema": {"type": "array", "minItems": 1, "items": {"type": "string"}}}
        if defaults[variable]:
            parameter["example"] = [compact(iri) for iri in defaults[variable]]
        parameters.append(parameter)
    return {"get": {
        "operationId": _operation_id("query", query.name), "tags": ["Named queries"], "summary": query.title,
        "description": f"{query.question}\n\n```sparql\n{query.text.rstrip()}\n```",
        "externalDocs": {"description": "This query as a SPARQL example (sh:SPARQLExecutable)",
                         "url": public_root() + page_href(str(example_iri(query.name)))},
        "parameters": [*parameters, _format_parameter(offer)],
        "responses": {"200": {"description": f"The {form.upper()} query's answer.", "content": _content(offer)},
                      **_failures("400", "406", "503")}}}


def _search(example: str) -> Json:
    return {"get": {
        "operationId": "search", "tags": ["Search"], "summary": "Search labels and synonyms",
        "description": "Prefix and typo-tolerant matches, best first.",
        "parameters": [
            {"name": "q", "in": "query", "required": True, "description": "The search text.", "example": example,
             "schema": {"type": "string", "minLength": 1, "maxLength": search.MAX_QUERY_LENGTH}},
            {"name": "limit", "in": "query", "required": False,
             "description": f"How many hits at most (a value outside 1–{search.MAX_LIMIT} is brought within).",
             "schema": {"type": "integer", "minimum": 1, "maximum": search.MAX_LIMIT,
                        "default": search.DEFAULT_LIMIT}},
            {"name": "type", "in": "query", "required": False, "style": "form", "explode": True,
             "description": "Only hits of these kinds (repeat the parameter, or separate kinds by commas); an "
                            "unknown kind is a 400 naming the kinds there are.",
             "schema": {"type": "array", "items": {"type": "string", "enum": list(KINDS)}}}],
        "responses": {"200": {"description": "The hits.",
                              "content": {JSON: {"schema": _ref("schemas", "SearchResults")}}},
                      **_failures("400", "503")}}}


def _linked_data(cat: Catalog, example_id: str | None) -> Json:
    """``/id/{id}``, ``/data/{id}.<ext>`` (one path per format) and ``/page/{id}`` (when the graph has an ID to give
    as their example), ``/void`` and the dumps."""
    paths: Json = {}
    if example_id is not None:
        paths.update(_entity_paths(example_id))
    paths["/void"] = {"get": {
        "operationId": "void", "tags": ["Linked data"], "summary": "The dataset's VoID and DCAT description",
        "parameters": [_format_parameter(VOID)],
        "responses": {"200": {"description": "VoID and DCAT.", "content": _content(VOID)},
                      **_failures("400", "406")}}}
    for key in cat.release.dumps if cat.release is not None else []:
        paths[f"/dumps/dystonia-kg.{key}"] = {"get": {
            "operationId": _operation_id("dump", key), "tags": ["Linked data"],
            "summary": f"The whole release ({key})",
            "responses": {"200": {"description": "The dump.", "content": {formats.media_type(key): {}}}}}}
    return paths


def _entity_paths(example_id: str) -> Json:
    paths: Json = {"/id/{id}": {"get": {
        "operationId": "dereference", "tags": ["Linked data"], "summary": "An entity's IRI",
        "description": "303 to the document the client prefers by Accept (or format=): RDF or the HTML page.",
        "parameters": [_id_parameter(example_id), _format_parameter(DEREFERENCE)],
        "responses": {"303": {"description": "See the document.", "headers": {
            "Location": {"description": "The document.", "schema": {"type": "string"}}}},
            **_failures("400", "404", "406")}}}}
    for key in RDF_DOCUMENTS.keys:
        paths[f"/data/{{id}}.{key}"] = {"get": {
            "operationId": _operation_id("data", key), "tags": ["Linked data"],
            "summary": f"An entity's description ({key})",
            "parameters": [_id_parameter(example_id)],
            "responses": {"200": {"description": "The self-contained description.",
                                  "content": {formats.media_type(key): {}}}, **_failures("404")}}}
    paths["/page/{id}"] = {"get": {
        "operationId": "page", "tags": ["Linked data"], "summary": "An entity's page",
        "parameters": [_id_parameter(example_id), _page_parameter()],
        "responses": {"200": {"description": "HTML.", "content": {formats.HTML: {}}}, **_failures("400", "404")}}}
    return paths


def _page_parameter() -> Json:
    return {"name": "page", "in": "query", "required": False,
            "description": "Which page of the statements pointing at the entity (200 a page).",
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}}


def _other_paths(example_iri: str | None) -> Json:
    """The ontology's IRIs and documents, the JSON-LD context, the VoID pointer and ``/describe`` (an IRI of another
    authority that the graph uses: its page or RDF)."""
    see_other = {"303": {"description": "See the document the client prefers (by Accept).", "headers": {
        "Location": {"description": "The document.", "schema": {"type": "string"}}}}}
    paths: Json = {
        "/ontology": {"get": {"operationId": "ontology", "tags": ["Linked data"], "summary": "The ontology's IRI",
                              "responses": {**see_other, **_failures("406")}}},
        "/ontology.html": {"get": {"operationId": "ontologyPage", "tags": ["Linked data"],
                                   "summary": "The ontology documented as HTML",
                                   "responses": {"200": {"description": "HTML.", "content": {formats.HTML: {}}}}}},
        "/context.jsonld": {"get": {"operationId": "jsonldContext", "tags": ["Linked data"],
                                    "summary": "The JSON-LD @context every JSON-LD document uses",
                                    "responses": {"200": {"description": "JSON-LD.",
                                                          "content": {formats.media_type("jsonld"): {}}}}}},
        "/.well-known/void": {"get": {"operationId": "wellKnownVoid", "tags": ["Linked data"],
                                      "summary": "Where the dataset's VoID description is",
                                      "responses": {"303": {"description": "See /void."}}}},
    }
    paths[f"/{IMPORT_MODULE_IRI}"] = {"get": {  # relative to the base, as the route reads it
        "operationId": "ontologyImport", "tags": ["Linked data"],
        "summary": "The IRI of the ontology's HPO import module",
        "responses": {**see_other, **_failures("406")}}}
    for key in RDF_DOCUMENTS.keys:
        paths[f"/ontology/doc.{key}"] = {"get": {
            "operationId": _operation_id("ontology", "doc", key), "tags": ["Linked data"],
            "summary": f"The ontology ({key})",
            "responses": {"200": {"description": "The ontology.", "content": {formats.media_type(key): {}}},
                          **_failures("503")}}}
    uri: Json = {"name": "uri", "in": "query", "required": True,
                 "description": "An absolute http(s) IRI the graph uses.",
                 "schema": {"type": "string", "format": "iri", "maxLength": 2000}}
    if example_iri is not None:
        uri["example"] = example_iri
    paths["/describe"] = {"get": {
        "operationId": "describe", "tags": ["Linked data"],
        "summary": "What the graph says about an IRI of another authority (HPO, UBERON, MONDO, genes, drugs)",
        "parameters": [uri, _format_parameter(DEREFERENCE), _page_parameter()],
        "responses": {"200": {"description": "Its page, or its description in RDF.", "content": _content(DEREFERENCE)},
                      **_failures("400", "404", "406", "503")}}}
    return paths


def _licence(cat: Catalog) -> Json:
    """The data's licence, from the release's manifest (none when it records none)."""
    licence = (cat.release.dataset if cat.release is not None else {}).get("licence")
    return {"license": {"name": f"{licence} (the data)", "url": licence}} if licence else {}


def openapi_document(cat: Catalog) -> Json:
    """The OpenAPI 3.1 document of the server serving the release of ``cat``."""
    queries = named_queries()
    # The examples: an ID the graph has, and its label as a search text (any text of the index, failing that).
    example_id = min(cat.local_ids, default=None)
    entries = cat.search.entries
    iri = str(DKG[example_id]) if example_id is not None else None
    search_text = next((e.text for e in entries if e.iri == iri and e.kind == "label"),
                       entries[0].text if entries else "dystonia")
    paths: Json = {"/sparql": _sparql(queries[0].text if queries else "ASK {}")}
    paths["/queries/"] = {"get": {
        "operationId": "listNamedQueries", "tags": ["Named queries"], "summary": "The named queries",
        "responses": {"200": {"description": "Name, title, question, parameters, URL and text of each.",
                              "content": {JSON: {"schema": {"type": "array",
                                                            "items": _ref("schemas", "NamedQuery")}}}}}}}
    for query in queries:
        paths[f"/queries/{query.name}"] = _named_query(query)
    paths["/api/search"] = _search(search_text)
    paths.update(_linked_data(cat, example_id))
    paths.update(_other_paths(min((e.iri for e in entries if e.iri.startswith(str(OBO))), default=None)))
    paths["/openapi.json"] = {"get": {
        "operationId": "openapi", "summary": "This document",
        "responses": {"200": {"description": "OpenAPI 3.1.",
                              "content": {media: {"schema": {"type": "object"}} for media in OPENAPI_DOCUMENT}},
                      **_failures("406")}}}
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": "dystonia-kg", "version": cat.manifest.get("version", "unversioned"),
                 "summary": "A knowledge graph of dystonia: SPARQL, named queries, search and linked data.",
                 **_licence(cat)},
        "servers": [{"url": public_root()}],
        "tags": TAGS,
        "paths": paths,
        "components": COMPONENTS,
    }


@bp.route("/openapi.json", methods=["GET", "HEAD"])
def document() -> Response:
    """The OpenAPI document: ``application/json``, or ``application/vnd.oai.openapi+json`` when asked for."""
    media = content_negotiation(request.headers.get("Accept"), list(OPENAPI_DOCUMENT))
    if media is None:
        raise errors.not_acceptable(list(OPENAPI_DOCUMENT))
    cat = catalog()
    body = cat.documents.get(("openapi",), lambda: (json.dumps(openapi_document(cat), indent=1) + "\n").encode())
    response = Response(body.body, 200, content_type=media)
    response.set_etag(body.etag)
    response.headers["Vary"] = "Accept"
    response.make_conditional(request)
    return response


@bp.route("/api/")
def swagger_ui() -> Response:
    """Swagger UI over the OpenAPI document (from npm, served locally like YASGUI)."""
    html = render_template("api.html", spec=url_for("openapi.document"))
    return Response(html, 200, content_type=formats.utf8(formats.HTML))
