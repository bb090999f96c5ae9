"""The SPARQL 1.1 Protocol against a live server: methods, media types, formats, errors."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import requests
from rdflib import Graph, URIRef

from graph import formats
from graph.formats import SPARQL_GRAPHS
from graph.release import Release
from graph.vocab import DKG, INFERRED_GRAPH

from .conftest import count_calls

# Cheap on purpose (a few rows of one class): these tests are about the protocol, not the engine's speed.
ROWS = 3

SELECT = ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
          f"SELECT ?s ?l WHERE {{ ?s a <{DKG.SourceDocument}> ; rdfs:label ?l }} ORDER BY ?s ?l LIMIT {ROWS}")
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 5"
ASK = "ASK { ?s ?p ?o }"
UPDATE = "application/sparql-update"


@pytest.fixture(scope="module")
def endpoint(live_server) -> str:  # type: ignore[no-untyped-def]
    return live_server.url + "/sparql"


def test_get_post_form_and_post_direct_agree(endpoint: str) -> None:
    accept = {"Accept": "application/sparql-results+json"}
    by_get = requests.get(endpoint, params={"query": SELECT}, headers=accept)
    by_form = requests.post(endpoint, data={"query": SELECT}, headers=accept)
    direct = {**accept, "Content-Type": "application/sparql-query"}
    by_direct = requests.post(endpoint, data=SELECT.encode(), headers=direct)
    for response in (by_get, by_form, by_direct):
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("application/sparql-results+json")
    assert by_get.json() == by_form.json() == by_direct.json()
    assert len(by_get.json()["results"]["bindings"]) == ROWS


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/json", "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("text/csv;q=0.2, application/sparql-results+xml;q=0.8", "application/sparql-results+xml"),
    ],
)
def test_select_formats(endpoint: str, accept: str, media: str) -> None:
    response = requests.get(endpoint, params={"query": SELECT}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == media
    assert response.headers["Vary"] == "Accept"
    body = response.text
    if media.endswith("json"):
        assert json.loads(body)["head"]["vars"] == ["s", "l"]
        assert len(json.loads(body)["results"]["bindings"]) == ROWS
    elif media.endswith("xml"):
        root = ET.fromstring(body)
        assert len(root.findall(".//{http://www.w3.org/2005/sparql-results#}result")) == ROWS
    elif media == "text/csv":
        rows = list(csv.reader(io.StringIO(body)))
        assert rows[0] == ["s", "l"] and len(rows) == ROWS + 1
    else:
        assert body.splitlines()[0] == "?s\t?l" and len(body.splitlines()) == ROWS + 1


@pytest.mark.parametrize("key", SPARQL_GRAPHS.keys)
def test_construct_formats_parse(endpoint: str, key: str) -> None:
    accept = formats.media_type(key)
    response = requests.get(endpoint, params={"query": CONSTRUCT}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == accept
    # rdflib, an independent parser, picks its parser by the media type (as Graph().parse(url) does).
    if formats.rdf_format(key).supports_datasets:
        from rdflib import Dataset

        dataset = Dataset()
        dataset.parse(data=response.content, format=accept)
        assert len(dataset) == 5
    else:
        assert len(Graph().parse(data=response.content, format=accept)) == 5


def test_format_parameter_overrides_accept(endpoint: str) -> None:
    response = requests.get(endpoint, params={"query": SELECT, "format": "csv"}, headers={"Accept": "application/json"})
    assert response.headers["Content-Type"].startswith("text/csv")
    response = requests.get(endpoint, params={"query": SELECT, "format": "nonsense"})
    assert response.status_code == 400 and "nonsense" in response.text


def test_ask_in_each_format(endpoint: str) -> None:
    def ask(accept: str) -> str:
        return requests.get(endpoint, params={"query": ASK}, headers={"Accept": accept}).text

    assert json.loads(ask("application/sparql-results+json"))["boolean"] is True
    boolean = ET.fromstring(ask("application/sparql-results+xml")).find("{http://www.w3.org/2005/sparql-results#}boolean")
    assert boolean is not None and boolean.text == "true"


def test_406_lists_offered_types(endpoint: str) -> None:
    response = requests.get(endpoint, params={"query": SELECT}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.text and "text/csv" in response.text
    response = requests.get(endpoint, params={"query": CONSTRUCT}, headers={"Accept": "text/csv"})
    assert response.status_code == 406 and "text/turtle" in response.text


def test_dataset_parameters_select_graphs(endpoint: str) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    inferred = str(INFERRED_GRAPH)
    def n(**params: str) -> int:
        body = requests.get(endpoint, params={"query": count, **params}, headers={"Accept": "application/json"}).json()
        return int(body["results"]["bindings"][0]["n"]["value"])
    everything, only_inferred = n(), n(**{"default-graph-uri": inferred})
    assert 0 < only_inferred < everything
    named = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    params = {"query": named, "named-graph-uri": inferred}
    body = requests.get(endpoint, params=params, headers={"Accept": "application/json"}).json()
    assert [b["g"]["value"] for b in body["results"]["bindings"]] == [inferred]


def test_service_description_by_conneg(endpoint: str, release_dir: Path) -> None:
    response = requests.get(endpoint, headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=response.text, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert any(str(o) == sd + "SPARQL11Query" for o in graph.objects(None, None))
    names = sorted(str(o) for o in graph.objects(None, URIRef(sd + "name")))
    assert names == Release.current(release_dir).manifest["named_graphs"], "every named graph the store holds"


def test_the_service_description_is_rendered_once_per_release_and_answers_304_to_its_tag(
        release_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """It says only what the release and the configuration fix: rendered once (10 ms each time before), then served
    with an ETag from the release's document cache, in every RDF format the endpoint offers for it."""
    from server import create_app, description

    calls = count_calls(monkeypatch, description, "service_description")
    client = create_app({"RELEASE_DIR": str(release_dir), "WORKERS": 1}).test_client()
    for media in ("text/turtle", "application/n-triples", "application/ld+json", "text/turtle"):
        first, again = (client.get("/sparql", headers={"Accept": media}) for _ in range(2))
        assert first.status_code == 200 and first.data == again.data and first.headers["ETag"]
        assert first.headers["Content-Type"].startswith(media)
        unchanged = client.get("/sparql", headers={"Accept": media, "If-None-Match": first.headers["ETag"]})
        assert unchanged.status_code == 304 and not unchanged.data
    assert calls == [()], "one rendering, whatever the format"


@pytest.mark.parametrize(
    ("method", "kwargs", "status", "needle"),
    [
        ("get", {"params": {"query": "SELECT * WHERE { ?s ?p "}}, 400, "error at 1:"),
        ("get", {"params": [("query", "ASK {}"), ("query", "ASK {}")]}, 400, "given 2 times"),
        ("put", {"data": "ASK {}"}, 405, "method not allowed"),
        ("delete", {}, 405, "method not allowed"),
        ("post", {"data": "ASK {}", "headers": {"Content-Type": "text/plain"}}, 415, "text/plain"),
        ("post", {"data": b"ASK {}", "headers": {"Content-Type": ""}}, 415, "Content-Type"),
        ("post", {"data": {"update": "INSERT DATA { <a:b> <a:c> <a:d> }"}}, 403, "read-only"),
        ("post", {"data": "INSERT DATA { <a:b> <a:c> <a:d> }", "headers": {"Content-Type": UPDATE}}, 403, "read-only"),
        ("post", {"data": "DROP ALL", "headers": {"Content-Type": "application/sparql-query"}}, 403, "read-only"),
        ("get", {"params": {"query": "SELECT * WHERE { ?s ?p ?o } # " + "x" * 70_000}}, 413, "limit"),
        ("post", {"data": "ASK {}".encode("utf-16"),
                  "headers": {"Content-Type": "application/sparql-query; charset=UTF-16"}}, 415, "utf-16"),
        ("post", {"data": {"query": "ASK {} #" + "x" * 70_000}}, 413, "limit"),
    ],
)
def test_bad_requests_get_readable_4xx(
    endpoint: str, method: str, kwargs: dict[str, object], status: int, needle: str
) -> None:
    response = getattr(requests, method)(endpoint, **kwargs)
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].split(";")[0] in ("text/plain", "application/json")
    assert needle in response.text
    assert "Traceback" not in response.text and "<html" not in response.text.lower()


def test_relative_iris_resolve_against_the_endpoint(endpoint: str) -> None:
    response = requests.get(endpoint, params={"query": "SELECT (<x> AS ?iri) WHERE {}"},
                            headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.json()["results"]["bindings"][0]["iri"]["value"] == endpoint.rsplit("/", 1)[0] + "/x"


def test_json_error_body_when_asked(endpoint: str) -> None:
    response = requests.get(endpoint, params={"query": "SELECT {"}, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.json()["status"] == 400 and "syntax" in response.json()["message"]


def test_cors_and_preflight(endpoint: str) -> None:
    response = requests.get(endpoint, params={"query": ASK}, headers={"Origin": "http://example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Content-Type" in response.headers["Access-Control-Expose-Headers"]
    preflight = requests.options(endpoint, headers={
        "Origin": "http://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 204
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert preflight.headers["Access-Control-Allow-Headers"] == "content-type"


def test_named_queries_api(live_server) -> None:  # type: ignore[no-untyped-def]
    listing = requests.get(live_server.url + "/queries/").json()
    assert len(listing) >= 20
    first = listing[0]
    assert {"name", "title", "question", "url"} <= set(first)
    response = requests.get(first["url"], headers={"Accept": "text/csv"})
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    assert len(response.text.splitlines()) > 1
    assert requests.get(live_server.url + "/queries/nope").status_code == 404
    assert requests.get(live_server.url + "/queries/").headers["Access-Control-Allow-Origin"] == "*"


def test_named_query_parameters(live_server) -> None:  # type: ignore[no-untyped-def]
    listing = {q["name"]: q for q in requests.get(live_server.url + "/queries/").json()}
    assert "type" in listing["dystonia-type-lesions-and-etiologies"]["parameters"]
    url = listing["dystonia-type-lesions-and-etiologies"]["url"]
    default = requests.get(url, headers={"Accept": "application/json"}).json()["results"]["bindings"]
    hand = requests.get(url, params={"type": "dkg:HandDystonia"}, headers={"Accept": "application/json"})
    assert hand.status_code == 200
    rows = hand.json()["results"]["bindings"]
    assert rows and rows != default
    assert {r["type"]["value"] for r in rows} == {str(DKG.HandDystonia)}
    for params, needle in (({"nope": "HP:0000643"}, "no parameter"), ({"type": "FOO:1"}, "unknown prefix"),
                           ({"type": "http://x/ y"}, "not an IRI")):
        bad = requests.get(url, params=params)
        assert bad.status_code == 400 and needle in bad.text


@pytest.mark.parametrize(("value", "needle"), [
    ("", "empty value"), ("   ", "empty value"), ("HP:", "no term"), ("dkg:", "no term"),
    ("notacurie", "not a term of this graph"), ("HP_0000643", "not a term of this graph"),
    ("HP:0000643,HP:0012179", "not a term of this graph"), ("HP:9999999", "not a term of this graph"),
    ("\x00", "not an IRI"), ("<http://x/ y>", "not an IRI"), ("<notanabsoluteiri>", "not a term of this graph")])
def test_a_parameter_value_that_names_no_term_is_a_400_naming_the_parameter(live_server, value: str,  # type: ignore[no-untyped-def]
                                                                           needle: str) -> None:
    """Found by the independent attempt: each of these answered an empty 200 (or a syntax error naming no parameter)."""
    url = live_server.url + "/queries/dystonia-type-lesions-and-etiologies"
    bad = requests.get(url, params={"type": value})
    assert bad.status_code == 400 and ": type: " in bad.text and needle in bad.text, bad.text
    good = requests.get(url, params={"type": "<http://purl.obolibrary.org/obo/HP_0012179>"},
                        headers={"Accept": "application/json"})
    assert good.status_code == 200 and good.json()["results"]["bindings"], "an IRI in angle brackets is an IRI"


def test_more_parameter_values_than_the_bound_is_a_400_before_any_is_read(live_server) -> None:  # type: ignore[no-untyped-def]
    """Each value is looked up in the graph, so a request may give at most MAX_VALUES of them; over it, the count is
    refused before a value is read (these would each be 'not an IRI'), and at it the values are read."""
    from server.queries_api import MAX_VALUES

    url = live_server.url + "/queries/dystonia-type-lesions-and-etiologies"
    over = requests.get(url, params=[("type", "http://x/ y")] * (MAX_VALUES + 1))
    assert over.status_code == 400 and f"at most {MAX_VALUES} parameter values, not {MAX_VALUES + 1}" in over.text
    at = requests.get(url, params=[("type", "http://x/ y")] * MAX_VALUES)
    assert at.status_code == 400 and "not an IRI" in at.text, at.text


def test_roll_up_query_parameters(live_server) -> None:  # type: ignore[no-untyped-def]
    """The roll-up queries declare their class parameter; the brain-region grouping has a fixed set, no parameter."""
    listing = {q["name"]: q for q in requests.get(live_server.url + "/queries/").json()}
    assert "structure" in listing["lesions-within-structure"]["parameters"]
    assert "class" in listing["etiologies-under-disease-class"]["parameters"]
    assert "class" in listing["drugs-under-chemical-class"]["parameters"]
    assert listing["lesion-sites-by-brain-region"]["parameters"] == {}
    url = listing["lesions-within-structure"]["url"]
    obo = "http://purl.obolibrary.org/obo/"
    cerebellum, brainstem = obo + "UBERON_0002037", obo + "UBERON_0002298"
    response = requests.get(url, params={"structure": "UBERON:0002037"}, headers={"Accept": "application/json"})
    assert response.status_code == 200
    rows = response.json()["results"]["bindings"]
    assert {r["structure"]["value"] for r in rows} == {cerebellum}
    assert {r["statement"]["value"].rsplit("/", 1)[-1] for r in rows} == {"S0003", "S0034", "S0035", "S0036"}
    both = requests.get(url, params=[("structure", "UBERON:0002037"), ("structure", brainstem)],  # CURIE or IRI
                        headers={"Accept": "application/json"}).json()["results"]["bindings"]
    assert {r["structure"]["value"] for r in both} == {cerebellum, brainstem}
    fixed = requests.get(listing["lesion-sites-by-brain-region"]["url"], params={"region": "UBERON:0002037"})
    assert fixed.status_code == 400 and "no parameter 'region'" in fixed.text
