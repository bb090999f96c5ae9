"""The named queries published as SPARQL examples (graph/examples.py), asked of the live endpoint as SIB's editor and
query generators ask theirs: one sh:SPARQLExecutable per query file, each in a named graph of its own, with the text
/queries/ serves, its title, question, parameters and target; the Service Description and VoID link them."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest
import requests
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.namespace import VOID

from graph.query import named_queries, with_base
from graph.vocab import BASE

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SCHEMA = Namespace("https://schema.org/")  # as SIB writes it (rdflib's SDO warns when pytest inspects the module)
JSON_RESULTS = {"Accept": "application/sparql-results+json"}
EXAMPLES = """PREFIX sh: <http://www.w3.org/ns/shacl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
PREFIX spex: <https://purl.expasy.org/sparql-examples/ontology#>
SELECT ?example ?graph ?title ?question ?text ?target WHERE {
  GRAPH ?graph { ?example a sh:SPARQLExecutable ; rdfs:label ?title ; rdfs:comment ?question ;
                          sh:select|sh:ask|sh:construct|spex:describe ?text ; schema:target ?target }
}"""
PARAMETERS = """PREFIX sh: <http://www.w3.org/ns/shacl#>
SELECT ?example ?name ?default WHERE {
  ?example a sh:SPARQLExecutable ; sh:parameter ?parameter . ?parameter sh:name ?name .
  OPTIONAL { ?parameter sh:defaultValue ?default }
}"""
IN_GRAPH = "SELECT ?graph (COUNT(DISTINCT ?s) AS ?subjects) WHERE {{ VALUES ?graph {{ {} }} " \
           "GRAPH ?graph {{ ?s ?p ?o FILTER(isIRI(?s)) }} }} GROUP BY ?graph"


def select(url: str, query: str) -> list[dict[str, str]]:
    response = requests.post(url + "/sparql", data={"query": query}, headers=JSON_RESULTS, timeout=60)
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in b.items()} for b in response.json()["results"]["bindings"]]


@pytest.fixture(scope="module")
def examples(live_server) -> dict[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    """The examples the endpoint answers, by their text."""
    rows = select(live_server.url, EXAMPLES)
    by_text = {row["text"]: row for row in rows}
    assert len(by_text) == len(rows), "two examples share a text"
    return by_text


def test_one_example_per_query_file_with_the_text_title_and_question_served(live_server, examples) -> None:  # type: ignore[no-untyped-def]
    listing = requests.get(live_server.url + "/queries/", timeout=30).json()
    files = {q.name: q for q in named_queries()}
    assert {q["name"] for q in listing} == set(files) and len(examples) == len(files)
    for served in listing:
        assert served["sparql"] == with_base(files[served["name"]].path.read_text(encoding="utf-8"))
        example = examples.get(served["sparql"])
        assert example is not None, f"{served['name']}: no example with the text /queries/ serves"
        assert (example["title"], example["question"]) == (served["title"], served["question"])
        assert example["target"] == BASE + "sparql"
    graphs = [e["graph"] for e in examples.values()]
    assert len(set(graphs)) == len(graphs), "examples share a named graph"
    in_graph = IN_GRAPH.format(" ".join(f"<{g}>" for g in graphs))
    subjects = {row["graph"]: int(row["subjects"]) for row in select(live_server.url, in_graph)}
    assert all(subjects[g] == 1 for g in graphs), "an example's graph holds something else too"


def test_published_parameters_are_the_headers_and_their_defaults_the_queries_own(live_server, examples) -> None:  # type: ignore[no-untyped-def]
    """Each query file's ``# parameters:`` are its example's; sent to /queries/NAME, the published default values give
    the answer the query gives without them."""
    published: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for row in select(live_server.url, PARAMETERS):
        published[row["example"]][row["name"]] += [row["default"]] if "default" in row else []
    by_name = {q.name: examples[q.text]["example"] for q in named_queries()}
    for query in named_queries():
        parameters = published.get(by_name[query.name], {})
        assert set(parameters) == set(query.parameters), query.name
        for name, defaults in parameters.items():
            assert defaults, f"{query.name}: ?{name} has no default"
            url = f"{live_server.url}/queries/{query.name}"
            given = requests.get(url, params={name: defaults}, headers=JSON_RESULTS, timeout=60)
            assert given.status_code == 200 and given.content == requests.get(url, headers=JSON_RESULTS,
                                                                              timeout=60).content, query.name


def _graph(response: requests.Response) -> Graph:
    assert response.status_code == 200, response.text
    return Graph().parse(data=response.text, format="turtle")


def test_the_service_description_and_void_link_every_example(live_server, examples) -> None:  # type: ignore[no-untyped-def]
    sd = _graph(requests.get(live_server.url + "/sparql", headers={"Accept": "text/turtle"}, timeout=30))
    services = list(sd.subjects(RDF.type, SD.Service))
    assert len(services) == 1 and sd.value(services[0], SD.endpoint) == URIRef(live_server.url + "/sparql")
    rooted: dict[Any, Any] = {}
    for named in sd.subjects(RDF.type, SD.NamedGraph):
        for content in sd.objects(named, SD.graph):
            rooted[sd.value(named, SD.name)] = sd.value(content, VOID.rootResource)
    for example in examples.values():
        assert rooted.get(URIRef(example["graph"])) == URIRef(example["example"]), example["example"]
        assert URIRef(example["target"]) == services[0]  # the data's target is the service the SD describes
        assert (URIRef(example["example"]), SCHEMA.target, services[0]) in sd
    void = _graph(requests.get(live_server.url + "/void", headers={"Accept": "text/turtle"}, timeout=60))
    dataset = URIRef(BASE + "dataset")
    listed = {o for subset in void.objects(dataset, VOID.subset) for o in void.objects(subset, VOID.exampleResource)}
    assert listed == {URIRef(e["example"]) for e in examples.values()}
