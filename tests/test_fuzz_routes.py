"""Property-based: random Accept headers, paths and mutated SPARQL never give a 5xx (in-process).

The normal run is bounded (hypothesis profile "ci", 150 examples a test); `bench/fuzz.py` runs the
same tests as a longer campaign (profile "campaign").
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.query import named_queries
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
    # A mutated query may be heavy: a short deadline keeps it a cheap 503 (what the test allows), not seconds.
    app = create_app({"RELEASE_DIR": str(release_dir), "QUERY_TIMEOUT": 1.0})
    yield app.test_client()
    pool = app.extensions.get("dkg_pool")
    if pool is not None:
        pool.close()


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(accept=ACCEPT)
def test_random_accept_headers(client: FlaskClient, accept: str) -> None:
    for path in ("/id/S0010", "/id/HandDystonia", "/ontology", "/sparql"):
        response = client.get(path, headers={"Accept": accept})
        assert response.status_code in (200, 303, 406), (path, accept, response.status_code)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(prefix=PREFIX, tail=st.text(max_size=120), accept=ACCEPT)
def test_random_paths(client: FlaskClient, prefix: str, tail: str, accept: str) -> None:
    response = client.get(prefix + quote(tail, safe="/.:?=&"), headers={"Accept": accept})
    # The one 5xx allowed is the 503 that names the limit it hit (a query's deadline: under a loaded machine even
    # a garbled /sparql text's parse can reach the 1 s of this client); any other 5xx is a bug.
    limit = response.status_code == 503 and b"\nlimit: " in response.data
    assert response.status_code < 500 or limit, (prefix, tail, response.status_code, response.data[:200])
    assert b"Traceback" not in response.data


COMPETENCY = [q.text for q in named_queries()]


@st.composite
def mutated_query(draw: st.DrawFn) -> str:
    """A competency query with a few random edits: deletions, insertions, swaps, truncation."""
    text = draw(st.sampled_from(COMPETENCY))
    for _ in range(draw(st.integers(1, 4))):
        if not text:
            break
        position = draw(st.integers(0, len(text) - 1))
        action = draw(st.sampled_from(["delete", "insert", "swap", "truncate", "duplicate"]))
        if action == "delete":
            text = text[:position] + text[position + draw(st.integers(1, 12)):]
        elif action == "insert":
            text = text[:position] + draw(st.sampled_from(["{", "}", "?x", "*", "(", ")", '"', "<", ">", " UNION ",
                                                            " FILTER(", " SERVICE <http://127.0.0.1:9/> ",
                                                            "\\", "\x00", "é", ".", ";"])) + text[position:]
        elif action == "swap" and position + 2 < len(text):
            text = text[:position] + text[position + 1] + text[position] + text[position + 2:]
        elif action == "truncate":
            text = text[:position]
        else:
            text = text[:position] + text[position: position + 40] * 2 + text[position + 40:]
    return text


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=mutated_query(), method=st.sampled_from(["get", "form", "direct"]), accept=ACCEPT)
def test_mutated_queries_never_give_a_5xx_but_limits(client: FlaskClient, query: str, method: str,
                                                     accept: str) -> None:
    headers = {"Accept": accept}
    if method == "get":
        response = client.get("/sparql", query_string={"query": query}, headers=headers)
    elif method == "form":
        response = client.post("/sparql", data={"query": query}, headers=headers)
    else:
        response = client.post("/sparql", data=query.encode("utf-8", "surrogatepass"), headers=headers,
                               content_type="application/sparql-query")
    # 503 is the limit answer (deadline or caps), decided before the body; anything else 5xx is a bug.
    assert response.status_code in (200, 400, 403, 406, 413, 415, 503), (response.status_code, response.data[:300])
    assert b"Traceback" not in response.data
