"""Slow clients: 64 clients that send or read slowly hold sockets, never the threads a steady client needs.

Under the ``slow`` marker: ``make test`` leaves it out, ``.ci/run`` runs it.
"""

from __future__ import annotations

import contextlib
import socket
import statistics
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import requests

from tests.conftest import LiveServer

pytestmark = pytest.mark.slow
CLIENTS = 64


def _slow_headers(port: int, stop: threading.Event) -> None:
    """Slowloris: a request line, then one header byte every second."""
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(b"GET /robots.txt HTTP/1.1\r\nHost: x\r\n")
        while not stop.wait(1.0):
            sock.sendall(b"X")


def _slow_body(port: int, stop: threading.Event) -> None:
    """A form POST that announces 60 KB and sends one byte a second."""
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                     b"Content-Length: 60000\r\n\r\nquery=")
        while not stop.wait(1.0):
            sock.sendall(b"A")


def _slow_reader(port: int, stop: threading.Event) -> None:
    """Asks for the largest dump and reads nothing (a zero receive window)."""
    with contextlib.suppress(OSError), socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect(("127.0.0.1", port))
        sock.sendall(b"GET /dumps/dystonia-kg.nq HTTP/1.1\r\nHost: x\r\n\r\n")
        stop.wait(60)


@contextlib.contextmanager
def _attackers(port: int, kind: Callable[[int, threading.Event], None]) -> Iterator[None]:
    stop = threading.Event()
    threads = [threading.Thread(target=kind, args=(port, stop), daemon=True) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    time.sleep(2)  # let them all connect and stall
    try:
        yield
    finally:
        stop.set()


def _steady(url: str, seconds: float = 5) -> list[float]:
    latencies: list[float] = []
    session = requests.Session()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        started = time.monotonic()
        for path in ("/robots.txt", "/sparql?query=ASK%7B%7D", "/data/S0010.ttl"):
            assert session.get(url + path, timeout=10).status_code == 200
        latencies.append(time.monotonic() - started)
    return latencies


@pytest.mark.parametrize("kind", [_slow_headers, _slow_body, _slow_reader], ids=["headers", "body", "reader"])
def test_a_steady_client_keeps_answering_through_64_slow_clients(live_server: LiveServer, kind) -> None:  # type: ignore[no-untyped-def]
    baseline = _steady(live_server.url, 2)
    with _attackers(live_server.port, kind):
        under_attack = _steady(live_server.url)
    p99 = statistics.quantiles(under_attack, n=100)[98] if len(under_attack) > 1 else under_attack[0]
    assert p99 < max(1.0, 4 * statistics.median(baseline)), (p99, statistics.median(baseline))
    assert live_server.process.poll() is None, "the server must not have stopped"


def test_pipelined_requests_that_are_never_read_hold_no_thread(live_server: LiveServer) -> None:
    """Found by the independent attempt: each connection pipelines six dump requests and never reads;
    waitress made a thread wait for each, so 20 such connections stopped the server."""
    request = b"GET /dumps/dystonia-kg.nq HTTP/1.1\r\nHost: x\r\n\r\n" * 6
    sockets = []
    try:
        for _ in range(24):
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.connect(("127.0.0.1", live_server.port))
            sock.sendall(request)
            sockets.append(sock)
        time.sleep(2)
        under_attack = _steady(live_server.url, 4)
    finally:
        for sock in sockets:
            sock.close()
    assert max(under_attack) < 2.0, max(under_attack)
