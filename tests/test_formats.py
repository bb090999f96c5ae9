"""The format registry (graph/formats.py): consistent with pyoxigraph, and what every route offers is what it says."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import requests
from flask.testing import FlaskClient
from rdflib import Graph, Namespace, URIRef

from graph import formats
from graph.formats import (
    DEREFERENCE,
    DUMPS,
    FORMATS,
    RDF_DOCUMENTS,
    SERVICE_DESCRIPTION,
    SPARQL_GRAPHS,
    SPARQL_SOLUTIONS,
    VOID,
    WORDS,
    Offer,
)
from graph.release import Release
from graph.vocab import BASE
from server import create_app

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOIDNS = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
DATASET = URIRef(BASE + "dataset")
SELECT = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1"


def listed(refused: requests.Response) -> list[str]:
    """The media types a 406 names, in order (its text says: "... acceptable: a, b, c")."""
    return refused.text.split("acceptable: ", 1)[1].splitlines()[0].split(", ")


ALL_OFFERS = [SPARQL_SOLUTIONS, SPARQL_GRAPHS, RDF_DOCUMENTS, DEREFERENCE, SERVICE_DESCRIPTION, DUMPS]


# --------------------------------------------------------------------------------- the registry itself

@pytest.mark.parametrize("key", sorted(FORMATS))
def test_each_format_says_what_pyoxigraph_says(key: str) -> None:
    fmt = FORMATS[key]
    own = fmt.rdf or fmt.results
    if own is None:  # HTML: no pyoxigraph format; its media type is the registry's own
        assert fmt.kind == "document" and fmt.media_type == formats.HTML
        return
    assert fmt.media_type == own.media_type.split(";")[0].strip()
    assert fmt.extension == own.file_extension
    if fmt.rdf is not None:
        assert key == fmt.rdf.file_extension, "an RDF format's key is its extension (/data/X.<key>, dumps)"
    if own == ox.RdfFormat.JSON_LD:
        # The one IRI not taken from pyoxigraph (see graph/formats.py); once pyoxigraph gives the W3C registry's
        # IRI, this fails and the override can go.
        assert own.iri != fmt.iri == "http://www.w3.org/ns/formats/JSON-LD"
    else:
        assert fmt.iri == own.iri
    assert fmt.iri is not None and fmt.iri.startswith("http://www.w3.org/ns/formats/")


@pytest.mark.parametrize("offer", ALL_OFFERS, ids=lambda o: "+".join(o.keys))
def test_aliases_mean_what_pyoxigraph_reads_them_as(offer: Offer) -> None:
    for media, key in offer.entries:
        fmt = FORMATS[key]
        if fmt.rdf is not None:
            assert ox.RdfFormat.from_media_type(media) == fmt.rdf, media
        elif fmt.results is not None:
            assert ox.QueryResultsFormat.from_media_type(media) == fmt.results, media
        else:
            assert media == fmt.media_type
        assert offer.key_for_media(f"{media.upper()}; charset=utf-8") == key, "parameters and case are ignored"


def test_offers_are_lookups_of_the_registry() -> None:
    for offer in ALL_OFFERS:
        assert len(set(offer.media_types)) == len(offer.media_types), "a media type is offered once per route"
        assert offer.canonical_media_types == [formats.media_type(k) for k in offer.keys]
        for word in offer.words:
            assert offer.key_for_word(word) in offer.keys
    assert all(key in FORMATS for key in WORDS.values())
    assert {FORMATS[k].kind for k in SPARQL_SOLUTIONS.keys} == {"solutions"}
    assert {FORMATS[k].kind for k in (*SPARQL_GRAPHS.keys, *RDF_DOCUMENTS.keys, *DUMPS.keys)} == {"graph"}
    # application/xml never means RDF/XML when dereferencing; it does mean SPARQL XML results.
    assert DEREFERENCE.key_for_media(formats.XML) is None and SPARQL_SOLUTIONS.key_for_media(formats.XML) == "xml"
    assert SPARQL_SOLUTIONS.key_for_word("ttl") is None and SPARQL_GRAPHS.key_for_word("Turtle") == "ttl"
    with pytest.raises(ValueError, match="not an RDF format"):
        formats.rdf_format("csv")


# --------------------------------------------------------------------------- each route offers the registry's

@pytest.fixture(scope="module")
def base(live_server) -> str:  # type: ignore[no-untyped-def]
    return str(live_server.url)


@pytest.mark.parametrize(("query", "offer"), [(SELECT, SPARQL_SOLUTIONS), (CONSTRUCT, SPARQL_GRAPHS)])
def test_sparql_serves_every_offered_media_type_and_lists_them_when_none_fits(
        base: str, query: str, offer: Offer) -> None:
    for media, key in offer.entries:
        response = requests.get(f"{base}/sparql", params={"query": query}, headers={"Accept": media})
        assert response.status_code == 200, (media, response.text)
        assert response.headers["Content-Type"].split(";")[0] == formats.media_type(key), media
    refused = requests.get(f"{base}/sparql", params={"query": query}, headers={"Accept": "image/png"})
    assert refused.status_code == 406 and listed(refused) == offer.canonical_media_types


def test_service_description_lists_the_registrys_result_formats_in_each_of_its_formats(base: str) -> None:
    expected = {URIRef(str(formats.by_key(k).iri)) for k in (*SPARQL_SOLUTIONS.keys, *SPARQL_GRAPHS.keys)}
    for key in SERVICE_DESCRIPTION.keys:
        media = formats.media_type(key)
        response = requests.get(f"{base}/sparql", headers={"Accept": media})
        assert response.status_code == 200, (media, response.text[:300])
        assert response.headers["Content-Type"].split(";")[0] == media
        if key == "html":
            continue
        if formats.rdf_format(key).supports_datasets:
            from rdflib import Dataset

            graph: Graph = Dataset()
            graph.parse(data=response.content, format=media)
        else:
            graph = Graph().parse(data=response.content, format=media)
        assert set(graph.objects(None, SD.resultFormat)) == expected, key


def test_void_lists_the_dumps_the_release_has(base: str, release_dir) -> None:  # type: ignore[no-untyped-def]
    release = Release.current(release_dir)
    on_disk = sorted(p.name for p in release.folder.glob(f"{release.dump('x').stem}.*"))
    assert on_disk == sorted(release.dump(k).name for k in DUMPS.keys), "a build writes every dump of the registry"
    void = Graph().parse(data=requests.get(f"{base}/void", headers={"Accept": "text/turtle"}).content, format="turtle")
    listed = {str(u).rsplit("/", 1)[-1] for u in void.objects(DATASET, VOIDNS.dataDump)}
    assert listed == set(on_disk)
    for distribution in void.objects(DATASET, DCAT.distribution):
        url = str(void.value(distribution, DCAT.downloadURL))
        key = url.rsplit(".", 1)[-1]
        assert str(void.value(distribution, DCAT.mediaType)).endswith("/" + formats.media_type(key))
        assert void.value(distribution, DCTERMS["format"]) == URIRef(str(formats.by_key(key).iri))
        head = requests.head(url)
        assert head.status_code == 200 and head.headers["Content-Type"].split(";")[0] == formats.media_type(key)
    assert requests.head(f"{base}/dumps/dystonia-kg.trig").status_code == 404, "only the dumps the release has"


def test_documents_and_void_offer_the_registrys_rdf_formats(base: str) -> None:
    for key in FORMATS:
        expected = 200 if key in RDF_DOCUMENTS.keys else 404
        assert requests.head(f"{base}/data/S0010.{key}").status_code == expected, key
        assert requests.head(f"{base}/ontology/doc.{key}").status_code == expected, key
    for media, key in VOID.entries:
        response = requests.get(f"{base}/void", headers={"Accept": media})
        assert response.headers["Content-Type"].split(";")[0] == formats.media_type(key)
    for word in VOID.words:
        response = requests.get(f"{base}/void", params={"format": word}, headers={"Accept": "image/png"})
        assert response.headers["Content-Type"].split(";")[0] == formats.media_type(str(VOID.key_for_word(word)))
    unknown = requests.get(f"{base}/void", params={"format": "bogus"})
    assert unknown.status_code == 400 and all(word in unknown.text for word in VOID.words), "as /id says"
    refused = requests.get(f"{base}/id/S0010", headers={"Accept": "image/png"}, allow_redirects=False)
    assert refused.status_code == 406 and listed(refused) == DEREFERENCE.canonical_media_types
    for word in DEREFERENCE.words:
        response = requests.get(f"{base}/id/S0010", params={"format": word}, allow_redirects=False)
        key = DEREFERENCE.key_for_word(word)
        assert response.status_code == 303 and response.headers["Location"].endswith(
            "/page/S0010" if key == "html" else f"/data/S0010.{key}"), word


# ---------------------------------------------------------------- the error body's format comes from negotiation

@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    # No release is needed: these requests fail before any query runs.
    return create_app({"RELEASE_DIR": str(tmp_path_factory.mktemp("no-release"))}).test_client()


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        (None, formats.PLAIN_TEXT),
        ("*/*", formats.PLAIN_TEXT),
        ("application/json", formats.JSON),
        ("application/json, text/html", formats.JSON),  # a substring test on "html" answered text here
        ("text/plain;q=0.2, application/json;q=0.9", formats.JSON),
        ("application/json;q=0.2, text/*", formats.PLAIN_TEXT),
        ("application/json;q=0", formats.PLAIN_TEXT),
        ("application/sparql-results+json", formats.PLAIN_TEXT),  # neither is acceptable: never a 406 for an error
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", formats.PLAIN_TEXT),
    ],
)
def test_error_format_follows_the_negotiator(client: FlaskClient, accept: str | None, media: str) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    response = client.put("/sparql", headers=headers)
    assert response.status_code == 405 and response.headers["Allow"] == "GET, POST, HEAD, OPTIONS"
    assert response.mimetype == media and response.headers["Vary"] == "Accept"
    if media == formats.JSON:
        assert response.get_json()["status"] == 405 and "method not allowed" in response.get_json()["message"]
    else:
        assert response.get_data(as_text=True).startswith("405 Method Not Allowed: method not allowed")


def test_every_kind_of_error_goes_through_the_one_handler(client: FlaskClient) -> None:
    json_accept = {"Accept": "application/json"}
    unsupported = client.post("/sparql", data="ASK {}", headers={"Content-Type": "text/plain", **json_accept})
    assert unsupported.status_code == 415 and unsupported.get_json()["supported"] == [
        formats.FORM, formats.SPARQL_QUERY]
    update = client.post("/sparql", data={"update": "CLEAR ALL"}, headers=json_accept)
    assert update.status_code == 403 and "read-only" in update.get_json()["message"]
    missing = client.get("/no/such/route", headers=json_accept)  # Werkzeug's 404
    assert missing.status_code == 404 and missing.get_json()["error"] == "Not Found"
    long = client.get("/api/search?" + "x=1&" * 200)
    assert long.status_code == 414 and long.mimetype == formats.PLAIN_TEXT and long.headers["Vary"] == "Accept"


def test_limits_are_503_with_retry_after() -> None:
    from graph.executor import QueryFailed
    from server import errors

    app = create_app({"RELEASE_DIR": "/nonexistent"})
    with app.test_request_context(headers={"Accept": "application/json"}):
        busy = errors.handle(QueryFailed("busy", "all query workers are busy", {"limit": "queue", "value": 8}))
        timeout = errors.handle(QueryFailed("timeout", "too slow", {"limit": "timeout", "value": 3.0}))
        syntax = errors.handle(QueryFailed("syntax", "error at 1:3"))
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "1" and busy.get_json()["limit"] == "queue"
    assert timeout.status_code == 503 and "Retry-After" not in timeout.headers
    assert syntax.status_code == 400 and syntax.get_json()["message"] == "SPARQL syntax error: error at 1:3"
