"""One contract, every backend: the competency queries answer the same through the embedded store
and through a real Oxigraph server behind the ``sparql:URL`` selector, and the endpoint serves either."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from graph.query import NamedQuery, named_queries
from graph.store import RemoteStore, open_backend
from graph.vocab import DKG

from .conftest import LiveServer, free_port
from .test_queries import GOLDEN_DIR, golden

QUERIES = named_queries()


@pytest.fixture(scope="session")
def oxigraph_endpoint(release_dir: Path) -> Iterator[str]:
    """A real Oxigraph server (the `oxigraph` package's binary) over the session's release store."""
    binary = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    assert binary, "the oxigraph server binary is required (pip package `oxigraph`, a test dependency)"
    port = free_port()
    process = subprocess.Popen(
        [binary, "serve-read-only", "--location", str(release_dir / "current" / "store"),
         "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/query"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail("the Oxigraph server did not start")
    yield url
    process.terminate()
    process.wait(10)


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
    server = LiveServer(release_dir, DKG_STORE=f"sparql:{oxigraph_endpoint}")
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


def _start_oxigraph(store: Path, port: int) -> subprocess.Popen[bytes]:
    binary = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or "oxigraph"
    process = subprocess.Popen([binary, "serve-read-only", "--location", str(store), "--bind", f"127.0.0.1:{port}",
                                "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", timeout=1).close()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the Oxigraph server did not start")


def test_remote_backend_stopped_and_restarted(release_dir: Path) -> None:
    port = free_port()
    store = release_dir / "current" / "store"
    remote = _start_oxigraph(store, port)
    server = LiveServer(release_dir, DKG_STORE=f"sparql:http://127.0.0.1:{port}/query")
    ask = {"query": "ASK { ?s ?p ?o }"}
    try:
        assert requests.get(server.url + "/sparql", params=ask).status_code == 200
        remote.terminate()
        remote.wait(10)
        down = requests.get(server.url + "/sparql", params=ask, headers={"Accept": "application/json"})
        assert down.status_code == 503 and "unreachable" in down.json()["message"]
        remote = _start_oxigraph(store, port)
        deadline = time.monotonic() + 20
        while requests.get(server.url + "/sparql", params=ask).status_code != 200:
            assert time.monotonic() < deadline, "the server did not recover when the backend came back"
            time.sleep(0.2)
    finally:
        server.stop()
        remote.terminate()
        remote.wait(10)
