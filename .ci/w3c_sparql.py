"""Run the W3C SPARQL 1.1 test suites against a live dystonia-kg server.

Usage: python .ci/w3c_sparql.py W3C_SPARQL11_DIR
  W3C_SPARQL11_DIR is w3c-rdf-tests/sparql/sparql11 (passed explicitly; the product never reads it).

Query evaluation (every manifest of manifest-sparql11-query.ttl plus the CSV/TSV and JSON result
tests): each data file is loaded into a named graph called by its file IRI; each test's dataset is
sent with the protocol's default-graph-uri / named-graph-uri, and the query is sent with a BASE of
its own file IRI. Results are compared by the suite's rules: unordered unless ORDER BY, blank
nodes up to isomorphism, graphs with rdflib.compare.isomorphic.
Protocol: every mf:ProtocolTest's HTTP requests are replayed and their status, format and boolean
checked; update tests expect this endpoint's read-only refusal (a 4xx).
Prints the pass count and every failure; expected failures are listed with their reason.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import os
import re
import sys
import tempfile
import urllib.parse
from pathlib import Path

import pyoxigraph as ox
import requests
from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.query import Result

from graph import formats
from graph.query_shape import shape_of
from server.live import LiveProcess

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")

# Tests this endpoint fails on purpose, by name, with the reason.
EXPECTED_FAILURES: dict[str, str] = {
    "update via URL-encoded POST": "read-only endpoint: SPARQL Update is refused with 403",
    "update via POST directly": "read-only endpoint: SPARQL Update is refused with 403",
    "update with protocol-specified default graph": "read-only endpoint: SPARQL Update is refused with 403",
    "update with protocol-specified default graphs": "read-only endpoint: SPARQL Update is refused with 403",
    "update with protocol-specified named graphs": "read-only endpoint: SPARQL Update is refused with 403",
    "update with protocol-specified dataset (both named and default graphs)":
        "read-only endpoint: SPARQL Update is refused with 403",
    "test for service-defined BASE URI (\"which MAY be the service endpoint\")":
        "read-only endpoint: the test runs an update first, which is refused",
}
_OX = "Oxigraph 0.5.13 (the engine under the endpoint)"
EXPECTED_QUERY_FAILURES: dict[str, str] = {
    "aggregates/GROUP_CONCAT with same language tag": f"{_OX} answers differently; not narrowed further",
    "aggregates/GROUP_CONCAT with one element": f"{_OX} answers differently; not narrowed further",
    "aggregates/AVG with empty group (value defined to be 0)": f"{_OX} answers differently; not narrowed further",
    "aggregates/COUNT: no GROUP BY inside of GRAPH":
        f"{_OX} leaves ?g unbound for GRAPH ?g {{ SELECT ... }} (reproduced with pyoxigraph directly)",
    "bindings/VALUES inside GRAPH binding the same variable as the graph name":
        f"{_OX} answers differently; not narrowed further",
    "functions/BNODE(str)": f"{_OX} answers differently; not narrowed further",
    "negation/outer GRAPH operator does not affect MINUS disjointness":
        f"{_OX} answers differently; not narrowed further",
    "property-path/* with start being a constant on the empty dataset":
        f"{_OX} gives no zero-length path from a term absent from the data (reproduced directly)",
    "property-path/* with end being a constant on the empty dataset":
        f"{_OX} gives no zero-length path from a term absent from the data (reproduced directly)",
    "property-path/? with start being a constant on the empty dataset":
        f"{_OX} gives no zero-length path from a term absent from the data (reproduced directly)",
    "property-path/? with end being a constant on the empty dataset":
        f"{_OX} gives no zero-length path from a term absent from the data (reproduced directly)",
    "syntax-query/syntax-select-expr-04.rq":
        f"{_OX} parses it but fails the evaluation of an unknown custom function instead of leaving it unbound",
    "csv-tsv-res/csv03 - CSV Result Format":
        f"{_OX} normalises literals when loading (1.0E6 -> 1000000, xsd:negativeInteger -> xsd:integer)",
    "csv-tsv-res/tsv03 - TSV Result Format":
        f"{_OX} normalises literals when loading (1.0E6 -> 1000000, xsd:negativeInteger -> xsd:integer)",
}
RDF_PARSE = {".ttl": "turtle", ".rdf": "xml", ".nt": "nt", ".n3": "n3"}
OX_FORMAT = {".ttl": ox.RdfFormat.TURTLE, ".rdf": ox.RdfFormat.RDF_XML, ".nt": ox.RdfFormat.N_TRIPLES,
             ".n3": ox.RdfFormat.N3}
RESULT_PARSE = {".srx": "xml", ".srj": "json", ".csv": "csv", ".tsv": "tsv"}


def manifests(root: Path) -> list[Path]:
    """The query-evaluation manifests plus the result-format ones."""
    top = Graph().parse(root / "manifest-sparql11-query.ttl", format="turtle")
    listed = [Path(urllib.parse.urlparse(str(i)).path) for m in top.objects(None, MF.include)
              for i in Collection(top, m)]
    return [*listed, root / "csv-tsv-res" / "manifest.ttl", root / "json-res" / "manifest.ttl"]


def entries(manifest: Path) -> tuple[Graph, list[URIRef]]:
    graph = Graph().parse(manifest, format="turtle", publicID=manifest.as_uri())
    head = next(graph.objects(None, MF.entries))
    return graph, list(Collection(graph, head))  # type: ignore[arg-type]


def file_of(iri: object) -> Path:
    return Path(urllib.parse.urlparse(str(iri)).path)


def load_data_files(root: Path, store: ox.Store) -> None:
    """Every data file of the suites, in a named graph called by its file IRI."""
    for path in sorted(root.rglob("*")):
        if path.suffix in OX_FORMAT and "manifest" not in path.name:
            with contextlib.suppress(SyntaxError, OSError):  # deliberately broken files of the syntax suites
                store.bulk_load(path=str(path), format=OX_FORMAT[path.suffix], base_iri=path.as_uri(),
                                to_graph=ox.NamedNode(path.as_uri()))
    protocol = Graph().parse(root / "protocol" / "manifest.ttl", format="turtle",
                             publicID=(root / "protocol" / "manifest.ttl").as_uri())
    for node in protocol.objects(None, UT.graphData):
        name = str(protocol.value(node, RDFS.label))
        store.bulk_load(path=str(file_of(protocol.value(node, UT.graph))), format=ox.RdfFormat.N_TRIPLES,
                        to_graph=ox.NamedNode(name))


def start_server(store_dir: Path) -> LiveProcess:
    env = {"DKG_STORE": f"oxigraph:{store_dir}", "DKG_QUERY_TIMEOUT": "20", "DKG_WORKERS": "2"}
    return LiveProcess([sys.executable, "-m", "server", "--threads", "4", "--port", "{port}"], "/sparql", env)


def _rows(result: Result) -> list[dict[str, object]]:
    names = [str(v) for v in result.vars or []]
    return [{n: row[n] for n in names if row[n] is not None} for row in result]  # type: ignore[index]


def _term_eq(a: object, b: object, bnodes: dict[object, object]) -> bool:
    if isinstance(a, BNode) or isinstance(b, BNode):
        if not (isinstance(a, BNode) and isinstance(b, BNode)):
            return False
        if a in bnodes:
            return bnodes[a] == b
        if b in bnodes.values():
            return False
        bnodes[a] = b
        return True
    if isinstance(a, Literal) and isinstance(b, Literal):
        return a == b or (a.datatype == b.datatype and a.eq(b) is True and a.datatype is not None
                          and str(a.datatype).endswith(("integer", "decimal", "double", "float")))
    return a == b


def _row_eq(a: dict[str, object], b: dict[str, object], bnodes: dict[object, object]) -> bool:
    if set(a) != set(b):
        return False
    trial = dict(bnodes)
    if all(_term_eq(a[k], b[k], trial) for k in a):
        bnodes.update(trial)
        return True
    return False


def rows_match(actual: list[dict[str, object]], expected: list[dict[str, object]], ordered: bool) -> bool:
    if len(actual) != len(expected):
        return False
    if ordered:
        bnodes: dict[object, object] = {}
        return all(_row_eq(a, e, bnodes) for a, e in zip(actual, expected, strict=True))

    def search(remaining: list[dict[str, object]], pool: list[dict[str, object]], bnodes: dict[object, object]) -> bool:
        if not remaining:
            return True
        first, rest = remaining[0], remaining[1:]
        for i, candidate in enumerate(pool):
            trial = dict(bnodes)
            if _row_eq(first, candidate, trial) and search(rest, pool[:i] + pool[i + 1:], trial):
                return True
        return False

    return search(actual, list(expected), {})


def _tally(ok: bool, name: str, shown: str, why: str, known: dict[str, str], failures: list[str],
           expected: list[str]) -> int:
    """Count a pass (returns 1), or file the failure as expected (with its reason) or as a real one."""
    if ok:
        return 1
    if name in known:
        expected.append(f"{name}: {known[name]}")
    else:
        failures.append(f"{shown}: {why}")
    return 0


def run_query_tests(root: Path, endpoint: str) -> tuple[int, list[str], list[str]]:
    passed, failures, expected = 0, [], []
    for manifest in manifests(root):
        graph, tests = entries(manifest)
        for test in tests:
            kind = graph.value(test, RDF.type)
            name = f"{manifest.parent.name}/{graph.value(test, MF.name)}"
            try:
                ok, why = _one_query_test(graph, test, kind, endpoint)
            except Exception as exc:  # a crash in the runner is a failure of that test, not of the run
                ok, why = False, f"runner error: {exc}"
            passed += _tally(ok, name, name, why, EXPECTED_QUERY_FAILURES, failures, expected)
    return passed, failures, expected


def _one_query_test(graph: Graph, test: object, kind: object, endpoint: str) -> tuple[bool, str]:
    action = graph.value(test, MF.action)
    if kind in (MF.PositiveSyntaxTest11, MF.NegativeSyntaxTest11):
        path = file_of(action)
        query = f"BASE <{path.as_uri()}>\n" + path.read_text(encoding="utf-8")
        response = requests.post(endpoint, data={"query": query}, headers={"Accept": "application/json"}, timeout=60)
        if kind == MF.PositiveSyntaxTest11:
            return response.status_code == 200, f"status {response.status_code}: {response.text[:200]}"
        return response.status_code == 400, f"accepted an invalid query (status {response.status_code})"
    query_file = file_of(graph.value(action, QT.query))
    query = f"BASE <{query_file.as_uri()}>\n" + query_file.read_text(encoding="utf-8")
    data = [str(d) for d in graph.objects(action, QT.data)]
    named = [str(d) for d in graph.objects(action, QT.graphData)]
    params: dict[str, object] = {"query": query}
    shape = shape_of(query)
    # A query that names its own dataset (FROM / FROM NAMED) keeps it; the protocol's would override it.
    if (data or named) and not shape.names_dataset:
        params["default-graph-uri"] = data or ["urn:dkg:w3c:empty"]
        if named:
            params["named-graph-uri"] = named
    result_file = file_of(graph.value(test, MF.result))
    # Ask for the expected results' own format where it is CSV or TSV (their tests check those writers),
    # else SPARQL JSON; rdflib's result parsers are named as the registry's keys.
    key = result_file.suffix[1:] if result_file.suffix in (".csv", ".tsv") else "json"
    accept = formats.media_type(key)
    is_graph_query = shape.returns_graph
    if result_file.suffix in RDF_PARSE and is_graph_query:
        accept = formats.media_type("nt")
    response = requests.post(endpoint, data=params, headers={"Accept": accept}, timeout=60)
    if response.status_code != 200:
        return False, f"status {response.status_code}: {response.text[:300]}"
    if result_file.suffix in RDF_PARSE and is_graph_query:
        actual_graph = Graph().parse(data=response.text, format="nt")
        expected_graph = Graph().parse(result_file, format=RDF_PARSE[result_file.suffix],
                                       publicID=result_file.as_uri())
        return isomorphic(actual_graph, expected_graph), "graphs differ"
    actual = Result.parse(io.BytesIO(response.content), format=key)
    if result_file.suffix in RDF_PARSE:
        boolean, expected_rows = _result_set_graph(result_file)
        if boolean is not None:
            return actual.askAnswer == boolean, f"ASK {actual.askAnswer} != {boolean}"
    else:
        expected = Result.parse(result_file.open("rb"), format=RESULT_PARSE[result_file.suffix])
        if expected.type == "ASK":
            return actual.askAnswer == expected.askAnswer, f"ASK {actual.askAnswer} != {expected.askAnswer}"
        expected_rows = _rows(expected)
    ordered = bool(re.search(r"ORDER\s+BY", query, re.IGNORECASE))
    return rows_match(_rows(actual), expected_rows, ordered), "solutions differ"


RS = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/result-set#")


def _result_set_graph(path: Path) -> tuple[bool | None, list[dict[str, object]]]:
    """A DAWG result set written in RDF (rs:ResultSet)."""
    graph = Graph().parse(path, format=RDF_PARSE[path.suffix], publicID=path.as_uri())
    result_set = next(graph.subjects(RDF.type, RS.ResultSet))
    boolean = graph.value(result_set, RS.boolean)
    if boolean is not None:
        return bool(boolean.toPython()), []
    rows = []
    for solution in graph.objects(result_set, RS.solution):
        rows.append({str(graph.value(b, RS.variable)): graph.value(b, RS.value)
                     for b in graph.objects(solution, RS.binding)})
    return None, rows


def run_protocol_tests(root: Path, base: str) -> tuple[int, list[str], list[str]]:
    manifest = root / "protocol" / "manifest.ttl"
    graph, tests = entries(manifest)
    passed, failures, expected = 0, [], []
    for test in tests:
        name = str(graph.value(test, MF.name))
        ok, why = True, ""
        requests_list = Collection(graph, graph.value(graph.value(test, MF.action), HT.requests))  # type: ignore[arg-type]
        for request in requests_list:
            ok, why = _one_protocol_request(graph, request, base)
            if not ok:
                break
        passed += _tally(ok, name, f"protocol/{name}", why, EXPECTED_FAILURES, failures, expected)
    return passed, failures, expected


def _one_protocol_request(graph: Graph, request: object, base: str) -> tuple[bool, str]:
    method = str(graph.value(request, HT.methodName))
    path = str(graph.value(request, HT.absolutePath)).replace("/sparql/", "/sparql", 1)
    headers = {}
    head = graph.value(request, HT.headers)
    if head is not None:
        for header in Collection(graph, head):  # type: ignore[arg-type]
            headers[str(graph.value(header, HT.fieldName))] = str(graph.value(header, HT.fieldValue))
    body_node = graph.value(request, HT.body)
    body = None
    if body_node is not None:
        encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
        body = str(graph.value(body_node, CNT.chars)).encode(encoding)
    response = requests.request(method, base + path, headers=headers, data=body, timeout=60)
    expect = graph.value(request, HT.resp)
    statuses = {str(s).rsplit("StatusCode", 1)[-1] for s in graph.objects(expect, MF.expectedStatus)}
    klass = f"{response.status_code // 100}xx"
    if statuses and klass not in statuses:
        return False, f"status {response.status_code}, expected {sorted(statuses)}: {response.text[:150]}"
    fmt = graph.value(expect, MF.expectedFormat)
    media = response.headers.get("Content-Type", "").split(";")[0]
    if fmt is not None:
        allowed = {
            "boolean": {"application/sparql-results+xml", "application/sparql-results+json"},
            "tabular": {"application/sparql-results+xml", "application/sparql-results+json", "text/csv",
                        "text/tab-separated-values"},
            "RDF": {"application/rdf+xml", "text/turtle", "application/n-triples"},
        }[str(fmt)]
        if media not in allowed:
            return False, f"content type {media} not in {sorted(allowed)}"
    boolean = graph.value(expect, MF.expectedBoolean)
    if boolean is not None:
        answer = Result.parse(io.BytesIO(response.content), format="json" if "json" in media else "xml").askAnswer
        if answer != boolean.toPython():
            return False, f"boolean {answer}, expected {boolean}"
    return True, ""


def run_form_checks(root: Path, endpoint: str) -> tuple[int, int, list[str]]:
    """Every positive query syntax test must not be refused as an update; every positive update syntax
    test, sent as a query, must be (403)."""
    queries = updates = 0
    failures: list[str] = []
    for folder, positive in (("syntax-query", MF.PositiveSyntaxTest11), ("syntax-fed", MF.PositiveSyntaxTest11),
                             ("syntax-update-1", MF.PositiveUpdateSyntaxTest11),
                             ("syntax-update-2", MF.PositiveUpdateSyntaxTest11)):
        graph, tests = entries(root / folder / "manifest.ttl")
        for test in tests:
            if graph.value(test, RDF.type) != positive:
                continue
            path = file_of(graph.value(test, MF.action))
            text = f"BASE <{path.as_uri()}>\n" + path.read_text(encoding="utf-8")
            status = requests.post(endpoint, data=text.encode("utf-8"), timeout=60,
                                   headers={"Content-Type": "application/sparql-query"}).status_code
            if folder.startswith("syntax-update"):
                updates += 1
                if status != 403:
                    failures.append(f"{folder}/{path.name}: an update answered {status}, not 403")
            else:
                queries += 1
                if status == 403:
                    failures.append(f"{folder}/{path.name}: a query refused as an update")
    return queries, updates, failures


def main() -> int:
    root = Path(sys.argv[1]).resolve()
    if not (root / "manifest-sparql11-query.ttl").is_file():
        print(f"{root}: not the sparql11 folder of w3c-rdf-tests", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        store_dir = Path(tmp) / "store"
        store = ox.Store(str(store_dir))
        load_data_files(root, store)
        store.flush()
        del store
        server = start_server(store_dir)
        try:
            base = server.url
            q_passed, q_failures, q_expected = run_query_tests(root, base + "/sparql")
            p_passed, p_failures, p_expected = run_protocol_tests(root, base)
            f_queries, f_updates, f_failures = run_form_checks(root, base + "/sparql")
        finally:
            server.stop()
    print(f"W3C SPARQL 1.1 query evaluation + syntax + result formats: {q_passed} passed, "
          f"{len(q_failures)} failed, {len(q_expected)} expected failures")
    print(f"W3C SPARQL 1.1 protocol: {p_passed} passed, {len(p_failures)} failed, {len(p_expected)} expected failures")
    print(f"Forms: {f_queries} positive query syntax tests, {sum('query refused' in f for f in f_failures)} refused "
          f"as updates; {f_updates} positive update syntax tests, "
          f"{f_updates - sum('an update' in f for f in f_failures)} refused with 403")
    for line in itertools.chain(q_expected, p_expected):
        print(f"  expected failure: {line}")
    for line in itertools.chain(q_failures, p_failures, f_failures):
        print(f"  FAIL {line}")
    report = {"query_passed": q_passed, "query_failed": q_failures, "query_expected_failures": q_expected,
              "protocol_passed": p_passed,
              "protocol_failed": p_failures, "protocol_expected_failures": p_expected}
    Path(os.environ.get("W3C_REPORT", "/dev/null")).write_text(json.dumps(report, indent=2))
    return 1 if q_failures or p_failures or f_failures else 0


if __name__ == "__main__":
    sys.exit(main())
