"""The base IRI is one setting (``dystonia-kg build --base``, ``DKG_BASE``): the whole graph built and
served under another base, every IRI under it dereferenced, every data document and (``-m slow``) every
page and every link on it crawled; the value checked; a release read only under the base it was built with.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
import requests

from graph.base import DEFAULT_BASE, check_base
from graph.query import with_base
from graph.release import Release
from graph.vocab import BASE
from server.live import LiveProcess, free_port, serve_release

# The whole module is slow (a build of its own under another base, then its crawl): `.ci/run` runs it with
# `-m slow`, the README's test command leaves it out (its time budget).
pytestmark = pytest.mark.slow

OTHER = "https://example.org/kg/"  # a deployment not under w3id.org
ROOT = Path(__file__).resolve().parent.parent
CRAWLERS = 2  # the server renders descriptions two at a time (503 beyond), on two query workers
T = TypeVar("T")
R = TypeVar("R")


def run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    """A command in a new process, ``DKG_BASE`` taken from ``env`` only (never from the test's environment)."""
    environment = {k: v for k, v in os.environ.items() if k != "DKG_BASE"} | env
    return subprocess.run(args, env=environment, capture_output=True, text=True, timeout=600, cwd=ROOT)


def cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-m", "graph.cli", *args], **env)


@pytest.fixture(scope="module")
def other_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped sources built under ``OTHER`` by the command line."""
    root = tmp_path_factory.mktemp("other-base")
    built = cli("--release", str(root), "build", "--base", OTHER)
    assert built.returncode == 0, built.stderr
    return root


@pytest.fixture(scope="module")
def dump_iris(other_release: Path) -> set[str]:
    """Every IRI of the release (subjects, predicates, objects; not graph names), from its N-Quads dump."""
    nquads = Release.current(other_release).dump("nq")
    found: set[str] = set()
    for quad in ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS):
        found.update(t.value for t in (quad.subject, quad.predicate, quad.object) if isinstance(t, ox.NamedNode))
    return found


@pytest.fixture(scope="module")
def other_server(other_release: Path) -> Iterator[LiveProcess]:
    """The release served by `dystonia-kg serve`, which takes the base IRI from the release (no DKG_BASE given)."""
    assert "DKG_BASE" not in os.environ, "run the tests without DKG_BASE: the server must take the release's base"
    server = serve_release(other_release)  # every named query answers within the default deadline
    yield server
    server.stop()


class Crawler:
    """GET requests to a live server, two at a time, one keep-alive session per thread, no redirects followed."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._local = threading.local()

    def get(self, path: str, accept: str | None = None) -> requests.Response:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        headers = {"Accept": accept} if accept else {}
        return session.get(self.url + path, headers=headers, allow_redirects=False, timeout=120)

    def map(self, function: Callable[[T], R], items: Iterable[T]) -> list[R]:
        with ThreadPoolExecutor(CRAWLERS) as pool:
            return list(pool.map(function, items))


def local_ids(iris: set[str]) -> list[str]:
    return sorted(iri[len(OTHER + "id/"):] for iri in iris if iri.startswith(OTHER + "id/"))


def assert_no_default_base(response: requests.Response) -> None:
    assert DEFAULT_BASE.encode() not in response.content, f"{response.url} names the default base IRI"


# ------------------------------------------------------------------------------------------ the setting
@pytest.mark.parametrize("value", ["https://example.org/kg/", "http://localhost:8080/", DEFAULT_BASE,
                                   "https://例え.jp/知識/", "https://example.org/a%20b/"])
def test_a_base_is_an_http_iri_ending_in_a_slash(value: str) -> None:
    assert check_base(value) == value


@pytest.mark.parametrize(("value", "problem"), [
    ("example.org/kg/", "not an absolute IRI"),
    ("", "not an absolute IRI"),
    ("https://exa mple.org/kg/", "not an absolute IRI"),
    ("https://example.org/kg", "does not end in '/'"),
    ("ftp://example.org/kg/", "not an http(s) IRI"),
    ("urn:example:kg/", "not an http(s) IRI"),
    ("https:///kg/", "not an http(s) IRI"),
    ("https://example.org/kg/?v=1/", "query or a fragment"),
    ("https://example.org/kg/#/", "query or a fragment"),
])
def test_a_bad_base_is_refused_naming_it(value: str, problem: str) -> None:
    with pytest.raises(ValueError, match="base IRI") as caught:
        check_base(value)
    assert repr(value) in str(caught.value) and problem in str(caught.value)


@pytest.mark.parametrize("text", [
    "# title: t\n# question: q?\nPREFIX dkg: <id/>\nSELECT (dkg:x AS ?x) (<ontology> AS ?o) {}",
    "PREFIX dkg: <id/> SELECT (dkg:x AS ?x) (<ontology> AS ?o) {}",
    "#c\n\n  # indented comment\nSELECT (<id/x> AS ?x) (<ontology> AS ?o) WHERE { FILTER(\"#\" != \"\") }",
])
def test_a_query_text_bound_to_the_base_resolves_under_it_anywhere(text: str) -> None:
    bound = with_base(text)
    assert bound.replace(f"BASE <{BASE}>\n", "", 1) == text, "the one change is the declaration"
    lines = bound.splitlines()
    assert all(line.lstrip().startswith("#") for line in lines[:lines.index(f"BASE <{BASE}>")])
    solutions = ox.Store().query(bound)  # no base given to the engine: the text carries it
    assert isinstance(solutions, ox.QuerySolutions)
    row = next(iter(solutions))
    assert (row["x"], row["o"]) == (ox.NamedNode(BASE + "id/x"), ox.NamedNode(BASE + "ontology"))


def test_the_command_line_names_a_bad_base_and_where_it_came_from() -> None:
    flag = cli("build", "--base", "https://example.org/kg")
    assert flag.returncode == 2 and "--base" in flag.stderr and "'https://example.org/kg'" in flag.stderr
    variable = cli("validate", DKG_BASE="not an IRI")
    assert variable.returncode == 2 and "DKG_BASE" in variable.stderr and "'not an IRI'" in variable.stderr
    assert "Traceback" not in flag.stderr + variable.stderr


# ------------------------------------------------------------------------------- a release under OTHER
def test_the_release_records_its_base_and_holds_no_other(other_release: Path, dump_iris: set[str]) -> None:
    release = Release.current(other_release)
    assert release.manifest["base"] == OTHER
    for dump in release.dumps:
        assert DEFAULT_BASE.encode() not in release.dump(dump).read_bytes(), f"the .{dump} dump names the default base"
    assert not [iri for iri in dump_iris if iri.startswith("file:")], "an IRI was resolved against a file name"
    assert len(local_ids(dump_iris)) > 1000
    assert {OTHER + "ontology", f"{OTHER}ontology/{release.version}"} <= dump_iris


def test_every_competency_question_answers_its_golden_rows(other_release: Path) -> None:
    """The golden files, compacted with the configured prefixes, hold under the other base unchanged."""
    check = run([sys.executable, "tests/update_golden.py", "--release", str(other_release), "--check"],
                DKG_BASE=OTHER)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count(": unchanged") >= 20


def test_commands_that_read_a_release_take_its_base(other_release: Path) -> None:
    table = cli("--release", str(other_release), "query", "contralateral-lesion-sites")
    assert table.returncode == 0, table.stderr
    assert "dkg:S0018" in table.stdout and OTHER not in table.stdout, "the release's IRIs compact to dkg:"
    conflict = cli("--release", str(other_release), "query", "sources", DKG_BASE=DEFAULT_BASE)
    assert conflict.returncode == 2 and f"built under {OTHER}" in conflict.stderr


def test_a_server_configured_with_another_base_refuses_to_start(other_release: Path) -> None:
    server = run([sys.executable, "-m", "server", "--port", str(free_port())],
                 DKG_RELEASE_DIR=str(other_release), DKG_BASE=DEFAULT_BASE)
    assert server.returncode == 1
    assert f"built under the base IRI {OTHER}" in server.stderr and DEFAULT_BASE in server.stderr


def test_a_release_published_later_under_another_base_is_answered_503(release_copy: Path) -> None:
    """A running server whose `current` is repointed to a release of another base serves none of it: not a
    page, not a document, not a query (the store is there and would answer), not the Service Description."""
    from server import create_app

    release = Release.current(release_copy)
    manifest = release.manifest | {"base": OTHER}
    release.manifest_path.write_text(json.dumps(manifest))
    client = create_app({"RELEASE_DIR": str(release_copy), "WORKERS": 1}).test_client()
    for path in ("/id/S0001", "/page/S0001", "/", "/sparql?query=ASK%7B%7D", "/sparql", "/queries/sources",
                 "/void", "/api/search?q=dystonia", "/dumps/dystonia-kg.nt"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert f"built under the base IRI {OTHER}" in response.get_data(as_text=True), path
    del manifest["base"]  # a release that does not say its base is not served either
    release.manifest_path.write_text(json.dumps(manifest))
    fresh = create_app({"RELEASE_DIR": str(release_copy), "WORKERS": 1}).test_client()
    assert fresh.get("/sparql?query=ASK%7B%7D").status_code == 503


# --------------------------------------------------------------------------- served under OTHER, crawled
def test_every_iri_under_the_base_dereferences(other_server: LiveProcess, dump_iris: set[str]) -> None:
    """Each IRI under the base, at the same path under the server's root: 303 to a document of it; the SPARQL
    service's IRI (the examples' target) is its endpoint, which answers its Service Description itself (SPARQL 1.1
    Service Description §2: the endpoint dereferenced without a query)."""
    crawler = Crawler(other_server.url)
    based = sorted(iri for iri in dump_iris if iri.startswith(OTHER))
    answers = crawler.map(lambda iri: crawler.get("/" + iri[len(OTHER):], "text/turtle"), based)
    expected = {OTHER + "sparql": 200}
    wrong = [(iri, r.status_code) for iri, r in zip(based, answers, strict=True)
             if r.status_code != expected.get(iri, 303)]
    assert not wrong, f"{len(wrong)} IRI(s) under the base do not answer 303: {wrong[:10]}"
    for iri, response in zip(based, answers, strict=True):
        if iri.startswith(OTHER + "id/"):
            assert response.headers["Location"] == f"/data/{iri[len(OTHER + 'id/'):]}.ttl"


def test_every_data_document_is_about_the_base(other_server: LiveProcess, dump_iris: set[str]) -> None:
    """Every /data/ document names its entity under the base as a subject, and only IRIs of the release."""
    crawler = Crawler(other_server.url)

    def check(ident: str) -> str:
        response = crawler.get(f"/data/{ident}.ttl")
        if response.status_code != 200:
            return f"/data/{ident}.ttl: {response.status_code}"
        assert_no_default_base(response)
        triples = list(ox.parse(response.content, format=ox.RdfFormat.TURTLE))
        if ox.NamedNode(OTHER + "id/" + ident) not in {t.subject for t in triples}:
            return f"/data/{ident}.ttl: its entity is not a subject"
        named = {t.value for triple in triples for t in triple if isinstance(t, ox.NamedNode)}
        strangers = sorted(named - dump_iris)
        return f"/data/{ident}.ttl: IRIs the release does not hold: {strangers[:3]}" if strangers else ""

    problems = [p for p in crawler.map(check, local_ids(dump_iris)) if p]
    assert not problems, "\n".join(problems[:20])


def test_named_queries_are_self_contained(other_server: LiveProcess) -> None:
    """The query texts /queries/ lists answer when pasted into any SPARQL client: sent to the endpoint,
    whose own base IRI is its URL, each still finds its rows (every competency query has some)."""
    listing = requests.get(other_server.url + "/queries/", timeout=60).json()
    assert len(listing) >= 20
    for query in listing:
        assert query["sparql"].splitlines()[0].startswith("# title:"), query["name"]
        assert f"BASE <{OTHER}>" in query["sparql"], query["name"]
        answer = requests.post(other_server.url + "/sparql", data={"query": query["sparql"]},
                               headers={"Accept": "application/sparql-results+json"}, timeout=90)
        assert answer.status_code == 200, (query["name"], answer.text)
        assert answer.json()["results"]["bindings"], f"{query['name']} finds nothing: its IRIs did not resolve"


class Links(HTMLParser):
    """The targets of a page's links (``href``, ``src``), read by an HTML parser."""

    def __init__(self) -> None:
        super().__init__()
        self.found: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.update(value for name, value in attrs if name in ("href", "src") and value)


def internal(link: str, server: str) -> str | None:
    """The path to request for a link that stays on this deployment (root-relative, the server's URL, or an
    IRI under the base, which the deployment serves at its root); ``None`` for other sites and fragments."""
    for root in (server, OTHER):
        if link.startswith(root):
            return "/" + link[len(root):].lstrip("/")
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    assert link.startswith("/"), f"a relative link depends on the page's path: {link}"
    return link


def test_every_link_of_every_page_resolves(other_server: LiveProcess, dump_iris: set[str]) -> None:
    """The home page, the ontology page and every entity's page, then every link on them that stays on the
    deployment (pages, data documents in every format, /describe pages of external terms, dumps...): 200 or 303,
    and no answer names the default base IRI."""
    crawler = Crawler(other_server.url)
    pages = ["/", "/ontology.html", *(f"/page/{ident}" for ident in local_ids(dump_iris))]

    def read(path: str) -> tuple[str, int, set[str]]:
        response = crawler.get(path)
        assert_no_default_base(response)
        parser = Links()
        parser.feed(response.text)
        return path, response.status_code, parser.found

    read_pages = crawler.map(read, pages)
    assert [(p, s) for p, s, _ in read_pages if s != 200] == []
    links = sorted({path for _, _, found in read_pages for link in found
                    if (path := internal(link, other_server.url)) is not None} - set(pages))
    assert any(link.startswith("/describe?") for link in links) and any(link.startswith("/data/") for link in links)

    def follow(path: str) -> tuple[str, int]:
        response = crawler.get(path)
        assert_no_default_base(response)
        return path, response.status_code

    broken = [(path, status) for path, status in crawler.map(follow, links) if status not in (200, 303)]
    assert not broken, f"{len(broken)} of {len(links)} links do not resolve: {broken[:20]}"
