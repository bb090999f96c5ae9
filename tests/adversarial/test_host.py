"""Host: the server names itself from configuration; the Host header is never reflected."""

from __future__ import annotations

import pytest
import requests

from tests.conftest import LiveServer

PATHS = ["/robots.txt", "/sitemap.xml", "/void", "/data/S0010.jsonld", "/data/S0010.ttl", "/page/S0010",
         "/sparql", "/.well-known/void", "/id/S0010"]


@pytest.mark.parametrize("host", ["evil.example", "xn--a", "xn--", "a..b", "[::1", "ex ample", "é.example", ""])
@pytest.mark.parametrize("path", PATHS)
def test_unknown_hosts_get_the_configured_hosts_iris(live_server: LiveServer, path: str, host: str) -> None:
    response = requests.get(live_server.url + path, headers={"Host": host}, allow_redirects=False, timeout=30)
    assert response.status_code < 500, response.text
    everything = response.text + " ".join(f"{k}: {v}" for k, v in response.headers.items())
    if host:
        assert host not in everything.replace(live_server.url, "")
    if response.status_code == 200 and path.endswith(".jsonld"):
        assert response.json()["@context"] == live_server.url + "/context.jsonld"


def test_the_document_cache_is_not_keyed_by_host(live_server: LiveServer) -> None:
    tags = {requests.get(live_server.url + "/data/S0010.jsonld", headers={"Host": host}, timeout=30).headers["ETag"]
            for host in ("a.example", "b.example", f"127.0.0.1:{live_server.port}")}
    assert len(tags) == 1
