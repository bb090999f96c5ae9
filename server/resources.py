"""Dereferenceable IRIs (W3C "Cool URIs for the Semantic Web", 303 recipe).

``/id/{ID}`` → 303 to ``/data/{ID}.{ext}`` or ``/page/{ID}`` by content negotiation; the data and
page documents carry ETag, Last-Modified and Link alternates. The ontology IRI and its version
IRI, ``/describe?uri=`` for external IRIs, the VoID/DCAT description, the JSON-LD context, the
dumps, robots.txt and the sitemap live here too.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, request, send_file, url_for
from rdflib import OWL

from graph import formats
from graph.describe import exists_query, ontology_query
from graph.executor import QueryJob
from graph.formats import DEREFERENCE, RDF_DOCUMENTS, VOID, Offer
from graph.hpo_import import IMPORT_MODULE_IRI
from graph.vocab import DKG, ONTOLOGY_IRI

from . import errors, signposting
from .busy import at_most
from .catalog import Catalog, Document, catalog, parse_ntriples
from .documents import describe_triples, home_resolver, known_id, render
from .host import public_root
from .negotiation import negotiate
from .pages import render_entity, requested_page
from .pool import run_job
from .signposting import as_uri
from .void import void_graph

bp = Blueprint("resources", __name__)

def requested_ext(offer: Offer = DEREFERENCE) -> str:
    """The key of the format in ``offer`` the request asks for: ``?format=`` when given (400 when unknown),
    else the Accept header (406 when nothing fits)."""
    fmt = request.args.get("format")
    if fmt is not None:
        ext = offer.key_for_word(fmt)
        if ext is None:
            raise errors.bad_request(f"unknown format {fmt!r}; use one of {', '.join(offer.words)}")
        return ext
    ext = negotiate(request.headers.get("Accept"), offer)
    if ext is None:
        raise errors.not_acceptable(offer.canonical_media_types)
    return ext


def negotiate_target(kind_url: str, page_url: str) -> Response:
    """303 to the representation the client prefers; ``?format=`` overrides Accept (then no Vary)."""
    ext = requested_ext()
    target = page_url if ext == "html" else f"{kind_url}.{ext}"
    return errors.see_other(target, vary_accept="format" not in request.args)


def split_name(name: str) -> tuple[str, str | None]:
    """``S0001.ttl`` → (``S0001``, ``ttl``); a name without a dot has no extension."""
    stem, dot, ext = name.rpartition(".")
    return (stem, ext) if dot else (name, None)


@bp.route("/id/<path:name>", methods=["GET", "HEAD"])
def entity(name: str) -> Response:
    """The entity IRI: never a document itself, always a 303 to one."""
    ident, ext = split_name(name)
    if not known_id(ident, catalog()):
        raise errors.not_found(f"no entity {ident[:80]!r} in this graph")
    if ext is not None:
        if ext not in DEREFERENCE.keys:
            raise errors.not_found(f"unknown extension {ext[:20]!r}; use one of {', '.join(DEREFERENCE.keys)}")
        return errors.see_other(url_for("pages.page", ident=ident) if ext == "html" else f"/data/{ident}.{ext}")
    return negotiate_target(f"/data/{ident}", url_for("pages.page", ident=ident))


def document(doc: Document, media_type: str, cat: Catalog, alternates: dict[str, str]) -> Response:
    """A data document with validators (ETag, Last-Modified), 304 handling and Link alternates."""
    response = Response(doc.body, 200, content_type=formats.utf8(media_type))
    response.set_etag(doc.etag)
    response.last_modified = cat.published_at
    others = {media: url for media, url in alternates.items() if media != media_type}
    if media_type == formats.media_type("jsonld"):
        # pyld's document loader breaks on more than one rel="alternate" in a JSON-LD response.
        pages = {media: url for media, url in others.items() if media == formats.HTML}
        others = pages or dict(list(others.items())[:1])
    # Header values are ASCII: an IRI (a base with non-ASCII characters) goes as its URI (RFC 3987 §3.1).
    response.headers["Link"] = ", ".join(f'<{as_uri(url)}>; rel="alternate"; type="{media}"'
                                         for media, url in others.items())
    response.headers["Cache-Control"] = "public, max-age=300"
    response.make_conditional(request)
    return response


def alternates_for(stem_url: str, page_url: str) -> dict[str, str]:
    """Absolute URLs of every representation."""
    root = public_root()
    return {formats.media_type(key): root + (page_url if key == "html" else f"{stem_url}.{key}")
            for key in DEREFERENCE.keys}


@bp.route("/data/<path:name>", methods=["GET", "HEAD"])
def data(name: str) -> Response:
    """An entity's description in one RDF format."""
    ident, ext = split_name(name)
    cat = catalog()
    if ext is None or ext not in RDF_DOCUMENTS.keys:
        raise errors.not_found(f"no document {name[:80]!r}; use /data/<ID>.{{{','.join(RDF_DOCUMENTS.keys)}}}")
    if not known_id(ident, cat):
        raise errors.not_found(f"no entity {ident[:80]!r} in this graph")
    iri = str(DKG[ident])
    doc = cat.documents.get(("data", ident, ext), lambda: render(describe_triples(iri), ext, cat))
    page = url_for("pages.page", ident=ident)
    response = document(doc, formats.media_type(ext), cat, alternates_for(f"/data/{ident}", page))
    signposting.add(response, signposting.entity_document(iri, public_root() + page, cat.rdf_type(iri), local=True))
    return response


@bp.route("/ontology", methods=["GET", "HEAD"])
@bp.route("/ontology/<version>", methods=["GET", "HEAD"])
def ontology(version: str | None = None) -> Response:
    """The ontology IRI and its version IRI: 303 to the ontology document or its HTML documentation."""
    name, ext = split_name(version) if version else ("", None)
    if version is not None and ext in RDF_DOCUMENTS.keys:
        return _ontology_document(ext)
    if version is not None and name != catalog().manifest.get("version", name):
        raise errors.not_found(f"no ontology version {name[:40]!r}")
    return negotiate_target("/ontology/doc", url_for("pages.ontology_page"))


@bp.route("/ontology/imports/<name>", methods=["GET", "HEAD"])
def ontology_import(name: str) -> Response:
    """The IRI of the ontology's HPO import module, whose header the ontology document holds: 303 to it."""
    if f"ontology/imports/{name}" != str(IMPORT_MODULE_IRI):  # the module IRI, relative to the base IRI
        raise errors.not_found(f"no ontology import module {name[:40]!r}")
    return negotiate_target("/ontology/doc", url_for("pages.ontology_page"))


@bp.route("/ontology/doc.<ext>", methods=["GET", "HEAD"])
def ontology_document(ext: str) -> Response:
    """The ontology in one RDF format."""
    return _ontology_document(ext)


def _ontology_document(ext: str) -> Response:
    if ext not in RDF_DOCUMENTS.keys:
        raise errors.not_found(f"unknown extension {ext[:20]!r}")
    cat = catalog()

    def produce() -> bytes:
        answer = run_job(QueryJob(ontology_query(), graph_format="nt"))
        return render(sorted(parse_ntriples(answer.body), key=str), ext, cat)

    # Rendered once a release (a JSON-LD rendering costs the server process 100 ms: helper-47 kept it busy with
    # one client asking again and again, each time under another query string, past the HTTP cache).
    page = url_for("pages.ontology_page")
    response = document(cat.documents.get(("ontology", ext), produce), formats.media_type(ext), cat,
                        alternates_for("/ontology/doc", page))
    signposting.add(response, signposting.entity_document(str(ONTOLOGY_IRI), public_root() + page,
                                                          str(OWL.Ontology), local=True))
    return response


@bp.route("/describe", methods=["GET", "HEAD"])
@at_most(2, "describe")
def describe_external() -> Response:
    """What this graph says about any IRI it uses (HPO, UBERON, MONDO, genes, ChEBI...)."""
    uri = request.args.get("uri", "")
    if not uri or len(uri) > 2000 or not uri.startswith(("http://", "https://")):
        raise errors.bad_request("give an absolute http(s) IRI: /describe?uri=…")
    try:
        ox.NamedNode(uri)  # the IRI grammar (RFC 3987), as the engine reads it
    except ValueError:
        raise errors.bad_request(f"the uri parameter is not a valid IRI: {uri[:200]!r}") from None
    if uri.startswith(str(DKG)) and known_id(uri[len(str(DKG)):], catalog()):
        return errors.see_other(f"/id/{uri[len(str(DKG)):]}")
    exists = run_job(QueryJob(exists_query(uri), solution_format="json"))
    if not json.loads(exists.body)["boolean"]:
        raise errors.not_found(f"this graph says nothing about {uri[:200]}")
    ext = requested_ext()
    requested_page()  # a malformed ?page= is refused whatever the format (only the HTML page is paged)
    if ext == "html":
        page = render_entity(uri, external=True)
        page.headers["Vary"] = "Accept"  # negotiated, as the RDF answers of the same URL are
        return page
    cat = catalog()
    body = cat.documents.get(("describe", uri, ext), lambda: render(describe_triples(uri), ext, cat)).body
    query_url = "/describe?" + urlencode({"uri": uri})
    root = public_root()
    alternates = {formats.media_type(key): f"{root}{query_url}&format={key}" for key in DEREFERENCE.keys}
    response = document(Document.of(body), formats.media_type(ext), cat, alternates)
    response.headers["Vary"] = "Accept"
    response.headers.add("Link", f'<{as_uri(home_resolver(uri))}>; rel="describedby"')
    page_url = f"{root}/describe?" + urlencode({"uri": uri, "format": "html"})
    signposting.add(response, signposting.entity_document(uri, page_url, cat.rdf_type(uri), local=False))
    return response


@bp.route("/context.jsonld")
def jsonld_context() -> Response:
    """The JSON-LD @context every JSON-LD document of this server uses."""
    body = (json.dumps(catalog().jsonld_context, indent=1, sort_keys=True) + "\n").encode()
    response = Response(body, 200, content_type=formats.utf8(formats.media_type("jsonld")))
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.route("/dumps/dystonia-kg.<ext>", methods=["GET", "HEAD"])
def dump(ext: str) -> Response:
    """The whole release in one format."""
    release = catalog().release
    dumps = release.dumps if release is not None else []
    if release is None or ext not in dumps:
        raise errors.not_found(f"no dump in format {ext[:20]!r}; formats: {', '.join(dumps) or 'none'}")
    response: Response = send_file(release.dump(ext), mimetype=formats.media_type(ext), conditional=True,
                                   download_name=f"dystonia-kg-{release.version}.{ext}")
    signposting.add(response, signposting.licence())
    return response


@bp.route("/.well-known/void")
def well_known_void() -> Response:
    """303 to the VoID/DCAT description."""
    return errors.see_other("/void")


@bp.route("/void", methods=["GET", "HEAD"])
def void() -> Response:
    """VoID and DCAT description of the dataset, by content negotiation among RDF formats; computed once per
    release (its counts read whole indexes), then served from the release's document cache."""
    ext = requested_ext(VOID)
    cat = catalog()
    nt = cat.documents.get(("void",), lambda: void_graph().serialize(format="nt", encoding="utf-8")).body
    doc = cat.documents.get(("void", ext), lambda: render(sorted(parse_ntriples(nt), key=str), ext, cat))
    response = document(doc, formats.media_type(ext), cat,
                        {formats.media_type(key): f"{public_root()}/void?format={key}" for key in VOID.keys})
    response.headers["Vary"] = "Accept"
    return response


@bp.route("/robots.txt")
def robots() -> Response:
    """Crawl everything but the query endpoints; point at the sitemap."""
    body = f"User-agent: *\nDisallow: /sparql\nDisallow: /api/\nSitemap: {public_root()}/sitemap.xml\n"
    return Response(body, 200, mimetype=formats.PLAIN_TEXT)


@bp.route("/sitemap.xml")
def sitemap() -> Response:
    """Every HTML page of the graph."""
    def produce() -> bytes:
        root = public_root()
        urls = [f"{root}/", f"{root}{url_for('pages.ontology_page')}"]
        urls += [f"{root}{url_for('pages.page', ident=i)}" for i in sorted(catalog().local_ids)]
        body = '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        return (body + "".join(f"<url><loc>{u}</loc></url>\n" for u in urls) + "</urlset>\n").encode()

    return Response(catalog().documents.get(("sitemap",), produce).body, 200, mimetype=formats.XML)
