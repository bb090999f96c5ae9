"""Shared fixtures: one release built per test session from the shipped sources."""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings

from graph.build import Assembled, Sources, assemble, build, memory_store, publish
from graph.release import Release
from graph.store import EmbeddedStore, open_store
from server.live import LiveProcess, serve_release

# Property-based tests: bounded in the normal run ("ci"), long in bench/fuzz.py ("campaign").
settings.register_profile("ci", max_examples=int(os.environ.get("DKG_FUZZ_EXAMPLES", "150")), deadline=None)
settings.register_profile("campaign", max_examples=5000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

DATA = Path(__file__).parent / "data"


def quiet(_: str) -> None:
    """Progress sink that prints nothing."""


def count_calls(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[tuple[object, ...]]:
    """Replace ``module.name`` for the test with a pass-through that records the arguments of each call."""
    calls: list[tuple[object, ...]] = []
    real = getattr(module, name)

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


@pytest.fixture(scope="session")
def assembled() -> Assembled:
    """The ontology and curated graphs of the shipped sources (not reasoned)."""
    return assemble(quiet)


def _shared(factory: pytest.TempPathFactory, name: str, make: Callable[[Path], object]) -> Path:
    """A folder made once per test run and shared by the xdist workers (each would otherwise build its own): the
    first worker to ask makes it under a file lock, the others wait for it and read it. Tests only read it."""
    base = factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = shared / name
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / "current").exists():
            shutil.rmtree(folder, ignore_errors=True)  # a worker that died mid-build left it half made
            make(folder)
    return folder


@pytest.fixture(scope="session")
def release_dir(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Path:
    """A release folder holding one full build of the shipped sources (built from the session's assembled
    graphs, which the build would otherwise parse again)."""
    return _shared(tmp_path_factory, "release",
                   lambda root: publish(request.getfixturevalue("assembled"), root, quiet))


@pytest.fixture(scope="session")
def small_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A release folder holding one build of the curated graphs without HPO (seconds, where the full build
    takes tens): for the tests that build over a release or switch releases."""
    return _shared(tmp_path_factory, "small", lambda root: build(root, quiet, Sources(with_hpo=False)))


@pytest.fixture()
def release_copy(small_release: Path, tmp_path: Path) -> Path:
    """A test's own copy of the small release (``current`` is a relative link, so the copy is whole)."""
    copy = tmp_path / "release"
    shutil.copytree(small_release, copy, symlinks=True)
    return copy


@pytest.fixture(scope="session")
def release_store(release_dir: Path) -> EmbeddedStore:
    """The on-disk store of the session's release, read-only."""
    return open_store(Release.current(release_dir).selector)


@pytest.fixture()
def assembled_store(assembled: Assembled) -> EmbeddedStore:
    """An in-memory store of the assembled (unreasoned) graphs."""
    return memory_store(assembled)


SECRET = b"INTERNAL-SERVICE-SECRET-BODY"


@pytest.fixture()
def listener():  # type: ignore[no-untyped-def]
    """A local TCP listener that records every connection it receives (its URL, the received bytes)."""
    import contextlib
    import socket
    import threading

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    sock.settimeout(0.2)
    hits: list[object] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            hits.append(conn.recv(1024))
            with contextlib.suppress(OSError):  # answer like an internal service would, with a body to leak
                conn.sendall(b"HTTP/1.1 500 Internal\r\nContent-Length: %d\r\n\r\n%s" % (len(SECRET), SECRET))
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/sparql", hits
    stop.set()
    thread.join()
    sock.close()


LiveServer = LiveProcess  # what the live-server fixtures yield: a real server process on a loopback port


@pytest.fixture(scope="session")
def live_server(release_dir: Path):  # type: ignore[no-untyped-def]
    """The session's release served by a real server process, with small limits for the limit tests."""
    server = serve_release(release_dir, DKG_QUERY_TIMEOUT="3", DKG_MAX_ROWS="5000", DKG_WORKERS="2")
    yield server
    server.stop()


SERVER_FIXTURES = {"live_server", "tight_server", "oxigraph_endpoint", "virtuoso", "virtuoso_endpoint", "remote",
                   "endpoint", "other_server"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark what needs real processes: ``server`` (a fixture that starts one) and ``browser`` (Chromium)."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & SERVER_FIXTURES:
            item.add_marker(pytest.mark.server)
        if item.path.name == "test_browser.py":
            item.add_marker(pytest.mark.browser)
