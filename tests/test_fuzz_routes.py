"""Property-based: random Accept headers and paths never give a 5xx (in-process, bounded examples)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server import create_app

ACCEPT_PARTS = st.sampled_from(["text/turtle", "text/html", "*/*", "application/ld+json", "application/xml", "text/*",
                                "image/png", "application/rdf+xml", "text/plain", "a/b/c", ";;", ""])
# Header values cannot hold CR, LF or NUL (the client refuses to send them); anything else goes.
SAFE = st.characters(blacklist_characters="\r\n\x00", blacklist_categories=("Cs",))
HEADER_TEXT = st.text(alphabet=SAFE, max_size=200)
ACCEPT = st.one_of(
    HEADER_TEXT,
    st.lists(st.tuples(ACCEPT_PARTS, st.one_of(st.none(), st.floats(-2, 3), st.text(alphabet=SAFE, max_size=5))),
             max_size=8).map(
        lambda items: ", ".join(m + ("" if q is None else f";q={q}") for m, q in items)),
)
PREFIX = st.sampled_from(["/id/", "/data/", "/page/", "/describe?uri=", "/ontology/", "/dumps/", "/queries/",
                          "/api/search?q=", "/search?q=", "/sparql?query="])


@pytest.fixture(scope="module")
def client(release_dir: Path) -> Iterator[FlaskClient]:
    app = create_app({"RELEASE_DIR": str(release_dir), "QUERY_TIMEOUT": 5.0})
    yield app.test_client()
    pool = app.extensions.get("dkg_pool")
    if pool is not None:
        pool.close()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(accept=ACCEPT)
def test_random_accept_headers(client: FlaskClient, accept: str) -> None:
    for path in ("/id/S0010", "/id/HandDystonia", "/ontology", "/sparql"):
        response = client.get(path, headers={"Accept": accept})
        assert response.status_code in (200, 303, 406), (path, accept, response.status_code)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(prefix=PREFIX, tail=st.text(max_size=120), accept=ACCEPT)
def test_random_paths(client: FlaskClient, prefix: str, tail: str, accept: str) -> None:
    response = client.get(prefix + quote(tail, safe="/.:?=&"), headers={"Accept": accept})
    assert response.status_code < 500, (prefix, tail, response.status_code, response.data[:200])
    assert b"Traceback" not in response.data
