"""The OpenAPI 3.1 document (/openapi.json): valid by openapi-spec-validator, generated from the registries the routes
use (the named queries, the format registry, the release's dumps), and true: every operation, sent its examples, answers
with the status and media type the document promises, in a body that parses as that type."""

from __future__ import annotations

import csv
import io
import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox
import pytest
import requests
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from graph import formats
from graph.formats import OPENAPI, RDF_DOCUMENTS
from graph.query import named_queries, parameter_defaults
from graph.release import Release
from graph.vocab import compact

METHODS = ("get", "post")
DOCUMENT_URI = "urn:dystonia-kg:openapi"


@pytest.fixture(scope="module")
def document(live_server) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = requests.get(live_server.url + "/openapi.json", timeout=60)
    assert response.status_code == 200 and response.headers["Content-Type"] == formats.JSON
    return response.json()  # type: ignore[no-any-return]


def test_the_document_is_valid_openapi_3_1_and_offered_under_both_media_types(live_server, document) -> None:  # type: ignore[no-untyped-def]
    assert document["openapi"].startswith("3.1.")
    validate(document)  # openapi-spec-validator: raises with the failing part of the document
    named = requests.get(live_server.url + "/openapi.json", headers={"Accept": OPENAPI}, timeout=30)
    assert named.headers["Content-Type"] == OPENAPI and named.json() == document
    refused = requests.get(live_server.url + "/openapi.json", headers={"Accept": "text/turtle"}, timeout=30)
    assert refused.status_code == 406 and OPENAPI in refused.text


def test_the_document_describes_what_the_registries_hold(document, release_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """One path per named query with its parameters and their VALUES IRIs as examples; one data path per RDF
    document format; one dump path per dump the release has."""
    paths = document["paths"]
    queries = named_queries()
    assert {p for p in paths if p.startswith("/queries/") and p != "/queries/"} == {f"/queries/{q.name}"
                                                                                     for q in queries}
    for query in queries:
        operation = paths[f"/queries/{query.name}"]["get"]
        assert operation["summary"] == query.title and operation["description"].startswith(query.question)
        declared = {p["name"]: p for p in operation["parameters"]}
        assert set(declared) == {*query.parameters, "format"}, query.name
        for name, iris in parameter_defaults(query).items():
            assert iris, f"{query.name}: ?{name} has no VALUES block"
            assert declared[name]["example"] == [compact(iri) for iri in iris]
    assert {p for p in paths if p.startswith("/data/")} == {f"/data/{{id}}.{key}" for key in RDF_DOCUMENTS.keys}
    dumps = Release.current(release_dir).dumps
    assert dumps and {p for p in paths if p.startswith("/dumps/")} == {f"/dumps/dystonia-kg.{key}" for key in dumps}


class _Html(HTMLParser):
    """Parses without raising; records that it saw an element."""

    seen = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen = True


def parses(media: str, response: requests.Response, session: requests.Session) -> None:
    """Parse the body of ``response`` as ``media`` with a real parser of that type (raises when it does not parse);
    RDF as it arrives (the dumps are tens of megabytes)."""
    fmt = next((f for f in formats.FORMATS.values() if f.media_type == media), None)
    if fmt is not None and fmt.rdf is not None:
        if fmt.rdf != ox.RdfFormat.JSON_LD:
            assert sum(1 for _ in ox.parse(response.raw, format=fmt.rdf)) > 0
            return
        body = response.content
        parsed = json.loads(body)
        if isinstance(parsed, dict) and set(parsed) == {"@context"}:  # a context document (/context.jsonld)
            assert isinstance(parsed["@context"], dict) and not list(ox.parse(body, format=fmt.rdf)), "no triples"
            return
        try:
            assert sum(1 for _ in ox.parse(body, format=fmt.rdf)) > 0
        except SyntaxError as error:  # pyoxigraph loads no remote @context: do it, as a client's document loader does
            document = json.loads(body)
            if "LoadDocumentCallback" not in str(error) or not isinstance(document.get("@context"), str):
                raise
            document["@context"] = session.get(document["@context"], timeout=30).json()["@context"]
            assert sum(1 for _ in ox.parse(json.dumps(document).encode(), format=fmt.rdf)) > 0
        return
    body = response.content
    if fmt is not None and fmt.results is not None:
        ox.parse_query_results(body, format=fmt.results)
    elif media == formats.HTML:
        parser = _Html()
        parser.feed(body.decode("utf-8"))
        assert parser.seen
    elif media == "text/csv":
        assert list(csv.reader(io.StringIO(body.decode("utf-8"))))
    elif media.endswith("json"):
        json.loads(body)
    else:
        raise AssertionError(f"no parser for {media}: the test must learn it")


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, item[method]) for path, item in document["paths"].items() for method in METHODS
            if method in item]


def _encoded(example: Any) -> Any:
    """A body example as requests sends it: a text as UTF-8 (requests would send it as Latin-1), a form as is."""
    return example.encode("utf-8") if isinstance(example, str) else example


def requests_for(path: str, operation: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The requests an operation's examples make: its path with path parameters filled, the query parameters that
    have an example, and, for a request body, one request per media type with an example."""
    query: list[tuple[str, str]] = []
    for parameter in operation.get("parameters", []):
        if "example" not in parameter:
            assert not parameter.get("required"), f"{path}: required parameter {parameter['name']} has no example"
            continue
        value = parameter["example"]
        if parameter["in"] == "path":
            path = path.replace("{" + parameter["name"] + "}", quote(str(value), safe=""))
        else:
            query += [(parameter["name"], v) for v in (value if isinstance(value, list) else [value])]
    body = operation.get("requestBody", {}).get("content", {})
    if not body:
        return [(path, {"params": query})]
    sent = [(path, {"params": query, "headers": {"Content-Type": media}, "data": _encoded(content["example"])})
            for media, content in body.items() if "example" in content]
    assert sent or not operation["requestBody"].get("required"), f"{path}: a required body has no example"
    return sent


def test_every_operation_answers_its_examples_as_the_document_says(live_server, document) -> None:  # type: ignore[no-untyped-def]
    """Each operation, sent its examples and asking for the first media type of its first documented answer: that
    status, that Content-Type, a body that parses as it (and that JSON Schema, where one is given). A named query
    sent its parameters' examples (the IRIs of its VALUES blocks) answers as it does without them."""
    registry = Registry().with_resource(DOCUMENT_URI, Resource.from_contents(document,
                                                                             default_specification=DRAFT202012))
    session = requests.Session()
    checked = 0
    for path, method, operation in operations(document):
        status, answer = next(iter(operation["responses"].items()))
        assert status.startswith(("2", "3")), f"{method} {path}: its first answer is not a success"
        media = next(iter(answer.get("content", {})), None)
        for url_path, sent in requests_for(path, operation):
            headers = {**sent.pop("headers", {}), **({"Accept": media} if media else {})}
            response = session.request(method, live_server.url + url_path, headers=headers, allow_redirects=False,
                                        timeout=120, stream=True, **sent)
            where = f"{method.upper()} {url_path} {sent.get('params') or ''}"
            assert response.status_code == int(status), f"{where}: {response.status_code} {response.text[:300]}"
            for header in answer.get("headers", {}):
                assert header in response.headers, f"{where}: no {header} header"
            if media is None:
                continue
            assert formats.bare(response.headers["Content-Type"]) == media, where
            parses(media, response, session)
            schema = answer["content"][media].get("schema")
            if schema is not None:
                pointer = "/".join(p.replace("~", "~0").replace("/", "~1")
                                   for p in ("paths", path, method, "responses", status, "content", media, "schema"))
                OAS31Validator({"$ref": f"{DOCUMENT_URI}#/{pointer}"}, registry=registry).validate(response.json())
            if path.startswith("/queries/") and sent["params"]:
                plain = session.get(live_server.url + url_path, headers={"Accept": media}, timeout=120)
                assert plain.content == response.content, f"{where}: the examples are not the query's defaults"
            checked += 1
    assert checked >= len(named_queries()) + 10, checked


def test_every_route_is_in_the_document(live_server, document) -> None:  # type: ignore[no-untyped-def]
    """Each GET route the app has is described, unless it is for people or crawlers only (found by the independent
    attempt: /describe, the ontology's IRIs and documents, the JSON-LD context and the VoID pointer were missing)."""
    from server import create_app

    for_people = {"/", "/search", "/api/", "/robots.txt", "/sitemap.xml", "/metrics", "/ui/vendor/<path:filename>",
                  "/static/<path:filename>"}
    described = set(document["paths"])
    app = create_app({"RELEASE_DIR": "/nonexistent"})
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.rule in for_people:
            continue
        # A rule's variable part stands for the document's paths that fill it: /data/<path:name> for /data/{id}.ttl.
        stem = rule.rule.split("<", 1)[0]
        assert any(path == rule.rule or (stem != rule.rule and path.startswith(stem)) for path in described), rule.rule


def test_search_is_described_with_its_facet_and_its_counts(document) -> None:  # type: ignore[no-untyped-def]
    from graph.catalog import KINDS

    search = document["paths"]["/api/search"]["get"]
    [facet] = [p for p in search["parameters"] if p["name"] == "type"]
    assert facet["schema"]["items"]["enum"] == list(KINDS)
    results = document["components"]["schemas"]["SearchResults"]
    assert {"total", "counts", "type"} <= set(results["required"])
    assert {"kind", "matched"} <= set(document["components"]["schemas"]["SearchHit"]["required"])
    page = document["paths"]["/page/{id}"]["get"]
    assert "page" in {p["name"] for p in page["parameters"]} and "400" in page["responses"]
