"""Dereferenceable IRIs against a live server: every row of the DESIGN.md table, real clients, bad input."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import requests
from rdflib import OWL, RDFS, Graph, Literal, URIRef

from graph import formats
from graph.formats import RDF_DOCUMENTS
from graph.vocab import BASE, DKG, ONTOLOGY_IRI

from .conftest import count_calls

CANON = str(DKG)
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@pytest.fixture(scope="module")
def base(live_server) -> str:  # type: ignore[no-untyped-def]
    return str(live_server.url)


def get(url: str, accept: str | None = None, **kwargs: object) -> requests.Response:
    headers = {"Accept": accept} if accept is not None else {}
    return requests.get(url, headers=headers, allow_redirects=False, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("accept", "location"),
    [
        ("text/turtle", "/data/S0010.ttl"),
        ("*/*", "/data/S0010.ttl"),
        (None, "/data/S0010.ttl"),
        (BROWSER, "/page/S0010"),
        ("text/html", "/page/S0010"),
        ("application/ld+json", "/data/S0010.jsonld"),
        ("application/rdf+xml", "/data/S0010.rdf"),
        ("application/n-triples", "/data/S0010.nt"),
        ("text/plain, */*;q=0.1", "/data/S0010.nt"),
        ("text/turtle;q=0.5, text/html;q=0.9", "/page/S0010"),
        ("text/html;q=0.7, text/turtle;q=0.7", "/data/S0010.ttl"),
        ("text/turtle;q=0, */*", "/data/S0010.jsonld"),
        ("text/turtle;charset=utf-8", "/data/S0010.ttl"),
        ('application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted"', "/data/S0010.jsonld"),
    ],
)
def test_id_negotiates_with_303_and_vary(base: str, accept: str | None, location: str) -> None:
    response = get(f"{base}/id/S0010", accept)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(location)
    assert response.headers["Vary"] == "Accept"


@pytest.mark.parametrize("accept", ["application/xml", "image/png"])
def test_unacceptable_types_get_406_with_the_offer(base: str, accept: str) -> None:
    response = get(f"{base}/id/S0010", accept)
    assert response.status_code == 406
    assert "text/turtle" in response.text and "application/rdf+xml" in response.text


@pytest.mark.parametrize(
    ("path", "status", "location"),
    [
        ("/id/S0010.ttl", 303, "/data/S0010.ttl"),
        ("/id/S0010.html", 303, "/page/S0010"),
        ("/id/S0010?format=jsonld", 303, "/data/S0010.jsonld"),
        ("/id/S0010?format=html", 303, "/page/S0010"),
        ("/id/NoSuchThing", 404, None),
        ("/id/S0010.xyz", 404, None),
        ("/id/S0010?format=foo", 400, None),
    ],
)
def test_extensions_and_format_override(base: str, path: str, status: int, location: str | None) -> None:
    response = get(base + path, "text/html")
    assert response.status_code == status, response.text
    if location:
        assert response.headers["Location"].endswith(location)
        assert "Vary" not in response.headers
    else:
        assert response.headers["Content-Type"].startswith(("text/plain", "application/json"))


@pytest.mark.parametrize("ext", RDF_DOCUMENTS.keys)
def test_data_documents(base: str, ext: str) -> None:
    media = formats.media_type(ext)
    response = get(f"{base}/data/S0010.{ext}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == f"{media}; charset=utf-8"
    assert response.headers["ETag"] and response.headers["Last-Modified"]
    links = response.headers["Link"]
    assert 'rel="alternate"' in links and media not in links and "text/html" in links
    if ext != "jsonld":  # JSON-LD keeps one alternate: pyld fails on several
        assert links.count('rel="alternate"') == 4
    graph = Graph().parse(data=response.content, format=media, publicID=f"{base}/data/S0010.{ext}")
    statement = URIRef(CANON + "S0010")
    assert (statement, URIRef(CANON + "quote"), None) in graph, "canonical IRIs are kept"
    assert graph.value(URIRef("http://purl.obolibrary.org/obo/UBERON_0001897"), RDFS.label) == \
        Literal("dorsal plus ventral thalamus", lang="en"), "labels of what it mentions are included"
    head = requests.head(f"{base}/data/S0010.{ext}")
    assert head.status_code == 200 and head.headers["ETag"] == response.headers["ETag"] and not head.content
    again = requests.get(f"{base}/data/S0010.{ext}", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and not again.content
    since = requests.get(f"{base}/data/S0010.{ext}", headers={"If-Modified-Since": response.headers["Last-Modified"]})
    assert since.status_code == 304


@pytest.mark.parametrize(("entity", "statement"), [("HandDystonia", "S0010"), ("FocalHandDystonia", "S0031")])
def test_description_is_self_contained(base: str, entity: str, statement: str) -> None:
    graph = Graph().parse(data=get(f"{base}/data/{entity}.ttl").content, format="turtle")
    statements = set(graph.subjects(URIRef(CANON + "phenotype"), URIRef(CANON + entity)))
    assert URIRef(CANON + statement) in statements
    for statement in statements:
        assert graph.value(statement, URIRef(CANON + "quote")) is not None
        source = graph.value(statement, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"))
        assert graph.value(source, RDFS.label) is not None


def test_rdflib_parses_iris_with_default_accept_and_each_format(base: str) -> None:
    graph = Graph().parse(f"{base}/id/S0010")
    assert (URIRef(CANON + "S0010"), URIRef(CANON + "lesionSite"), None) in graph
    for fmt in ("turtle", "xml", "nt", "json-ld"):
        graph = Graph().parse(f"{base}/id/S0010", format=fmt)
        assert (URIRef(CANON + "S0010"), URIRef(CANON + "quote"), None) in graph, fmt


def test_pyld_loads_the_jsonld_with_its_context(base: str) -> None:
    from pyld import jsonld

    document = jsonld.get_document_loader()(f"{base}/data/S0010.jsonld", {})
    doc = document["document"]
    assert doc["@context"] == f"{base}/context.jsonld"
    expanded = jsonld.expand(doc)
    triples = jsonld.to_rdf(expanded, {"format": "application/n-quads"})
    assert f"<{CANON}S0010> <{CANON}lesionSite> <http://purl.obolibrary.org/obo/UBERON_0001897>" in triples
    text = json.dumps(doc)
    assert '"lesionSite"' in text and '"quote"' in text, "keys are the context's short names"


BLANK_SUBJECTS = f"""SELECT DISTINCT ?e WHERE {{ GRAPH ?g {{ ?e ?p ?b }}
  FILTER(isBlank(?b) && isIRI(?e) && STRSTARTS(STR(?e), "{CANON}")) }} ORDER BY ?e"""


def test_every_description_holds_its_blank_nodes_whole_in_every_format(base: str) -> None:
    """Every entity with an OWL class expression, a list or a query parameter (its blank nodes): its N-Triples
    leave no blank node dangling, at any depth (a union's list was cut at the first), and its JSON-LD, read by
    pyld (another processor), holds exactly the same triples (rdflib's writer dropped a blank node reached through
    a term coerced to @id: equivalentClass)."""
    from pyld import jsonld
    from rdflib import BNode
    from rdflib.compare import isomorphic

    rows = requests.get(f"{base}/sparql", params={"query": BLANK_SUBJECTS},
                        headers={"Accept": "application/sparql-results+json"}).json()["results"]["bindings"]
    entities = [row["e"]["value"][len(CANON):] for row in rows]
    assert len(entities) >= 20, entities  # the ontology's classes with unions, its lesion-side restrictions, queries
    for entity in entities:
        triples = Graph().parse(data=get(f"{base}/data/{entity}.nt").content, format="nt")
        objects = {o for o in triples.objects() if isinstance(o, BNode)}
        assert objects and objects <= set(triples.subjects()), (entity, objects - set(triples.subjects()))
        document = jsonld.get_document_loader()(f"{base}/data/{entity}.jsonld", {})["document"]
        read = Graph().parse(data=jsonld.to_rdf(document, {"format": "application/n-quads"}), format="nt")
        assert isomorphic(read, triples), (entity, len(read), len(triples))


@pytest.mark.parametrize(("ext", "syntax"), [("ttl", "turtle"), ("nt", "ntriples"), ("rdf", "rdfxml")])
def test_rapper_parses_each_format(base: str, ext: str, syntax: str, tmp_path: Path) -> None:
    path = tmp_path / f"d.{ext}"
    path.write_bytes(get(f"{base}/data/S0010.{ext}").content)
    result = subprocess.run(["rapper", "-i", syntax, "-c", str(path), f"{base}/data/S0010.{ext}"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "returned" in result.stderr and " 0 triples" not in result.stderr


def test_ontology_iri_and_version_iri_dereference(base: str) -> None:
    graph = Graph().parse(f"{base}/ontology")
    assert (ONTOLOGY_IRI, None, None) in graph
    version = graph.value(ONTOLOGY_IRI, OWL.versionIRI)
    assert version is not None and str(version).startswith(str(ONTOLOGY_IRI) + "/")
    for path in ("/ontology", "/ontology/" + str(version).rsplit("/", 1)[-1]):
        rdf = get(base + path, "text/turtle")
        assert rdf.status_code == 303 and rdf.headers["Location"].endswith("/ontology/doc.ttl")
        page = get(base + path, BROWSER)
        assert page.status_code == 303 and page.headers["Location"].endswith("/ontology.html")
    assert get(f"{base}/ontology/1999-01-01", "text/turtle").status_code == 404


def test_describe_external_iri(base: str) -> None:
    hp = "http://purl.obolibrary.org/obo/HP_0000643"
    response = requests.get(f"{base}/describe", params={"uri": hp}, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format="turtle")
    assert graph.value(URIRef(hp), RDFS.label) == Literal("Blepharospasm", lang="en")
    assert len(set(graph.subjects(URIRef(CANON + "phenotype"), URIRef(hp)))) >= 4
    assert 'rel="describedby"' in response.headers["Link"] and "ols4" in response.headers["Link"]
    html = requests.get(f"{base}/describe", params={"uri": hp, "format": "html"})
    assert html.status_code == 200 and "Blepharospasm" in html.text
    for accept in ("text/turtle", "text/html"):  # one URL, negotiated: a shared cache must key on Accept
        negotiated = requests.get(f"{base}/describe", params={"uri": hp}, headers={"Accept": accept})
        assert "accept" in negotiated.headers.get("Vary", "").lower(), accept
    assert requests.get(f"{base}/describe", params={"uri": "http://example.org/none"}).status_code == 404
    assert requests.get(f"{base}/describe", params={"uri": "not an iri"}).status_code == 400


def test_void_dcat_context_dumps_robots_sitemap(base: str) -> None:
    well_known = get(f"{base}/.well-known/void")
    assert well_known.status_code == 303
    void = Graph().parse(f"{base}/.well-known/void")
    voidns = "http://rdfs.org/ns/void#"
    dataset = URIRef(BASE + "dataset")
    assert int(void.value(dataset, URIRef(voidns + "triples"))) > 2000  # type: ignore[arg-type]
    assert void.value(dataset, URIRef(voidns + "sparqlEndpoint")) == URIRef(f"{base}/sparql")
    dumps = list(void.objects(dataset, URIRef(voidns + "dataDump")))
    assert len(dumps) == 5
    for dump in dumps:
        head = requests.head(str(dump))
        assert head.status_code == 200 and int(head.headers["Content-Length"]) > 1000
    assert (dataset, URIRef("http://purl.org/dc/terms/license"), None) in void
    context = requests.get(f"{base}/context.jsonld").json()["@context"]
    assert context["lesionSite"] == {"@id": "dkg:lesionSite", "@type": "@id"}
    assert "Sitemap:" in requests.get(f"{base}/robots.txt").text
    sitemap = requests.get(f"{base}/sitemap.xml").text
    assert f"{base}/page/S0010" in sitemap and f"{base}/page/HandDystonia" in sitemap


@pytest.mark.parametrize(("query", "expected"), [
    ("putamen", "http://purl.obolibrary.org/obo/UBERON_0001874"),
    ("puta", "http://purl.obolibrary.org/obo/UBERON_0001874"),
    ("putamn", "http://purl.obolibrary.org/obo/UBERON_0001874"),
    ("blepharospams", "http://purl.obolibrary.org/obo/HP_0000643"),
    ("geste antagoniste", CANON + "SensoryTrick"),
    ("cervical dystonia", "http://purl.obolibrary.org/obo/HP_0000473"),
])
def test_search_prefix_and_typos(base: str, query: str, expected: str) -> None:
    body = requests.get(f"{base}/api/search", params={"q": query}).json()
    assert body["results"][0]["iri"] == expected, body["results"][:3]
    first = body["results"][0]
    assert {"iri", "label", "type", "snippet", "page"} <= set(first)


@pytest.mark.parametrize(
    "path",
    ["/data/../../etc/passwd", "/data/%2e%2e/%2e%2e/etc/passwd", "/id/..%2f..%2fetc%2fpasswd", "/page/../../etc",
     "/id/" + "A" * 5000, "/data/S0010.ttl?" + "x=1&" * 3000, "/id/S0010%00.ttl", "/page/%ff%fe",
     "/api/search?q=" + "a" * 500, "/api/search", "/api/search?q=x&limit=lots", "/describe?uri=" + "h" * 3000],
)
def test_hostile_paths_get_4xx(base: str, path: str) -> None:
    response = requests.get(base + path, headers={"Accept": "text/turtle"}, allow_redirects=False)
    assert 400 <= response.status_code < 500, (path, response.status_code)
    assert "Traceback" not in response.text and len(response.text) < 2000


def test_cors_on_resources(base: str) -> None:
    response = requests.get(f"{base}/data/S0010.ttl", headers={"Origin": "http://x.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]


def test_link_headers_carry_uris_never_raw_iris(release_dir: Path) -> None:
    """Under a base with non-ASCII characters (which the base check accepts), a Link header must still be
    ASCII: the IRI goes as its URI. (Raw, waitress failed the response with a 500.)"""
    from server import create_app
    from server.catalog import Document, catalog
    from server.resources import document

    app = create_app({"RELEASE_DIR": str(release_dir), "WORKERS": 1})
    with app.test_request_context("/data/S0010.ttl"):
        response = document(Document.of(b"x"), formats.media_type("ttl"), catalog(),
                            {formats.HTML: "https://例え.jp/知識/page/S0010", formats.media_type("nt"): "https://e.org/ö"})
    header = response.headers["Link"]
    header.encode("ascii")
    assert "https://xn--r8jz45g.jp/%E7%9F%A5%E8%AD%98/page/S0010" in header and "https://e.org/%C3%B6" in header


def test_void_is_computed_once_per_release_even_for_concurrent_first_requests(release_dir: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """VoID's counts read whole indexes: computed once per release, by one of several first requests."""
    import threading

    from server import create_app, resources

    calls = count_calls(monkeypatch, resources, "void_graph")
    app = create_app({"RELEASE_DIR": str(release_dir), "WORKERS": 1})
    statuses: list[int] = []

    def fetch(accept: str) -> None:
        statuses.append(app.test_client().get("/void", headers={"Accept": accept}).status_code)

    threads = [threading.Thread(target=fetch, args=(formats.media_type(k),)) for k in ("ttl", "nt", "ttl", "rdf")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 4 and len(calls) == 1


@pytest.mark.parametrize("ext", ["ttl", "nt", "jsonld"])
def test_describe_renders_an_external_iri_once_per_release_and_format(release_dir: Path, ext: str,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """An independent attempt found every /describe RDF answer rendered afresh (136–188 ms each, two at a time):
    the documents of a release are cached, as /data/ ones are."""
    from server import create_app, resources

    calls = count_calls(monkeypatch, resources, "describe_triples")
    client = create_app({"RELEASE_DIR": str(release_dir), "WORKERS": 1}).test_client()
    hp = "http://purl.obolibrary.org/obo/HP_0000643"
    bodies = {client.get("/describe", query_string={"uri": hp, "format": ext}).data for _ in range(3)}
    other = client.get("/describe", query_string={"uri": "http://purl.obolibrary.org/obo/HP_0001332", "format": ext})
    assert len(bodies) == 1 and other.status_code == 200 and other.data not in bodies
    assert calls == [(hp,), ("http://purl.obolibrary.org/obo/HP_0001332",)]


def test_rendered_documents_are_kept_within_a_byte_bound(release_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The document cache held 4096 documents whatever their size (a crawler of the largest descriptions, up to
    220 KB each here, could make it hold hundreds of MB): it is bounded in bytes. A document over the bound alone is
    still served, rendered each time it is asked for, and never kept."""
    from server import create_app, resources
    from server.catalog import catalog

    bound = 40_000
    calls = count_calls(monkeypatch, resources, "describe_triples")
    # The HTTP cache in front (server/http_cache.py) holds nothing here: this is the app's own cache.
    app = create_app({"RELEASE_DIR": str(release_dir), "WORKERS": 1, "DOCUMENT_CACHE_BYTES": bound,
                      "ANSWER_CACHE_BYTES": 0})
    client = app.test_client()
    terms = ["HP_0001332", "HP_0000643", "HP_0002451", "HP_0012179", "HP_0000118", "HP_0000001"]
    sizes = {}
    for term in terms:
        iri = f"http://purl.obolibrary.org/obo/{term}"
        for fmt in ("ttl", "jsonld"):
            response = client.get("/describe", query_string={"uri": iri, "format": fmt})
            assert response.status_code == 200, (term, fmt)
            sizes[(iri, fmt)] = len(response.data)
            with app.app_context():
                assert catalog().documents.size <= bound
    assert sum(sizes.values()) > bound, "the documents asked for are more than the bound holds"
    largest, last = max(sizes, key=lambda key: sizes[key]), list(sizes)[-1]
    assert sizes[largest] > bound >= sizes[last]
    asked = len(calls)
    for _ in range(2):
        assert client.get("/describe", query_string={"uri": largest[0], "format": largest[1]}).status_code == 200
    assert len(calls) == asked + 2, "a document over the bound is rendered each time"
    assert client.get("/describe", query_string={"uri": last[0], "format": last[1]}).data
    assert len(calls) == asked + 2, "the most recent document within the bound was kept"


@pytest.mark.parametrize(("path", "module", "producer"), [
    ("/", "pages", "render_template"),
    ("/ontology.html", "pages", "render_template"),
    ("/ontology/doc.jsonld", "resources", "ontology_query"),
    ("/ontology/doc.ttl", "resources", "ontology_query"),
    ("/sitemap.xml", "resources", "public_root"),
])
def test_a_document_the_same_for_a_whole_release_is_rendered_once_whatever_the_query_string(
        release_dir: Path, monkeypatch: pytest.MonkeyPatch, path: str, module: str, producer: str) -> None:
    """Found by helper-47: one client asking for /ontology/doc.jsonld again and again, under a new query string each
    time (past the HTTP cache, whose key it is part of), had the server process render it each time (100 ms of
    Python) and held a steady client's p99 at 29 times its baseline; the home page, the ontology page and the
    sitemap were rendered per request too. They are rendered once a release, as the data documents are."""
    import importlib

    from server import create_app

    calls = count_calls(monkeypatch, importlib.import_module(f"server.{module}"), producer)
    client = create_app({"RELEASE_DIR": str(release_dir), "WORKERS": 1}).test_client()
    answers = [client.get(path, query_string={"r": str(i)}) for i in range(4)]
    assert [a.status_code for a in answers] == [200] * 4
    assert len({a.data for a in answers}) == 1 and len({a.headers.get("ETag") for a in answers}) == 1
    assert len(calls) == 1
