"""Bad input: every malformed request gets a 4xx that names the problem, never a 500."""

from __future__ import annotations

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import LiveServer

BAD_IRIS = ["http://x/a%0d", "http://x/a%00", "http://x/a%0b", "http://x/a%7f", "http://x/a%c2%85", "http://x/%zz",
            "http://[::1/", "http://x/a b", "http://x/<a>", 'http://x/"', "http://x/{a}", "http://x/a\\b"]


@pytest.mark.parametrize("uri", BAD_IRIS)
def test_describe_rejects_invalid_iris_with_400(live_server: LiveServer, uri: str) -> None:
    # requests would re-encode the parameter: send the query string exactly as written.
    response = requests.get(live_server.url + "/describe?uri=" + uri.replace(" ", "%20"), timeout=10)
    assert response.status_code == 400, response.text
    assert "IRI" in response.text


@given(st.text(min_size=1, max_size=80))
def test_describe_never_fails_with_500(live_server: LiveServer, tail: str) -> None:
    response = requests.get(live_server.url + "/describe", params={"uri": "http://x/" + tail}, timeout=10)
    assert response.status_code in (400, 404), (tail, response.status_code, response.text)


@given(st.text(max_size=200))
def test_sparql_never_fails_with_500(live_server: LiveServer, text: str) -> None:
    response = requests.post(live_server.url + "/sparql", data=text.encode("utf-8", "surrogatepass"),
                             headers={"Content-Type": "application/sparql-query"}, timeout=30)
    assert response.status_code < 500 or response.status_code == 503, (text, response.text)


def test_syntax_errors_name_line_and_column(live_server: LiveServer) -> None:
    response = requests.get(live_server.url + "/sparql", params={"query": "SELECT * WHERE {\n ?s ?p \n"}, timeout=10)
    assert response.status_code == 400
    assert "error at 3:" in response.text or "error at 2:" in response.text
