"""The format registry: every serialization the project reads or writes, and which ones each route offers.

Each RDF and SPARQL results format is built on pyoxigraph's own format object (``RdfFormat``,
``QueryResultsFormat``), which carries its canonical media type, file extension and W3C format IRI
(https://www.w3.org/ns/formats/); this module adds what those objects do not say: the project's short
keys (the ``?format=`` values and the extensions of data documents and dumps), the other media types
and words clients use for them, and, per route, which formats it offers and in which order (content
negotiation gives ties to the earlier offer). Media types pyoxigraph does not carry (HTML, the plain text
and JSON of error bodies, the bodies of protocol requests) are written here, once.

Every other module asks this one instead of writing a media type, an extension or a format IRI itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import pyoxigraph as ox

# Media types no pyoxigraph format carries.
HTML = "text/html"
PLAIN_TEXT = "text/plain"
JSON = "application/json"  # error bodies, the search and query-list APIs, the OpenAPI document
OPENAPI = "application/vnd.oai.openapi+json"  # the OpenAPI document, for clients that ask for it by name
XML = "application/xml"  # the sitemap
FORM = "application/x-www-form-urlencoded"  # SPARQL 1.1 Protocol: query by POST form
SPARQL_QUERY = "application/sparql-query"  # SPARQL 1.1 Protocol: query by POST directly
SPARQL_UPDATE = "application/sparql-update"  # refused: the endpoint is read-only

# pyoxigraph 0.5 gives JSON-LD the IRI https://www.w3.org/ns/formats/data/JSON-LD; the W3C registry of
# format IRIs (https://www.w3.org/ns/formats/) names it http://www.w3.org/ns/formats/JSON-LD, as this server's
# Service Description always has and other RDF tools' format tables do. The one IRI not taken from pyoxigraph.
_W3C_IRI = {ox.RdfFormat.JSON_LD: "http://www.w3.org/ns/formats/JSON-LD"}


def bare(media_type: str) -> str:
    """A media type without its parameters (``text/csv; charset=utf-8`` → ``text/csv``), lower case."""
    return media_type.partition(";")[0].strip().lower()


@dataclass(frozen=True)
class Format:
    """One serialization: the project's key for it and what pyoxigraph says about it."""

    key: str
    media_type: str  # canonical, without parameters
    extension: str
    iri: str | None = None  # W3C format IRI (Service Description, VoID/DCAT)
    rdf: ox.RdfFormat | None = None
    results: ox.QueryResultsFormat | None = None

    @property
    def kind(self) -> str:
        """``graph`` (RDF), ``solutions`` (SPARQL results) or ``document`` (HTML)."""
        return "graph" if self.rdf is not None else "solutions" if self.results is not None else "document"


def _rdf(fmt: ox.RdfFormat) -> Format:
    # An RDF format's key is its file extension (the extension of /data/X.ext and of the dumps).
    return Format(fmt.file_extension, bare(fmt.media_type), fmt.file_extension, _W3C_IRI.get(fmt, fmt.iri), rdf=fmt)


def _results(key: str, fmt: ox.QueryResultsFormat) -> Format:
    return Format(key, bare(fmt.media_type), fmt.file_extension, fmt.iri, results=fmt)


FORMATS: Mapping[str, Format] = MappingProxyType({f.key: f for f in (
    _rdf(ox.RdfFormat.TURTLE),
    _rdf(ox.RdfFormat.N_TRIPLES),
    _rdf(ox.RdfFormat.N_QUADS),
    _rdf(ox.RdfFormat.TRIG),
    _rdf(ox.RdfFormat.RDF_XML),
    _rdf(ox.RdfFormat.JSON_LD),
    _results("json", ox.QueryResultsFormat.JSON),
    _results("xml", ox.QueryResultsFormat.XML),
    _results("csv", ox.QueryResultsFormat.CSV),
    _results("tsv", ox.QueryResultsFormat.TSV),
    Format("html", HTML, "html"),
)})

# Other words a ``?format=`` parameter may use for a key (each route accepts those of the keys it offers).
WORDS: Mapping[str, str] = MappingProxyType({
    "turtle": "ttl", "ntriples": "nt", "nquads": "nq", "rdfxml": "rdf", "json-ld": "jsonld",
})


def by_key(key: str) -> Format:
    """The format of ``key``; ``KeyError`` for an unknown key."""
    return FORMATS[key]


def utf8(media: str) -> str:
    """A ``Content-Type`` value: ``media`` with ``charset=utf-8`` (every text the server writes is UTF-8)."""
    return f"{media}; charset=utf-8"


def media_type(key: str) -> str:
    """The canonical media type of ``key``."""
    return FORMATS[key].media_type


def rdf_format(key: str) -> ox.RdfFormat:
    """pyoxigraph's RDF format of ``key``; ``ValueError`` when ``key`` is no RDF format."""
    fmt = FORMATS[key].rdf if key in FORMATS else None
    if fmt is None:
        raise ValueError(f"not an RDF format: {key!r}")
    return fmt


def results_format(key: str) -> ox.QueryResultsFormat:
    """pyoxigraph's SPARQL results format of ``key``; ``ValueError`` when ``key`` is no results format."""
    fmt = FORMATS[key].results if key in FORMATS else None
    if fmt is None:
        raise ValueError(f"not a SPARQL results format: {key!r}")
    return fmt


@dataclass(frozen=True)
class Offer:
    """The formats one route serves, in order of preference, and the media types it also reads as one of them.

    ``entries`` pairs each offered media type with the key it is served as; a format's canonical type
    comes first, aliases where the route lists them.
    """

    entries: tuple[tuple[str, str], ...]

    @property
    def keys(self) -> tuple[str, ...]:
        """The format keys offered, in order, each once."""
        return tuple(dict.fromkeys(key for _, key in self.entries))

    @property
    def media_types(self) -> list[str]:
        """What content negotiation chooses among, aliases included, in order."""
        return [media for media, _ in self.entries]

    @property
    def canonical_media_types(self) -> list[str]:
        """The canonical media type of each offered format (what a 406 lists)."""
        return [media_type(key) for key in self.keys]

    @property
    def words(self) -> list[str]:
        """Every ``?format=`` word this route accepts, sorted."""
        return sorted({*self.keys, *(w for w, key in WORDS.items() if key in self.keys)})

    def key_for_media(self, media: str) -> str | None:
        """The key a media type (parameters ignored) is served as here, or ``None``."""
        wanted = bare(media)
        return next((key for offered, key in self.entries if offered == wanted), None)

    def key_for_word(self, word: str) -> str | None:
        """The key a ``?format=`` value names here: a key, a word, or a media type; ``None`` when not offered."""
        word = word.strip().lower()
        key = WORDS.get(word, word)
        return key if key in self.keys else self.key_for_media(word)


def _offer(*items: str | tuple[str, str]) -> Offer:
    """An offer from keys (served as their canonical type) and ``(alias media type, key)`` pairs."""
    entries = tuple(item if isinstance(item, tuple) else (media_type(item), item) for item in items)
    for media, key in entries:
        if key not in FORMATS or media != bare(media):
            raise ValueError(f"bad offer entry {media!r} → {key!r}")
    return Offer(entries)


# SELECT/ASK answers of /sparql and /queries/<name>: SPARQL JSON first (the default).
SPARQL_SOLUTIONS = _offer("json", "xml", "csv", "tsv", (JSON, "json"), (XML, "xml"), ("text/xml", "xml"))
# CONSTRUCT/DESCRIBE answers: Turtle first; rdflib asks for N-Triples as text/plain.
SPARQL_GRAPHS = _offer("ttl", "nt", "jsonld", "rdf", "nq", "trig",
                       (PLAIN_TEXT, "nt"), (JSON, "jsonld"), ("application/x-turtle", "ttl"))
# The RDF documents of /data/X.<key>, /ontology/doc.<key> and /void, in the order negotiation prefers
# them (ties go to the earlier: Turtle first).
RDF_DOCUMENTS = _offer("ttl", "jsonld", "rdf", "nt")
VOID = RDF_DOCUMENTS
# What /id/X and /ontology redirect to (303), and /describe answers: an RDF document (ties go to RDF), the
# N-Triples rdflib asks for as text/plain, or the HTML page. application/xml never means RDF/XML here.
DEREFERENCE = _offer(*RDF_DOCUMENTS.keys, (PLAIN_TEXT, "nt"), "html")
# The Service Description (/sparql without a query), or the query editor for browsers.
SERVICE_DESCRIPTION = _offer("ttl", "nt", "jsonld", "rdf", "nq", "trig", "html")
# The whole release, one file per format (``dystonia-kg.<key>``); N-Quads keeps the named graphs apart.
DUMPS = _offer("ttl", "nt", "jsonld", "rdf", "nq")
# /openapi.json: JSON unless the client asks for the OpenAPI media type.
OPENAPI_DOCUMENT = (JSON, OPENAPI)
# Error bodies: plain text unless the client prefers JSON.
ERROR_MEDIA_TYPES = (PLAIN_TEXT, JSON)
# `dystonia-kg query --format`: the CLI's table, or a SPARQL results format.
QUERY_OUTPUTS = ("table", "csv", "tsv", "json")
# `dystonia-kg export --format`: bundles of files for pipelines (graph/export.py).
EXPORTS = ("kgx", "hpoa", "sssom", "obographs")
