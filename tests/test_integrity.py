"""Release integrity: a killed build leaves the served release alone; the server switches releases
without dropping a request."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from graph.build import Sources, build
from graph.executor import QueryJob
from graph.paths import CURATION_DIR
from server.live import serve_release

from .conftest import quiet


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _revised_curation(tmp_path: Path) -> Path:
    """A copy of the curation sources with one label changed: a build of it has a digest of its own."""
    curation = tmp_path / "curation"
    shutil.copytree(CURATION_DIR, curation)
    sources = curation / "sources.yaml"
    sources.write_text(sources.read_text().replace("label: Dystonia (Paris Brain Institute)",
                                                   "label: Dystonia (Paris Brain Institute, revised)"))
    return curation


def test_build_killed_while_writing_leaves_the_release_and_the_next_build_succeeds(
        release_copy: Path, tmp_path: Path) -> None:
    release = release_copy
    before = (release / "current").resolve()
    before_files = _files(before)
    # A build of revised sources gives a new digest; kill it as soon as it starts writing its files.
    curation = _revised_curation(tmp_path)
    command = [sys.executable, "-m", "graph.cli", "--release", str(release), "--curation", str(curation), "build",
               "--no-hpo"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not list((release / "builds").glob(".*.partial-*")):
        assert process.poll() is None, "the build ended before it was killed"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert (release / "current").resolve() == before
    assert _files(before) == before_files
    after = build(release, quiet, Sources(curation_dir=curation, with_hpo=False)).folder
    assert after != before and (release / "current").resolve() == after
    assert not list((release / "builds").glob(".*.partial-*")), "the killed build's leftovers are cleaned"


@pytest.mark.server
def test_server_switches_release_without_dropping_requests(release_copy: Path, tmp_path: Path) -> None:
    release = release_copy
    server = serve_release(release)
    failures: list[str] = []
    served: list[str] = []
    stop = threading.Event()

    def client() -> None:
        session = requests.Session()
        while not stop.is_set():
            for url in (f"{server.url}/data/Source003.nt", f"{server.url}/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D"):
                response = session.get(url, timeout=30)
                if response.status_code != 200:
                    failures.append(f"{url}: {response.status_code} {response.text[:100]}")
                elif url.endswith(".nt"):
                    served.append(response.text)

    threads = [threading.Thread(target=client) for _ in range(4)]
    try:
        for thread in threads:
            thread.start()
        time.sleep(1)
        build(release, quiet, Sources(curation_dir=_revised_curation(tmp_path), with_hpo=False))
        deadline = time.monotonic() + 30
        while not any("revised" in text for text in served[-20:]) and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        server.stop()
    assert failures == []
    assert any("revised" in text for text in served), "the new release is served"
    assert "revised" not in served[0], "the old release was served first"


def test_without_a_release_the_server_says_how_to_make_one(tmp_path: Path) -> None:
    """No release published: every route answers 503 with the hint, and the server refuses to start with it
    (no traceback, no worker error)."""
    import os

    from server import create_app
    from server.live import free_port

    client = create_app({"RELEASE_DIR": str(tmp_path), "WORKERS": 1}).test_client()
    for path in ("/", "/sparql?query=ASK%7B%7D", "/id/S0001", "/api/search?q=dystonia"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert "run `dystonia-kg build` first" in response.get_data(as_text=True), path
    serve = subprocess.run([sys.executable, "-m", "server", "--port", str(free_port())], capture_output=True,
                           text=True, timeout=120, env={**os.environ, "DKG_RELEASE_DIR": str(tmp_path)})
    assert serve.returncode == 1 and "run `dystonia-kg build` first" in serve.stderr
    assert "Traceback" not in serve.stderr


@pytest.mark.parametrize(("name", "value"), [("WORKER_RECYCLE", "abc"), ("DOCUMENT_CACHE_BYTES", "16MiB"),
                                           ("QUERY_TIMEOUT", "ten"), ("SANDBOX", "off"), ("QUERY_TIMEOUT", "-1"),
                                           ("LONG_QUERY_AFTER", "nan"), ("WORKERS", "-2")])
def test_a_bad_setting_stops_the_server_with_its_name_and_value(tmp_path: Path, name: str, value: str) -> None:
    """A DKG_* setting the server cannot take ends its start with a line naming it and its value, not a traceback;
    the app refuses it as a named error."""
    import os

    from server import create_app
    from server.config import ConfigError
    from server.live import free_port

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(f"DKG_{name}", value)
        with pytest.raises(ConfigError, match=f"DKG_{name}.*{value}"):
            create_app({"RELEASE_DIR": str(tmp_path)})
    serve = subprocess.run([sys.executable, "-m", "server", "--port", str(free_port())], capture_output=True,
                           text=True, timeout=120, env={**os.environ, "DKG_RELEASE_DIR": str(tmp_path),
                                                        f"DKG_{name}": value})
    assert serve.returncode == 1 and f"DKG_{name}" in serve.stderr and repr(value) in serve.stderr
    assert "Traceback" not in serve.stderr


def test_a_release_watch_reads_the_link_once_per_interval_and_sees_a_new_release_after_it(tmp_path: Path) -> None:
    """The server reads ``current`` at most once per interval (a syscall per request cost the request threads
    14 % at 8 clients), and serves a newly published build once the interval has passed."""
    from graph.release import ReleaseWatch

    builds = tmp_path / "builds"
    for name in ("a", "b"):
        (builds / name).mkdir(parents=True)
    (tmp_path / "current").symlink_to("builds/a")
    watch = ReleaseWatch(tmp_path, interval=0.3)
    first = watch.release()
    assert first is not None and first.folder == tmp_path / "builds" / "a"
    (tmp_path / "next").symlink_to("builds/b")
    (tmp_path / "next").replace(tmp_path / "current")  # repointed atomically, as a build publishes
    assert watch.release() is first, "within the interval, the release last read"
    time.sleep(0.35)
    second = watch.release()
    assert second is not None and second.folder == tmp_path / "builds" / "b"
    assert watch.release() is second, "one object per build, so its manifest is read once"
    (tmp_path / "current").unlink()
    time.sleep(0.35)
    assert watch.release() is None, "no release once the link is gone"


def test_a_slow_read_of_the_link_cannot_store_a_release_older_than_one_read_since(tmp_path: Path,
                                                                                   monkeypatch: pytest.MonkeyPatch
                                                                                   ) -> None:
    """A thread that read ``current`` before a publish, and is slow to store what it read, must not overwrite
    what a thread that read it after the publish stored (found by the independent attempt: the server went
    back to the previous build)."""
    import graph.release as release_module
    from graph.release import ReleaseWatch

    for name in ("a", "b"):
        (tmp_path / "builds" / name).mkdir(parents=True)
    (tmp_path / "current").symlink_to("builds/a")
    read = release_module.published_folder
    calls = []

    def slow_first(release_dir: Path) -> Path | None:
        folder = read(release_dir)
        calls.append(folder)
        if len(calls) == 1:
            time.sleep(0.4)  # read before the publish, stored after it
        return folder

    monkeypatch.setattr(release_module, "published_folder", slow_first)
    watch = ReleaseWatch(tmp_path, interval=0.05)
    slow = threading.Thread(target=watch.release)
    slow.start()
    time.sleep(0.1)
    (tmp_path / "next").symlink_to("builds/b")
    (tmp_path / "next").replace(tmp_path / "current")
    time.sleep(0.1)
    fresh = watch.release()
    slow.join()
    watch.interval = 60.0  # from here on, what the watch last stored
    assert fresh is not None and fresh.folder == tmp_path / "builds" / "b"
    last = watch.release()
    assert last is not None and last.folder == tmp_path / "builds" / "b", "the watch went back to the older build"


def test_a_request_sees_one_release_from_start_to_end(release_copy: Path) -> None:
    """Every part of one request reads the same release, even when ``current`` moves meanwhile (found by the
    independent attempt: a document of one build, a catalog of the other, 200 with an empty body)."""
    from server import create_app
    from server.pool import current_release

    app = create_app({"RELEASE_DIR": str(release_copy), "WORKERS": 1})
    first_folder = (release_copy / "current").resolve()
    other = first_folder.with_name("other")
    shutil.copytree(first_folder, other, symlinks=True)
    with app.test_request_context("/data/S0010.ttl"):
        seen = current_release()
        (release_copy / "next").symlink_to(f"builds/{other.name}")
        (release_copy / "next").replace(release_copy / "current")
        time.sleep(0.3)  # past the watch's interval
        again = current_release()
        assert seen is not None and again is seen, "the request switched builds midway"
    with app.test_request_context("/data/S0010.ttl"):
        later = current_release()
        assert later is not None and later.folder == other, "the next request sees the new build"


def test_last_modified_is_when_the_release_was_published_so_a_republished_build_is_newer(release_copy: Path
                                                                                        ) -> None:
    """Last-Modified is the publish time: publishing an older build again (a revert) must not send a date
    earlier than the one served before, or If-Modified-Since would get a 304 for changed content (found by the
    independent attempt)."""
    import os
    from email.utils import parsedate_to_datetime

    from server import create_app

    link = release_copy / "current"
    target = os.readlink(link)
    os.utime(link, (1_700_000_000, 1_700_000_000), follow_symlinks=False)
    app = create_app({"RELEASE_DIR": str(release_copy), "WORKERS": 1})
    client = app.test_client()
    first = parsedate_to_datetime(client.get("/data/Source003.nt").headers["Last-Modified"])
    assert first.timestamp() == 1_700_000_000
    (release_copy / "next").symlink_to(target)  # the same build, published again now
    (release_copy / "next").replace(link)
    time.sleep(0.3)
    response = client.get("/data/Source003.nt", headers={"If-Modified-Since": client.get(
        "/data/Source003.nt").headers["Last-Modified"]})
    second = parsedate_to_datetime(client.get("/data/Source003.nt").headers["Last-Modified"])
    assert second > first and abs(second.timestamp() - time.time()) < 120
    assert response.status_code == 304  # and unchanged since the new date: still conditional


def _second_build(release: Path) -> tuple[str, str]:
    """The release's build and a copy of it under another name: two releases to switch between (each with a store
    of its own, so a pool of its own)."""
    first = (release / "current").resolve()
    second = first.with_name(first.name + "-again")
    shutil.copytree(first, second)
    return f"builds/{first.name}", f"builds/{second.name}"


def _publish(release: Path, target: str) -> None:
    """Repoint ``current`` atomically, as a build publishes."""
    (release / "current.next").symlink_to(target)
    (release / "current.next").replace(release / "current")


def _kept(app: Any) -> list[tuple[object, Any]]:
    """The replaced pools kept for their grace, oldest first, with the token each one's timer names."""
    kept: list[tuple[object, Any]] = app.extensions["dkg_pool/previous"]
    return kept


def test_a_request_that_began_before_a_switch_keeps_its_release_and_leaves_the_new_pool_alone(
        release_copy: Path) -> None:
    """Requests of both releases in flight at once: each is answered on its own release's pool, and neither makes
    the other's pool again (an independent attempt found two quick switches under load had them retire each
    other's pools back and forth, and answer 500)."""
    from graph.executor import QueryPool
    from server import create_app
    from server.pool import _retire, current_release, query_pool

    first, second = _second_build(release_copy)
    app = create_app({"RELEASE_DIR": str(release_copy), "WORKERS": 1})
    pinned, resume, seen = threading.Event(), threading.Event(), {}

    def request(name: str, wait: bool) -> None:
        with app.test_request_context("/sparql"):
            seen[f"{name} release"] = current_release()
            if wait:  # the older request has its release's pool (as one waiting for a worker has), then waits
                seen[f"{name} before"] = query_pool()
                pinned.set()
                resume.wait(30)
            pool = query_pool()
            seen[name] = pool
            seen[f"{name} answer"] = bool(pool.run(QueryJob("ASK {}")).body)

    old = threading.Thread(target=request, args=("old", True))
    old.start()
    assert pinned.wait(30)
    _publish(release_copy, second)
    time.sleep(0.4)  # the server notices within a quarter second
    new = threading.Thread(target=request, args=("new", False))
    new.start()
    new.join(60)
    resume.set()
    old.join(60)
    assert seen["old release"] != seen["new release"]
    assert seen["old"] is seen["old before"], "the older request is answered on its own release's pool"
    assert seen["old"] is not seen["new"] and seen["old answer"] and seen["new answer"]
    assert not seen["new"]._closed, "the new release's pool was not retired by the older request"
    with app.test_request_context("/sparql"):
        assert query_pool() is seen["new"], "and it is still the one requests get"
    grace_of_first_demotion = _kept(app)[-1][0]
    _publish(release_copy, first)  # a revert within the grace: the first release's pool is taken back
    time.sleep(0.4)
    with app.test_request_context("/sparql"):
        assert query_pool() is seen["old"] and not seen["old"]._closed
        assert query_pool().run(QueryJob("ASK {}")).body
    _publish(release_copy, second)  # and demoted again: a grace of its own
    time.sleep(0.4)
    with app.test_request_context("/sparql"):
        assert query_pool() is seen["new"]
    # The first demotion's timer fires now (an independent attempt found it ended the later grace, 1.6 s in).
    _retire(app.extensions, "dkg_pool", grace_of_first_demotion, QueryPool.close)
    assert [pool for _, pool in _kept(app)] == [seen["old"]] and _kept(app)[0][1] is seen["old"]
    assert not seen["old"]._closed


def test_a_request_two_switches_old_keeps_its_pool_and_a_third_switch_retires_the_oldest(release_copy: Path) -> None:
    """Found by an independent attempt: a request waiting on build A's pool got 503 ('a new release was published')
    5 s in, when A→B→C came within the grace, because making C's pool retired A's at once. Each replaced pool now
    has a grace of its own, KEPT of them at once; only a switch beyond those retires the oldest early."""
    from server import create_app
    from server.pool import KEPT, query_pool

    first = (release_copy / "current").resolve()
    builds = [f"builds/{first.name}"]
    for n in range(KEPT + 1):  # B, C, and one more
        shutil.copytree(first, first.with_name(f"{first.name}-{n}"))
        builds.append(f"builds/{first.name}-{n}")
    app = create_app({"RELEASE_DIR": str(release_copy), "WORKERS": 1})
    pinned, resume = threading.Event(), threading.Event()
    seen: dict[str, Any] = {}

    def older_request() -> None:
        with app.test_request_context("/sparql"):
            seen["pinned"] = query_pool()
            pinned.set()
            resume.wait(60)
            pool = query_pool()  # as a request still waiting for a worker asks again
            seen["later"], seen["answer"] = pool, bool(pool.run(QueryJob("ASK {}")).body)

    def switch(target: str) -> Any:
        _publish(release_copy, target)
        time.sleep(0.4)  # the server notices within a quarter second
        with app.test_request_context("/sparql"):
            return query_pool()

    thread = threading.Thread(target=older_request)
    thread.start()
    assert pinned.wait(60)
    pools = [switch(target) for target in builds[1:KEPT + 1]]  # A→B→C: A and B kept
    resume.set()
    thread.join(60)
    assert seen["later"] is seen["pinned"] and seen["answer"], "two switches on, A's request is answered on A's pool"
    assert not seen["pinned"]._closed
    latest = switch(builds[-1])  # one more: A, the oldest, is retired at once
    kept = [pool for _, pool in _kept(app)]
    assert seen["pinned"]._closed and len(kept) == len(pools) and all(a is b for a, b in zip(kept, pools, strict=True))
    assert not any(pool._closed for pool in [*pools, latest])


def test_a_pool_whose_grace_is_over_is_closed_and_let_go(release_copy: Path) -> None:
    """Once its grace ends, the replaced release's pool is closed and nothing holds it (an atexit entry per pool
    once kept every pool of every switch for the life of the process); the published one is still closed at exit."""
    import gc
    import weakref

    from graph.executor import QueryPool
    from server import create_app
    from server.pool import _close_pools, _retire, query_pool

    _, second = _second_build(release_copy)
    app = create_app({"RELEASE_DIR": str(release_copy), "WORKERS": 1})
    with app.test_request_context("/sparql"):
        first_pool = query_pool()
        old = weakref.ref(first_pool)
    _publish(release_copy, second)
    time.sleep(0.4)
    with app.test_request_context("/sparql"):
        new = query_pool()
    assert new is not first_pool
    del first_pool
    _retire(app.extensions, "dkg_pool", _kept(app)[-1][0], QueryPool.close)  # its timer, now
    gc.collect()
    assert old() is None, "the retired pool is let go"
    _close_pools()
    assert new._closed, "the published pool is closed at exit"


@pytest.mark.slow
@pytest.mark.server
def test_switches_in_quick_succession_under_load_answer_no_500(release_copy: Path) -> None:
    """The independent attempt's case: three switches 0.3 s apart while eight clients send queries that take a
    while; every answer is a 200 or a 503 (busy), none a 500, and the server logs no traceback."""
    first, second = _second_build(release_copy)
    medium = ("SELECT (COUNT(*) AS ?n) WHERE {{ {{ SELECT ?a WHERE {{ ?a ?b ?c }} LIMIT {} }} "
              "{{ SELECT ?d WHERE {{ ?d ?e ?f }} LIMIT 300 }} }}")
    server = serve_release(release_copy, DKG_QUERY_TIMEOUT="5", DKG_WORKERS="2")
    statuses: list[int] = []

    def client(n: int) -> None:
        session = requests.Session()
        for k in range(4):
            statuses.append(session.post(f"{server.url}/sparql", data={"query": medium.format(20_000 + 10 * n + k)},
                                         timeout=60).status_code)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    try:
        for thread in threads:
            thread.start()
        time.sleep(1)
        for target in (second, first, second):
            _publish(release_copy, target)
            time.sleep(0.3)
        for thread in threads:
            thread.join()
    finally:
        server.stop()
    assert len(statuses) == 32 and set(statuses) <= {200, 503}, statuses
    assert statuses.count(200) >= 8, statuses
    assert "Traceback" not in server.output()


def test_a_store_the_workers_cannot_open_stops_the_server_with_a_named_error(release_copy: Path) -> None:
    """Query workers open their store before they say they are ready (graph/executor.py), so a release whose store
    is gone stops the server's start: with a line that says why, not a traceback."""
    import os
    import shutil

    from graph.release import Release
    from server.live import free_port

    shutil.rmtree(Release.current(release_copy).store_path)
    serve = subprocess.run([sys.executable, "-m", "server", "--port", str(free_port())], capture_output=True,
                           text=True, timeout=120, env={**os.environ, "DKG_RELEASE_DIR": str(release_copy)})
    assert serve.returncode == 1 and "error: query workers cannot be started (its store could not be opened: no " \
        "store at" in serve.stderr
    assert "Traceback" not in serve.stderr
