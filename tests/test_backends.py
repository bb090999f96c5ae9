"""One contract, every backend: the competency queries answer the same through the embedded store
and through a real Oxigraph server behind the ``sparql:URL`` selector, and the endpoint serves either."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from graph.query import NamedQuery, named_queries
from graph.release import Release
from graph.store import RemoteStore, open_backend
from graph.vocab import DKG
from server.live import oxigraph_server, serve_release

from .test_queries import GOLDEN_DIR, golden

QUERIES = named_queries()


@pytest.fixture(scope="session")
def oxigraph_endpoint(release_dir: Path) -> Iterator[str]:
    """A real Oxigraph server over the session's release store."""
    with oxigraph_server(Release.current(release_dir).store_path) as server:
        yield server.url + "/query"


def test_selector_picks_the_backend(oxigraph_endpoint: str) -> None:
    assert isinstance(open_backend(f"sparql:{oxigraph_endpoint}"), RemoteStore)
    with pytest.raises(ValueError, match="unknown store selector"):
        open_backend("fuseki:somewhere")


@pytest.mark.parametrize("query", QUERIES, ids=[q.name for q in QUERIES])
def test_remote_backend_matches_golden(query: NamedQuery, oxigraph_endpoint: str) -> None:
    expected_header, expected_rows = golden.read_golden(GOLDEN_DIR / f"{query.name}.tsv")
    header, rows = golden.run(RemoteStore(oxigraph_endpoint), query.text)
    assert header == expected_header
    assert sorted(rows) == sorted(expected_rows)


def test_remote_backend_errors_are_named(oxigraph_endpoint: str) -> None:
    with pytest.raises(SyntaxError, match="remote endpoint"):
        RemoteStore(oxigraph_endpoint).query("SELECT * WHERE {")


def test_endpoint_in_front_of_a_remote_engine(release_dir: Path, oxigraph_endpoint: str) -> None:
    server = serve_release(release_dir, DKG_STORE=f"sparql:{oxigraph_endpoint}")
    try:
        query = next(q for q in QUERIES if q.name == "contralateral-lesion-sites")
        response = requests.get(server.url + "/sparql", params={"query": query.text},
                                headers={"Accept": "application/sparql-results+json"})
        assert response.status_code == 200
        sites = sorted(b["site"]["value"] for b in response.json()["results"]["bindings"])
        _, expected = golden.read_golden(GOLDEN_DIR / "contralateral-lesion-sites.tsv")
        assert len(sites) == len(expected) == 7
        construct = requests.get(server.url + "/sparql", headers={"Accept": "text/turtle"},
                                 params={"query": f"CONSTRUCT WHERE {{ ?s a <{DKG.Gene}> }}"})
        assert construct.status_code == 200 and "identifiers.org/ncbigene/1861" in construct.text
        bad = requests.get(server.url + "/sparql", params={"query": "SELECT * WHERE {"})
        assert bad.status_code == 400
    finally:
        server.stop()


@pytest.mark.server
def test_remote_backend_stopped_and_restarted(release_dir: Path) -> None:
    store = Release.current(release_dir).store_path
    remote = oxigraph_server(store)
    port = remote.port
    server = serve_release(release_dir, DKG_STORE=f"sparql:{remote.url}/query")
    ask = {"query": "ASK { ?s ?p ?o }"}
    try:
        assert requests.get(server.url + "/sparql", params=ask).status_code == 200
        remote.stop()
        down = requests.get(server.url + "/sparql", params=ask, headers={"Accept": "application/json"})
        assert down.status_code == 503 and "unreachable" in down.json()["message"]
        remote = oxigraph_server(store, port)
        deadline = time.monotonic() + 20
        while requests.get(server.url + "/sparql", params=ask).status_code != 200:
            assert time.monotonic() < deadline, "the server did not recover when the backend came back"
            time.sleep(0.2)
    finally:
        server.stop()
        remote.stop()
