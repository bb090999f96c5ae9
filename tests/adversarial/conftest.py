"""Helpers of the adversarial suite: every way a query reaches the endpoint, raw HTTP, servers with tight limits."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from server.live import serve_release
from tests.conftest import LiveServer

WAYS = ("get", "form", "direct")


def send(endpoint: str, query: str, way: str, accept: str | None = None, timeout: float = 30) -> requests.Response:
    """Send ``query`` by GET, form-encoded POST or direct POST, as the SPARQL protocol allows."""
    headers = {"Accept": accept} if accept else {}
    if way == "get":
        return requests.get(endpoint, params={"query": query}, headers=headers, timeout=timeout)
    if way == "form":
        return requests.post(endpoint, data={"query": query}, headers=headers, timeout=timeout)
    headers["Content-Type"] = "application/sparql-query"
    return requests.post(endpoint, data=query.encode("utf-8"), headers=headers, timeout=timeout)


def raw(port: int, request: bytes, timeout: float = 10) -> bytes:
    """Send bytes as they are (from a thread, so an early answer is read while sending) and read the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:

        def write() -> None:
            # No half-close after sending: the server takes a closed read side for a client that hung up
            # (server/serve.py), as it cannot tell the two apart.
            with contextlib.suppress(OSError):  # the server may answer and close before it has read everything
                sock.sendall(request)

        sender = threading.Thread(target=write, daemon=True)
        sender.start()
        chunks = []
        with contextlib.suppress(TimeoutError, ConnectionResetError):
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        sender.join(timeout)
    return b"".join(chunks)


def status_of(response: bytes) -> int:
    """The status code of a raw HTTP response."""
    return int(response.split(b" ", 2)[1])


@pytest.fixture(scope="module")
def endpoint(live_server: LiveServer) -> str:
    """The session server's SPARQL endpoint."""
    return live_server.url + "/sparql"


@pytest.fixture(scope="module")
def tight_server(release_dir: Path) -> Iterator[LiveServer]:
    """A server with one worker, a one-place queue, a short deadline and small memory and byte caps."""
    server = serve_release(release_dir, DKG_WORKERS="1", DKG_QUERY_QUEUE="1", DKG_QUERY_TIMEOUT="3",
                           DKG_WORKER_MEMORY=str(400 * 1024 * 1024), DKG_MAX_BYTES=str(1024 * 1024))
    yield server
    server.stop()
