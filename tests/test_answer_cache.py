"""HTTP caching of GET query answers: strong ETags from the release and the request, 304s before any query runs,
a byte-bounded store of answers per release (``server/http_cache.py``), and POST never cached."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from graph.release import Release
from server.http_cache import ENTRY_OVERHEAD, ReleaseAnswers, Stored

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
JSON = {"Accept": "application/sparql-results+json"}


def test_a_get_answer_carries_a_strong_etag_and_a_304_comes_back(live_server) -> None:  # type: ignore[no-untyped-def]
    url = live_server.url + "/sparql"
    first = requests.get(url, params={"query": COUNT}, headers=JSON, timeout=30)
    assert first.status_code == 200
    tag = first.headers["ETag"]
    assert tag.startswith('"') and not tag.startswith("W/"), "a strong tag: the bytes are fixed by the release"
    assert first.headers["Cache-Control"] == "public, max-age=60"
    assert "Accept" in first.headers["Vary"]

    again = requests.get(url, params={"query": COUNT}, headers={**JSON, "If-None-Match": tag}, timeout=30)
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == tag
    listed = requests.get(url, params={"query": COUNT}, headers={**JSON, "If-None-Match": f'"other", {tag}'},
                          timeout=30)
    assert listed.status_code == 304
    # If-None-Match compares weakly (RFC 9110 §13.1.2): a weak form of the tag matches too (found by an independent
    # attempt: it got 200).
    weak = requests.get(url, params={"query": COUNT}, headers={**JSON, "If-None-Match": f"W/{tag}"}, timeout=30)
    assert weak.status_code == 304
    head = requests.head(url, params={"query": COUNT}, headers=JSON, timeout=30)
    assert head.status_code == 200 and head.headers["ETag"] == tag

    # Everything that changes the bytes changes the tag: the format, the text, the dataset.
    tsv = requests.get(url, params={"query": COUNT}, headers={"Accept": "text/tab-separated-values"}, timeout=30)
    spaced = requests.get(url, params={"query": COUNT + " "}, headers=JSON, timeout=30)
    dataset = requests.get(url, params={"query": COUNT, "default-graph-uri": "http://example.org/none"},
                           headers=JSON, timeout=30)
    tags = {tag, tsv.headers["ETag"], spaced.headers["ETag"], dataset.headers["ETag"]}
    assert len(tags) == 4
    stale = requests.get(url, params={"query": COUNT}, headers={"Accept": "text/tab-separated-values",
                                                                 "If-None-Match": tag}, timeout=30)
    assert stale.status_code == 200 and stale.text.startswith("?n"), "another format's tag is not this answer's"


@pytest.mark.parametrize("query", [
    "SELECT (NOW() AS ?n) (RAND() AS ?r) WHERE {}",
    "SELECT ?u WHERE { BIND(STRUUID() AS ?u) }",
    "CONSTRUCT { ?s <http://example.org/p> [] } WHERE { ?s a ?t } LIMIT 3",
])
def test_an_answer_that_may_change_from_one_run_to_the_next_has_no_tag_and_is_never_given_again(
        live_server, query: str) -> None:  # type: ignore[no-untyped-def]
    """A strong ETag says the bytes are fixed (RFC 9110 §8.8.1): NOW(), RAND(), UUID() and a CONSTRUCT's new blank
    nodes answer other bytes each time (an independent attempt found them tagged and given again for 60 s)."""
    url = live_server.url + "/sparql"
    answers = [requests.get(url, params={"query": query}, timeout=30) for _ in range(2)]
    for answer in answers:
        assert answer.status_code == 200, answer.text
        assert "ETag" not in answer.headers and answer.headers["Cache-Control"] == "no-store"
        assert "Age" not in answer.headers
    assert answers[0].content != answers[1].content, "evaluated twice"


@pytest.mark.parametrize(("query", "accept", "status"), [
    ("SELEC * {}", "*/*", 400),
    (COUNT, "image/png", 406),
    ("INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }", "*/*", 403),
    ("SELECT (NOW() AS ?n) (RAND() AS ?r) {}", "*/*", 200),
])
def test_a_precondition_applies_only_where_the_answer_would_be_a_200(live_server, query: str, accept: str,
                                                                    status: int) -> None:  # type: ignore[no-untyped-def]
    """RFC 9110 §13.2.1 (found by an independent attempt: each of these got 304, tagged, before the query was read)."""
    url = live_server.url + "/sparql"
    answer = requests.get(url, params={"query": query}, headers={"Accept": accept, "If-None-Match": "*"}, timeout=30)
    assert answer.status_code == status, answer.text
    assert "ETag" not in answer.headers


def test_a_tag_never_given_is_checked_after_the_query_and_one_given_before_it(release_dir: Path) -> None:
    from server import create_app

    app = create_app({"RELEASE_DIR": str(release_dir), "WORKERS": 1, "ANSWER_CACHE_BYTES": 0})
    client = app.test_client()
    query = f"{COUNT} # {time.time_ns()}"
    first = client.get("/sparql", query_string={"query": query}, headers={**JSON, "If-None-Match": "*"})
    assert first.status_code == 304 and first.headers["ETag"], "run, then found to match"
    app.extensions["dkg_pool"].close()
    tag = first.headers["ETag"]
    again = client.get("/sparql", query_string={"query": query}, headers={**JSON, "If-None-Match": tag})
    assert again.status_code == 304, "a tag given before: no query runs"
    other = client.get("/sparql", query_string={"query": query + " "}, headers={**JSON, "If-None-Match": "*"})
    assert other.status_code >= 500, "a tag never given: the query must run first (and cannot, here)"


@pytest.mark.parametrize("how", ["form", "direct"])
def test_post_is_never_cached(live_server, how: str) -> None:  # type: ignore[no-untyped-def]
    url = live_server.url + "/sparql"
    tag = requests.get(url, params={"query": COUNT}, headers=JSON, timeout=30).headers["ETag"]
    if how == "form":
        answer = requests.post(url, data={"query": COUNT}, headers={**JSON, "If-None-Match": tag}, timeout=30)
    else:
        answer = requests.post(url, data=COUNT.encode(), timeout=30,
                               headers={**JSON, "If-None-Match": tag, "Content-Type": "application/sparql-query"})
    assert answer.status_code == 200 and answer.json()["results"]["bindings"]
    assert "ETag" not in answer.headers and "public" not in answer.headers.get("Cache-Control", "")


def _publish(release_dir: Path, build: Path) -> None:
    """Point ``current`` at ``build`` atomically (as the build does), with a later modification time."""
    link = release_dir / "current.new"
    link.unlink(missing_ok=True)
    link.symlink_to(build)
    os.replace(link, release_dir / "current")


def test_a_new_release_has_new_tags_and_never_gets_another_releases_answer(release_dir: Path,
                                                                           small_release: Path,
                                                                           tmp_path: Path) -> None:
    from server import create_app

    full, small = Release.current(release_dir).folder, Release.current(small_release).folder
    served = tmp_path / "release"
    served.mkdir()
    _publish(served, small)
    client = create_app({"RELEASE_DIR": str(served), "WORKERS": 1}).test_client()

    def ask(**headers: str):  # type: ignore[no-untyped-def]
        return client.get("/sparql", query_string={"query": COUNT}, headers={**JSON, **headers})

    def switch(build: Path) -> None:
        _publish(served, build)
        time.sleep(0.3)  # a server notices a new release within a quarter second (ReleaseWatch)

    small_answer = ask()
    small_tag = small_answer.headers["ETag"]
    switch(full)
    full_answer = ask(**{"If-None-Match": small_tag})
    assert full_answer.status_code == 200, "the old release's tag does not match the new release's answer"
    assert full_answer.headers["ETag"] != small_tag
    count = lambda answer: int(answer.json["results"]["bindings"][0]["n"]["value"])  # noqa: E731
    assert count(full_answer) > count(small_answer), "the cache did not serve the small release's answer"
    switch(small)
    back = ask()
    assert back.headers["ETag"] == small_tag and count(back) == count(small_answer)


def test_a_cached_answer_is_served_without_a_query_worker(release_dir: Path) -> None:
    """The second GET is answered from the cache: with the pool's workers stopped, it still answers, while a
    query not asked before cannot be."""
    from server import create_app

    app = create_app({"RELEASE_DIR": str(release_dir), "WORKERS": 1})
    client = app.test_client()
    assert client.get("/sparql", query_string={"query": COUNT}, headers=JSON).status_code == 200
    app.extensions["dkg_pool"].close()
    assert client.get("/sparql", query_string={"query": COUNT}, headers=JSON).status_code == 200
    uncached = client.get("/sparql", query_string={"query": COUNT + " LIMIT 1"}, headers=JSON)
    assert uncached.status_code >= 500


def _stored(size: int) -> Stored:
    return Stored("200 OK", [("Content-Length", str(size))], b"x" * size, "/sparql", time.monotonic(), 60.0)


CAPACITY = 8000  # bytes: a few answers, each counted with its headers and what holding it costs


@given(st.lists(st.tuples(st.sampled_from(["put", "get"]), st.integers(0, 9), st.integers(0, 8000)), max_size=60))
def test_the_cache_never_holds_more_than_its_bound(operations: list[tuple[str, int, int]]) -> None:
    cache = ReleaseAnswers("build", capacity=CAPACITY)
    for op, key, size in operations:
        target = str(key).encode()
        if op == "get":
            cache.get(target)
            continue
        cache.put(target, _stored(size))
        held = cache.get(target)
        fits = cache.weight(_stored(size)) <= CAPACITY
        assert (held is not None and len(held.body) == size) == fits, "kept exactly when it fits"
        assert cache.size == sum(cache.weight(a) for a in cache._items.values()) <= CAPACITY


def test_many_small_answers_are_bounded_as_surely_as_a_few_large_ones() -> None:
    cache = ReleaseAnswers("build", capacity=CAPACITY)
    for key in range(1000):
        cache.put(str(key).encode(), _stored(0))
    assert len(cache) == CAPACITY // cache.weight(_stored(0)) and cache.weight(_stored(0)) > ENTRY_OVERHEAD


def test_the_least_recently_used_answer_goes_first() -> None:
    cache = ReleaseAnswers("build", capacity=CAPACITY)
    assert 3 * cache.weight(_stored(1200)) <= CAPACITY < 4 * cache.weight(_stored(1200))
    for key in "abc":
        cache.put(key.encode(), _stored(1200))
    assert cache.get(b"a") is not None  # a is now the most recently used
    cache.put(b"d", _stored(1200))
    assert cache.get(b"b") is None and all(cache.get(k.encode()) is not None for k in "acd")


def test_the_tags_given_are_remembered_up_to_their_bound_the_oldest_forgotten_first() -> None:
    from server.sparql import GivenTags

    tags = GivenTags(capacity=3)
    for tag in "abcd":
        tags.add(tag)
    assert [tags.has(tag) for tag in "abcd"] == [False, True, True, True]
    tags.add("b")  # given again: now the most recent
    tags.add("e")
    assert [tags.has(tag) for tag in "bcde"] == [True, False, True, True]
