"""Dereferenceable IRIs (W3C "Cool URIs for the Semantic Web", 303 recipe).

``/id/{ID}`` → 303 to ``/data/{ID}.{ext}`` or ``/page/{ID}`` by content negotiation; the data and
page documents carry ETag, Last-Modified and Link alternates. The ontology IRI and its version
IRI, ``/describe?uri=`` for external IRIs, the VoID/DCAT description, the JSON-LD context, the
dumps, robots.txt and the sitemap live here too.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from urllib.parse import quote, urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, request, send_file, url_for
from rdflib import Graph

from graph.describe import LOCAL_ID, describe_query, exists_query, ontology_query
from graph.executor import QueryJob
from graph.hpo import IMPORT_MODULE_IRI
from graph.vocab import DKG, PREFIXES

from . import errors
from .busy import at_most
from .catalog import Catalog, catalog, parse_ntriples
from .negotiation import content_negotiation
from .pool import run_job

bp = Blueprint("resources", __name__)

# Extension → media type, in the order negotiation prefers them (ties go to RDF, Turtle first).
RDF_TYPES = {
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "rdf": "application/rdf+xml",
    "nt": "application/n-triples",
}
OFFERED = [*RDF_TYPES.values(), "text/plain", "text/html"]
MEDIA_TO_EXT = {**{v: k for k, v in RDF_TYPES.items()}, "text/plain": "nt", "text/html": "html"}
FORMAT_PARAM = {**{k: k for k in RDF_TYPES}, "html": "html", "turtle": "ttl", "json-ld": "jsonld",
                "ntriples": "nt", "rdfxml": "rdf"}
OX_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "rdf": ox.RdfFormat.RDF_XML, "nt": ox.RdfFormat.N_TRIPLES}
TURTLE_PREFIXES = {p: ns for p, ns in PREFIXES.items() if p not in ("sh", "dkgsh", "obo")}


def requested_ext() -> str | Response:
    """The extension (``ttl``, ``jsonld``, ``rdf``, ``nt`` or ``html``) the request asks for:
    ``?format=`` when given (400 when unknown), else the Accept header (406 when nothing fits)."""
    fmt = request.args.get("format")
    if fmt is not None:
        ext = FORMAT_PARAM.get(fmt.lower())
        if ext is None:
            return errors.bad_request(f"unknown format {fmt!r}; use one of {', '.join(sorted(set(FORMAT_PARAM)))}")
        return ext
    chosen = content_negotiation(request.headers.get("Accept"), OFFERED)
    return errors.not_acceptable(OFFERED) if chosen is None else MEDIA_TO_EXT[chosen]


def negotiate_target(kind_url: str, page_url: str) -> Response:
    """303 to the representation the client prefers; ``?format=`` overrides Accept (then no Vary)."""
    ext = requested_ext()
    if isinstance(ext, Response):
        return ext
    target = page_url if ext == "html" else f"{kind_url}.{ext}"
    return errors.see_other(target, vary_accept="format" not in request.args)


def split_name(name: str) -> tuple[str, str | None]:
    """``S0001.ttl`` → (``S0001``, ``ttl``); a name without a dot has no extension."""
    stem, dot, ext = name.rpartition(".")
    return (stem, ext) if dot else (name, None)


def known_id(ident: str, cat: Catalog) -> bool:
    """Whether ``ident`` is a well-formed local ID the graph mentions."""
    return bool(LOCAL_ID.match(ident)) and ident in cat.local_ids


@bp.route("/id/<path:name>", methods=["GET", "HEAD"])
def entity(name: str) -> Response:
    """The entity IRI: never a document itself, always a 303 to one."""
    ident, ext = split_name(name)
    if not known_id(ident, catalog()):
        return errors.not_found(f"no entity {ident[:80]!r} in this graph")
    if ext is not None:
        if ext != "html" and ext not in RDF_TYPES:
            return errors.not_found(f"unknown extension {ext[:20]!r}; use one of {', '.join(RDF_TYPES)}, html")
        return errors.see_other(url_for("pages.page", ident=ident) if ext == "html" else f"/data/{ident}.{ext}")
    return negotiate_target(f"/data/{ident}", url_for("pages.page", ident=ident))


def describe_triples(iri: str) -> list[ox.Triple]:
    """The self-contained description of ``iri`` (run in the query pool, under its limits)."""
    answer = run_job(QueryJob(describe_query(iri), graph_format="nt"))
    return sorted(parse_ntriples(answer.body), key=str)


def render(triples: list[ox.Triple], ext: str, cat: Catalog) -> bytes:
    """Serialize a description; JSON-LD is compacted with the graph's @context, referenced by URL."""
    if ext == "jsonld":
        return jsonld_document(triples, cat)
    data = ox.serialize(triples, format=OX_FORMATS[ext], prefixes=TURTLE_PREFIXES if ext == "ttl" else None)
    assert data is not None
    return data


def jsonld_document(triples: list[ox.Triple], cat: Catalog) -> bytes:
    """Compact JSON-LD whose ``@context`` is the graph's context document, by URL."""
    graph = Graph()
    nt = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    graph.parse(data=nt, format="nt")
    compacted = json.loads(graph.serialize(format="json-ld", context=cat.jsonld_context["@context"], auto_compact=True))
    compacted["@context"] = url_for("resources.jsonld_context", _external=True)
    return (json.dumps(compacted, indent=1, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


def document(body: bytes, media_type: str, cat: Catalog, alternates: dict[str, str]) -> Response:
    """A data document with validators (ETag, Last-Modified), 304 handling and Link alternates."""
    response = Response(body, 200, content_type=f"{media_type}; charset=utf-8")
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    response.last_modified = cat.built_at
    others = {media: url for media, url in alternates.items() if media != media_type}
    if media_type == "application/ld+json":
        # pyld's document loader breaks on more than one rel="alternate" in a JSON-LD response.
        others = {media: url for media, url in others.items() if media == "text/html"} or dict(list(others.items())[:1])
    response.headers["Link"] = ", ".join(f'<{url}>; rel="alternate"; type="{media}"' for media, url in others.items())
    response.headers["Cache-Control"] = "public, max-age=300"
    response.make_conditional(request)
    return response


def alternates_for(stem_url: str, page_url: str) -> dict[str, str]:
    """Absolute URLs of every representation."""
    root = request.host_url.rstrip("/")
    return {**{media: f"{root}{stem_url}.{ext}" for ext, media in RDF_TYPES.items()}, "text/html": root + page_url}


@bp.route("/data/<path:name>", methods=["GET", "HEAD"])
def data(name: str) -> Response:
    """An entity's description in one RDF format."""
    ident, ext = split_name(name)
    cat = catalog()
    if ext is None or ext not in RDF_TYPES:
        return errors.not_found(f"no document {name[:80]!r}; use /data/<ID>.{{{','.join(RDF_TYPES)}}}")
    if not known_id(ident, cat):
        return errors.not_found(f"no entity {ident[:80]!r} in this graph")
    body = cat.documents.get(("data", ident, ext), lambda: render(describe_triples(str(DKG[ident])), ext, cat))
    page = url_for("pages.page", ident=ident)
    return document(body, RDF_TYPES[ext], cat, alternates_for(f"/data/{ident}", page))


@bp.route("/ontology", methods=["GET", "HEAD"])
@bp.route("/ontology/<version>", methods=["GET", "HEAD"])
def ontology(version: str | None = None) -> Response:
    """The ontology IRI and its version IRI: 303 to the ontology document or its HTML documentation."""
    name, ext = split_name(version) if version else ("", None)
    if version is not None and ext in RDF_TYPES:
        return _ontology_document(ext)
    if version is not None and name != catalog().manifest.get("version", name):
        return errors.not_found(f"no ontology version {name[:40]!r}")
    return negotiate_target("/ontology/doc", url_for("pages.ontology_page"))


@bp.route("/ontology/imports/<name>", methods=["GET", "HEAD"])
def ontology_import(name: str) -> Response:
    """The IRI of the ontology's HPO import module, whose header the ontology document holds: 303 to it."""
    if f"ontology/imports/{name}" != str(IMPORT_MODULE_IRI):  # the module IRI, relative to the base IRI
        return errors.not_found(f"no ontology import module {name[:40]!r}")
    return negotiate_target("/ontology/doc", url_for("pages.ontology_page"))


@bp.route("/ontology/doc.<ext>", methods=["GET", "HEAD"])
def ontology_document(ext: str) -> Response:
    """The ontology in one RDF format."""
    return _ontology_document(ext)


def _ontology_document(ext: str) -> Response:
    if ext not in RDF_TYPES:
        return errors.not_found(f"unknown extension {ext[:20]!r}")
    cat = catalog()
    answer = run_job(QueryJob(ontology_query(), graph_format="nt"))
    body = render(sorted(parse_ntriples(answer.body), key=str), ext, cat)
    return document(body, RDF_TYPES[ext], cat, alternates_for("/ontology/doc", url_for("pages.ontology_page")))


def home_resolver(iri: str) -> str:
    """Where an external IRI is documented by its own authority."""
    if iri.startswith("http://purl.obolibrary.org/obo/"):
        curie = iri.rsplit("/", 1)[-1].replace("_", ":", 1)
        return f"https://www.ebi.ac.uk/ols4/search?q={quote(curie)}"
    return iri


@bp.route("/describe", methods=["GET", "HEAD"])
@at_most(2, "describe")
def describe_external() -> Response:
    """What this graph says about any IRI it uses (HPO, UBERON, MONDO, genes, ChEBI...)."""
    uri = request.args.get("uri", "")
    if not uri or len(uri) > 2000 or not uri.startswith(("http://", "https://")):
        return errors.bad_request("give an absolute http(s) IRI: /describe?uri=…")
    try:
        ox.NamedNode(uri)  # the IRI grammar (RFC 3987), as the engine reads it
    except ValueError:
        return errors.bad_request(f"the uri parameter is not a valid IRI: {uri[:200]!r}")
    if uri.startswith(str(DKG)) and known_id(uri[len(str(DKG)):], catalog()):
        return errors.see_other(f"/id/{uri[len(str(DKG)):]}")
    exists = run_job(QueryJob(exists_query(uri), solution_format="json"))
    if not json.loads(exists.body)["boolean"]:
        return errors.not_found(f"this graph says nothing about {uri[:200]}")
    ext = requested_ext()
    if isinstance(ext, Response):
        return ext
    if ext == "html":
        from .pages import render_entity

        return render_entity(uri, external=True)
    cat = catalog()
    body = render(describe_triples(uri), ext, cat)
    query_url = "/describe?" + urlencode({"uri": uri})
    root = request.host_url.rstrip("/")
    alternates = {media: f"{root}{query_url}&format={e}" for e, media in RDF_TYPES.items()}
    alternates["text/html"] = f"{root}{query_url}&format=html"
    response = document(body, RDF_TYPES[ext], cat, alternates)
    response.headers["Vary"] = "Accept"
    response.headers.add("Link", f'<{home_resolver(uri)}>; rel="describedby"')
    return response


@bp.route("/context.jsonld")
def jsonld_context() -> Response:
    """The JSON-LD @context every JSON-LD document of this server uses."""
    body = (json.dumps(catalog().jsonld_context, indent=1, sort_keys=True) + "\n").encode()
    response = Response(body, 200, content_type="application/ld+json; charset=utf-8")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


DUMP_TYPES = {"ttl": "text/turtle", "nt": "application/n-triples", "jsonld": "application/ld+json",
              "rdf": "application/rdf+xml", "nq": "application/n-quads"}


@bp.route("/dumps/dystonia-kg.<ext>", methods=["GET", "HEAD"])
def dump(ext: str) -> Response:
    """The whole release in one format."""
    folder = catalog().folder
    if ext not in DUMP_TYPES or folder is None or not (folder / f"dystonia-kg.{ext}").is_file():
        return errors.not_found(f"no dump in format {ext[:20]!r}; formats: {', '.join(DUMP_TYPES)}")
    response: Response = send_file(Path(folder) / f"dystonia-kg.{ext}", mimetype=DUMP_TYPES[ext], conditional=True,
                         download_name=f"dystonia-kg-{catalog().manifest.get('version', 'dev')}.{ext}")
    response.headers["Link"] = '<https://creativecommons.org/licenses/by/4.0/>; rel="license"'
    return response


@bp.route("/.well-known/void")
def well_known_void() -> Response:
    """303 to the VoID/DCAT description."""
    return errors.see_other("/void")


@bp.route("/void", methods=["GET", "HEAD"])
def void() -> Response:
    """VoID and DCAT description of the dataset, by content negotiation among RDF formats."""
    from .void import void_graph

    chosen = RDF_TYPES.get(FORMAT_PARAM.get(request.args.get("format", "").lower(), ""), "") or \
        content_negotiation(request.headers.get("Accept"), list(RDF_TYPES.values()))
    if chosen is None:
        return errors.not_acceptable(list(RDF_TYPES.values()))
    ext = MEDIA_TO_EXT[chosen]
    graph = void_graph()
    nt = graph.serialize(format="nt", encoding="utf-8")
    cat = catalog()
    body = render(sorted(parse_ntriples(nt), key=str), ext, cat)
    response = document(body, chosen, cat, {m: f"{request.host_url}void?format={e}" for e, m in RDF_TYPES.items()})
    response.headers["Vary"] = "Accept"
    return response


@bp.route("/robots.txt")
def robots() -> Response:
    """Crawl everything but the query endpoints; point at the sitemap."""
    body = f"User-agent: *\nDisallow: /sparql\nDisallow: /api/\nSitemap: {request.host_url}sitemap.xml\n"
    return Response(body, 200, mimetype="text/plain")


@bp.route("/sitemap.xml")
def sitemap() -> Response:
    """Every HTML page of the graph."""
    root = request.host_url.rstrip("/")
    urls = [f"{root}/", f"{root}{url_for('pages.ontology_page')}"]
    urls += [f"{root}{url_for('pages.page', ident=i)}" for i in sorted(catalog().local_ids)]
    body = '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    body += "".join(f"<url><loc>{u}</loc></url>\n" for u in urls) + "</urlset>\n"
    return Response(body, 200, mimetype="application/xml")
