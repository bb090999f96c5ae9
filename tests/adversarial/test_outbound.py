"""Outbound (SSRF): no query makes the server open a connection, however SERVICE is smuggled in.

Two lines: the parse refuses SERVICE (400), and the kernel denies the workers the network, which
the tests below show on a worker handed a SERVICE query directly, past the parse.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.executor import Confinement, confine
from graph.release import Release
from graph.store import open_backend
from tests.adversarial.conftest import WAYS, send
from tests.conftest import SECRET, LiveServer

# Each smuggles a SERVICE clause past a lexer that misreads escapes, strings, comments or IRIs.
SMUGGLED = [
    "PREFIX ex: <http://e/> SELECT * WHERE {{ {{ ?s ex:a\\' ?o }} UNION {{ SERVICE <{url}> {{ ?x ?y ?z }} }} "
    "FILTER(?o != 'x') }}",
    "PREFIX ex: <http://e/> SELECT * WHERE {{ ?s ex:a\\# ?o . SERVICE <{url}> {{ ?x ?y ?z }} }}",
    "SELECT * WHERE {{ ?s <http://e/a\u00a0#> ?o . SERVICE <{url}> {{ ?x ?y ?z }} }}",
    "SELECT * WHERE {{ ?s <http://e/a\u3000#> ?o . SERVICE <{url}> {{ ?x ?y ?z }} }}",
    'SELECT * WHERE {{ ?s ?p ?o # \\u000a FILTER(?o != """\nSERVICE <{url}> {{ ?a ?b ?c }}\n# """)\n}}',
    "select * {{ {{ select * {{ service silent <{url}> {{ ?s ?p ?o }} }} }} }}",
    'SELECT * {{ ?s ?p "\\"#" . SERVICE <{url}> {{ ?a ?b ?c }} }}',
    "SELECT * {{ ?s ?p '''a'b#''' . SERVICE <{url}> {{ ?a ?b ?c }} }}",
    "PREFIX s: <{url}> SELECT * {{ SERVICE s: {{ ?a ?b ?c }} }}",
    "BASE <{url}> SELECT * {{ SERVICE <> {{ ?a ?b ?c }} }}",
    "SELECT * {{ ?s ?p ?o OPTIONAL {{ SERVICE SILENT <{url}> {{ ?s ?q ?r }} }} }} LIMIT 1",
    "ASK {{ SERVICE <{url}> {{ ?a ?b ?c }} }}",
    "CONSTRUCT {{ ?a ?b ?c }} WHERE {{ SERVICE <{url}> {{ ?a ?b ?c }} }}",
    "DESCRIBE ?a WHERE {{ SERVICE <{url}> {{ ?a ?b ?c }} }}",
    "SELECT * {{ FILTER EXISTS {{ SERVICE <{url}> {{ ?a ?b ?c }} }} }}",
    # found by the independent attempt: SPARQL ends a comment at a bare CR, tree-sitter did not
    "SELECT * {{ # hidden\rSERVICE <{url}> {{ ?s ?p ?o }} \n}}",
]


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("template", SMUGGLED)
def test_smuggled_service_is_refused_and_reaches_nobody(endpoint: str, listener, template: str,  # type: ignore[no-untyped-def]
                                                        way: str) -> None:
    url, hits = listener
    response = send(endpoint, template.format(url=url), way)
    assert response.status_code == 400, response.text
    assert "SERVICE" in response.text
    assert SECRET.decode() not in response.text
    time.sleep(0.05)
    assert hits == []


def test_service_back_into_the_server_is_refused_at_once(live_server: LiveServer) -> None:
    started = time.monotonic()
    query = f"SELECT * {{ SERVICE <{live_server.url}/sparql> {{ ?s ?p ?o }} }}"
    response = send(live_server.url + "/sparql", query, "get")
    assert response.status_code == 400
    assert time.monotonic() - started < 2


@given(
    prefix=st.sampled_from(["", "# c\n", "PREFIX ex: <http://e/>\n", "BASE <http://b/>\n"]),
    decoy=st.sampled_from(["?s ex:a\\' ?o .", "?s ex:a\\# ?o .", '?s ?p "\\"" .', "?s ?p '#' .", "?s <http://e/#> ?o .",
                           "# SERVICE\n", '?s ?p """\n""" .', ""]),
    keyword=st.sampled_from(["SERVICE", "service", "Service", "SERVICE SILENT", "service\tsilent"]),
    wrap=st.sampled_from(["{}", "{{ {} }}", "OPTIONAL {{ {} }}", "{{ SELECT * {{ {} }} }}", "MINUS {{ {} }}"]),
)
def test_generated_service_smuggling_is_refused(endpoint: str, prefix: str, decoy: str, keyword: str,
                                                wrap: str) -> None:
    if "ex:" in decoy and "ex:" not in prefix:
        prefix += "PREFIX ex: <http://e/>\n"
    clause = wrap.format(f"{keyword} <http://127.0.0.1:6553/sparql> {{ ?x ?y ?z }}")
    query = f"{prefix}SELECT * WHERE {{ {decoy} {clause} }}"
    response = send(endpoint, query, "direct")
    assert response.status_code == 400, (query, response.text)


def _evaluate(selector: str, query: str, sandboxed: bool, out: mp.Queue) -> None:  # type: ignore[type-arg]
    """In a fresh process: confine it as a query worker is (or not), then hand the engine the query directly."""
    if sandboxed:
        assert confine(selector, Confinement()) is None
    store = open_backend(selector)
    try:
        result = store.query(query)
        out.put(("answered", len(list(result))))  # type: ignore[arg-type]
    except Exception as exc:  # the engine reports the refused connection as a query error
        out.put(("error", str(exc)))


def _run(selector: str, query: str, sandboxed: bool) -> tuple[str, object]:
    context = mp.get_context("forkserver")
    out: mp.Queue = context.Queue()  # type: ignore[type-arg]
    process = context.Process(target=_evaluate, args=(selector, query, sandboxed, out))
    process.start()
    process.join(30)
    return out.get(timeout=5)  # type: ignore[no-any-return]


def test_a_worker_given_service_directly_cannot_connect(release_dir, listener) -> None:  # type: ignore[no-untyped-def]
    url, hits = listener
    selector = Release.current(release_dir).selector
    query = f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"
    status, detail = _run(selector, query, sandboxed=True)
    time.sleep(0.1)
    assert hits == [], "a confined worker reached the listener"
    assert status == "error" and "not permitted" in str(detail).lower()
    # The same call without the confinement does connect: the check above can fail.
    _run(selector, query, sandboxed=False)
    time.sleep(0.1)
    assert hits, "an unconfined engine should have reached the listener"


def _engine_loop(conn) -> None:  # type: ignore[no-untyped-def]
    """A confined process that evaluates whatever it is sent on an empty store, reporting what happened."""
    import pyoxigraph as ox

    assert confine("memory:", Confinement()) is None
    store = ox.Store()
    while True:
        query = conn.recv()
        try:
            result = store.query(query)
            if not isinstance(result, ox.QueryBoolean):
                list(result)  # type: ignore[call-overload]
            conn.send("answered")
        except Exception as exc:
            conn.send(f"error: {exc}")


@pytest.fixture(scope="module")
def engine():  # type: ignore[no-untyped-def]
    """Send a query to a confined engine; it says whether it answered or what error it met."""
    context = mp.get_context("forkserver")
    parent, child = context.Pipe()
    process = context.Process(target=_engine_loop, args=(child,), daemon=True)
    process.start()

    def ask(query: str) -> str:
        parent.send(query)
        return str(parent.recv())

    yield ask
    process.kill()


PIECES = ['"\\u0022 ', "'\\u0027 ", '"""\\u0022"" ', "<http://a/\\u003e ", "# \\u000a ", '"\\\\" ', "'\\\\' ",
          '" ', "' ", "<http://a/", "> ", "# ", "\n", '"""', "'''", "\\u0053ERVICE ", "ex:a\\' ", "ex:a\\# ",
          '"a" ', "?o ", ". ", "} ", "{ ", "FILTER(?o != ", ") ", "\r", "# \r"]


@given(st.lists(st.sampled_from(PIECES), max_size=6), st.lists(st.sampled_from(PIECES), max_size=6))
def test_the_parse_sees_every_service_the_engine_would_call(engine, before: list[str], after: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Differential: whenever the engine (confined) tries to connect, the parse saw a SERVICE or refused the text."""
    from graph.query_shape import QuerySyntaxError, shape_of

    query = ("PREFIX ex: <http://e/> SELECT * WHERE { " + "".join(before)
             + " SERVICE <http://127.0.0.1:6553/sparql> { ?a ?b ?c } " + "".join(after) + " }")
    outcome = engine(query)
    if "not permitted" in outcome.lower():  # the engine tried to open a connection
        with contextlib.suppress(QuerySyntaxError):  # a text the parse refuses is never evaluated
            assert shape_of(query).uses_service, query


def test_the_confined_engine_reports_an_attempted_connection(engine) -> None:  # type: ignore[no-untyped-def]
    # Without this, the differential test above could pass by never seeing an attempt.
    assert "not permitted" in engine("SELECT * WHERE { SERVICE <http://127.0.0.1:6553/sparql> { ?a ?b ?c } }").lower()
    assert engine("SELECT * WHERE { ?s ?p ?o }") == "answered"
