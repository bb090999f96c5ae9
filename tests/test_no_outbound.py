"""The endpoint never makes an outbound request: SERVICE, LOAD and remote FROM reach nobody."""

from __future__ import annotations

import requests

from tests.conftest import SECRET


def test_listener_is_reachable(listener) -> None:  # type: ignore[no-untyped-def]
    url, hits = listener
    assert SECRET.decode() in requests.get(url, timeout=2).text
    assert hits, "the listener must see a direct request, or the test below proves nothing"


def test_service_load_and_remote_from_make_no_request(live_server, listener) -> None:  # type: ignore[no-untyped-def]
    url, hits = listener
    endpoint = live_server.url + "/sparql"
    service = requests.get(endpoint, params={"query": f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"})
    assert service.status_code == 400 and "SERVICE" in service.text
    lower = requests.get(endpoint, params={"query": f"select * {{ service silent <{url}> {{ ?s ?p ?o }} }}"})
    assert lower.status_code == 400
    load = requests.post(endpoint, data={"update": f"LOAD <{url}>"})
    assert load.status_code == 403
    load_as_query = requests.post(endpoint, data=f"LOAD <{url}>", headers={"Content-Type": "application/sparql-query"})
    assert load_as_query.status_code == 403
    remote = f"SELECT * FROM <{url}> FROM NAMED <{url}> WHERE {{ ?s ?p ?o }}"
    from_remote = requests.get(endpoint, params={"query": remote}, headers={"Accept": "application/json"})
    assert from_remote.status_code == 200
    assert from_remote.json()["results"]["bindings"] == []
    by_dataset = requests.get(endpoint, params={"query": "ASK { ?s ?p ?o }", "default-graph-uri": url})
    assert by_dataset.status_code == 200
    assert hits == []
