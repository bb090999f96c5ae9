"""Real SPARQL clients against the live server: SPARQLWrapper and rdflib's SPARQLStore."""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper

from graph.vocab import DKG, sparql_prefixes

LESION_TYPES = sparql_prefixes("dkg") + """
SELECT ?s WHERE { ?s a dkg:LesionPhenotypeStatement } ORDER BY ?s
"""


def test_sparqlwrapper_in_each_format(live_server) -> None:  # type: ignore[no-untyped-def]
    client = SPARQLWrapper(live_server.url + "/sparql")
    client.setQuery(LESION_TYPES)
    client.setReturnFormat(JSON)
    bindings = client.queryAndConvert()["results"]["bindings"]  # type: ignore[index]
    assert len(bindings) >= 30
    assert bindings[0]["s"]["value"] == str(DKG.S0001)
    client.setReturnFormat(XML)
    assert len(client.queryAndConvert().getElementsByTagName("result")) == len(bindings)  # type: ignore[union-attr]
    client.setReturnFormat(CSV)
    assert len(client.queryAndConvert().decode().strip().splitlines()) == len(bindings) + 1  # type: ignore[union-attr]
    client.setMethod("POST")
    client.setQuery(f"CONSTRUCT WHERE {{ ?s a <{DKG.LesionPhenotypeStatement}> }}")
    client.setReturnFormat(TURTLE)
    graph = Graph().parse(data=client.queryAndConvert(), format="turtle")  # type: ignore[arg-type]
    assert len(graph) == len(bindings)


def test_rdflib_sparqlstore(live_server) -> None:  # type: ignore[no-untyped-def]
    store = SPARQLStore(live_server.url + "/sparql")
    graph = Graph(store=store)
    rows = list(graph.query(LESION_TYPES))
    assert rows[0][0] == DKG.S0001
    labels = list(graph.objects(URIRef("http://purl.obolibrary.org/obo/HP_0001332"),
                                URIRef("http://www.w3.org/2000/01/rdf-schema#label")))
    assert [str(x) for x in labels] == ["Dystonia"]
