"""Operations against the live server: ``/metrics`` read with Prometheus's own text parser, and the Signposting
``Link`` headers of pages and data documents read with a Link header parser."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import requests
from prometheus_client.parser import text_string_to_metric_families
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF
from requests.utils import parse_header_links

from graph import formats
from graph.formats import DUMPS, RDF_DOCUMENTS
from graph.release import Release
from graph.store import EmbeddedStore
from graph.vocab import BASE, DKG
from server.live import free_port

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # runs past any deadline
VOID = URIRef("http://rdfs.org/ns/void#Dataset")


def scrape(url: str) -> Samples:
    """Every sample of ``/metrics``, by name and labels, as Prometheus's parser reads them."""
    response = requests.get(f"{url}/metrics", timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/plain")
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.text) for sample in family.samples}


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_count_requests_by_route_limits_restarts_and_name_the_release(  # type: ignore[no-untyped-def]
        live_server, release_dir: Path) -> None:
    url = live_server.url
    before = scrape(url)
    missing = f"/page/NoSuchEntity{time.time_ns()}"
    assert requests.get(url + missing, timeout=30).status_code == 404
    assert requests.get(f"{url}/no/such/route/{time.time_ns()}", timeout=30).status_code == 404
    # The live server caps rows at 5000 and queries at 3 s.
    rows = requests.get(f"{url}/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 6000"}, timeout=30)
    slow = requests.get(f"{url}/sparql", params={"query": f"{SLOW} # {time.time_ns()}"}, timeout=30)
    assert (rows.status_code, slow.status_code) == (503, 503), (rows.text, slow.text)
    after = scrape(url)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    # By the URL rule, never the raw path: the label's values are as few as the routes.
    assert moved("dkg_http_requests_total", route="/page/<ident>", method="GET", status="404") == 1
    assert moved("dkg_http_requests_total", route="unmatched", method="GET", status="404") == 1
    assert moved("dkg_http_requests_total", route="/sparql", method="GET", status="503") == 2
    assert not any(dict(labels).get("route", "").startswith(("/page/No", "/no/")) for _, labels in after)
    assert moved("dkg_queries_stopped_total", limit="rows") == 1
    assert moved("dkg_queries_stopped_total", limit="deadline") == 1
    assert moved("dkg_queries_stopped_total", limit="memory") == 0
    assert {dict(labels)["limit"] for name, labels in after if name == "dkg_queries_stopped_total"} == \
        {"deadline", "rows", "bytes", "memory", "queue"}
    assert moved("dkg_worker_restarts_total") >= 1  # the worker past the deadline was killed and replaced
    # The latency histogram: both queries counted, the slow one's 3 s in the sum, in the +Inf bucket.
    assert moved("dkg_http_request_duration_seconds_count", route="/sparql") == 2
    assert moved("dkg_http_request_duration_seconds_sum", route="/sparql") >= 3
    assert moved("dkg_http_request_duration_seconds_bucket", route="/sparql", le="+Inf") == 2
    assert moved("dkg_http_request_duration_seconds_bucket", route="/sparql", le="1.0") <= 1
    release = Release.current(release_dir)
    assert value(after, "dkg_release_info", build=release.build, version=release.version) == 1
    assert value(after, "dkg_release_built_timestamp_seconds") == release.built_at.timestamp()


def links(response: requests.Response) -> list[dict[str, str]]:
    """The response's Link header, parsed."""
    assert response.status_code == 200, response.status_code
    return parse_header_links(response.headers["Link"])


def targets(parsed: list[dict[str, str]], rel: str) -> dict[str, str]:
    """URL → media type of the links with relation ``rel``."""
    return {link["url"]: link.get("type", "") for link in parsed if link["rel"] == rel}


def test_signposting_on_an_entity_page_and_its_data_documents(  # type: ignore[no-untyped-def]
        live_server, release_store: EmbeddedStore) -> None:
    url = live_server.url
    statement = next(iter(release_store.query(f"SELECT ?s WHERE {{ ?s <{DKG.quote}> ?q }} ORDER BY ?s LIMIT 1")))[0]
    iri, ident = statement.value, statement.value[len(str(DKG)):]
    types = {row[0].value for row in release_store.query(f"SELECT ?t WHERE {{ <{iri}> a ?t }}")}
    void = Graph().parse(data=requests.get(f"{url}/void?format=nt", timeout=30).text, format="nt")
    dataset = next(void.subjects(RDF.type, VOID))
    licence = str(void.value(dataset, DCTERMS.license))

    page = links(requests.get(f"{url}/page/{ident}", timeout=30))
    assert list(targets(page, "cite-as")) == [iri]
    described = targets(page, "describedby")
    assert sorted(described.values()) == sorted(formats.media_type(key) for key in RDF_DOCUMENTS.keys)
    for target, media in described.items():
        document = requests.get(target, timeout=30)
        assert document.status_code == 200 and document.headers["Content-Type"].startswith(media), target
    assert "https://schema.org/AboutPage" in targets(page, "type") and set(targets(page, "type")) & types
    assert list(targets(page, "license")) == [licence]
    [collection] = targets(page, "collection")
    assert requests.get(collection, timeout=30).status_code == 200

    data = links(requests.get(f"{url}/data/{ident}.ttl", timeout=30))
    assert list(targets(data, "cite-as")) == [iri]
    assert list(targets(data, "describes")) == [f"{url}/page/{ident}"]
    assert set(targets(data, "type")) & types and list(targets(data, "license")) == [licence]
    assert formats.HTML in targets(data, "alternate").values(), "the alternates stay"

    # A term of another authority the statement names: cited by its own IRI, under its own licence (none given).
    term = next(iter(release_store.query(
        f"SELECT ?o WHERE {{ <{iri}> ?p ?o . ?o a <http://www.w3.org/2002/07/owl#Class> "
        f'FILTER(!STRSTARTS(STR(?o), "{DKG}")) }} ORDER BY ?o LIMIT 1')))[0].value
    external = links(requests.get(f"{url}/describe", params={"uri": term, "format": "html"}, timeout=30))
    assert list(targets(external, "cite-as")) == [term] and not targets(external, "license")
    assert len(targets(external, "describedby")) == len(RDF_DOCUMENTS.keys)


def test_the_home_page_points_to_the_void_and_the_dumps(live_server, release_dir: Path) -> None:  # type: ignore[no-untyped-def]
    url = live_server.url
    home = links(requests.get(f"{url}/", timeout=30))
    assert list(targets(home, "cite-as")) == [BASE]
    turtle = [target for target, media in targets(home, "describedby").items() if media == formats.media_type("ttl")]
    void = Graph().parse(data=requests.get(turtle[0], timeout=30).text, format="turtle")
    assert any(void.subjects(RDF.type, VOID)), "the description the home page points to is the VoID"
    items = targets(home, "item")
    dumps = Release.current(release_dir).dumps
    assert sorted(items.values()) == sorted(formats.media_type(key) for key in dumps) and set(dumps) <= set(DUMPS.keys)
    for target in items:
        assert requests.head(target, timeout=30).status_code == 200, target


def test_signposting_on_the_ontologys_page_and_documents(live_server) -> None:  # type: ignore[no-untyped-def]
    """Found by the independent attempt: /ontology.html had no Link header, /ontology/doc.* its alternates only."""
    url = live_server.url
    page = links(requests.get(f"{url}/ontology.html", timeout=60))
    assert list(targets(page, "cite-as")) == [f"{BASE}ontology"]
    assert sorted(targets(page, "describedby").values()) == sorted(formats.media_type(k) for k in RDF_DOCUMENTS.keys)
    assert "http://www.w3.org/2002/07/owl#Ontology" in targets(page, "type") and targets(page, "license")
    for key in RDF_DOCUMENTS.keys:
        document = links(requests.get(f"{url}/ontology/doc.{key}", timeout=60))
        assert list(targets(document, "cite-as")) == [f"{BASE}ontology"], key
        assert list(targets(document, "describes")) == [f"{url}/ontology.html"], key
        assert targets(document, "license") == targets(page, "license"), key


def test_every_answer_says_nosniff(live_server) -> None:  # type: ignore[no-untyped-def]
    """An error quoting the request is text/plain: no browser may sniff it as HTML (found by the independent attempt:
    `/page/S0010?page=<script>…` was quoted in a text/plain 400 without the header)."""
    url = live_server.url
    for path, params in (("/page/S0010", {"page": "<script>alert(1)</script>"}), ("/", None), ("/no/such", None),
                         ("/sparql", {"query": "SELECT"}), ("/api/search", {"q": "dystonia"})):
        response = requests.get(url + path, params=params, timeout=60)
        assert response.headers.get("X-Content-Type-Options") == "nosniff", (path, response.status_code)


def test_void_gives_hpo_and_its_annotations_version_and_licence_as_subsets(live_server,  # type: ignore[no-untyped-def]
                                                                         release_dir: Path) -> None:
    """Field by field, as the modules have them (found by the independent attempt: only a prose citation)."""
    hpo = Release.current(release_dir).hpo
    void = Graph().parse(data=requests.get(f"{live_server.url}/void?format=nt", timeout=60).text, format="nt")
    subsets = {str(void.value(s, DCTERMS.hasVersion)): str(void.value(s, DCTERMS.license))
               for s in void.objects(None, URIRef("http://rdfs.org/ns/void#subset"))}
    assert subsets[hpo["version"].rsplit("/", 1)[-1]] == hpo["licence"]
    assert subsets[hpo["annotations"]["version"]] == hpo["licence"]


def test_serving_is_said_once_the_server_answers(release_dir: Path) -> None:
    """An independent attempt found `serving` printed ~2.4 s before the port accepted a connection (the CLI said
    it before starting the server): a script that waits for the line must be able to send its request at once."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "graph.cli", "--release", str(release_dir), "serve", "--port",
                                str(port)], stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        lines = []
        for line in process.stderr:
            lines.append(line)
            if line.startswith("serving"):
                break
        assert lines and lines[-1].startswith("serving"), lines
        assert str(port) in lines[-1]
        assert requests.get(f"http://127.0.0.1:{port}/", timeout=10).status_code == 200  # no retry, no wait
    finally:
        process.terminate()
        process.wait(10)
