"""Compaction to JSON-LD (graph/jsonld.py): every triple kept, and the same bytes for the same triples."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from pyld import jsonld
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.plugins.shared.jsonld.context import Context

from graph.jsonld import COMMON, compact
from graph.vocab import DKG, PREFIXES

CONTEXT = {**{p: ns for p, ns in PREFIXES.items()}, **COMMON}
A, B, C = (URIRef(DKG + name) for name in "ABC")


def union_class() -> list[tuple[URIRef | BNode, URIRef, URIRef | BNode | Literal]]:
    """``A ≡ B ⊔ C`` (a blank class whose union is a list) with labels: blank nodes three deep, the first reached
    through ``equivalentClass``, a term the context coerces to ``@id``."""
    union, first, second = BNode("u"), BNode("l1"), BNode("l2")
    return [(A, OWL.equivalentClass, union), (union, RDF.type, OWL.Class), (union, OWL.unionOf, first),
            (first, RDF.first, B), (first, RDF.rest, second), (second, RDF.first, C), (second, RDF.rest, RDF.nil),
            (A, RDFS.label, Literal("a", lang="en")), (B, RDFS.label, Literal("b")), (C, RDFS.subClassOf, A)]


def read_back(document: dict[str, object]) -> Graph:
    """The triples another processor (pyld) reads from ``document`` under the context."""
    expanded = jsonld.expand({**document, "@context": CONTEXT})
    return Graph().parse(data=jsonld.to_rdf(expanded, {"format": "application/n-quads"}), format="nt")


def test_a_blank_node_reached_through_a_term_coerced_to_id_keeps_its_triples() -> None:
    graph = Graph()
    for triple in union_class():
        graph.add(triple)
    document = compact(graph, Context(CONTEXT))
    assert isomorphic(read_back(document), graph), json.dumps(document, indent=1)


@settings(max_examples=40, deadline=None)
@given(st.permutations(union_class()))
def test_the_same_triples_give_the_same_document_whatever_the_order_they_come_in(
        triples: list[tuple[URIRef | BNode, URIRef, URIRef | BNode | Literal]]) -> None:
    reference, shuffled = Graph(), Graph()
    for triple in union_class():
        reference.add(triple)
    for triple in triples:
        shuffled.add(triple)
    context = Context(CONTEXT)
    assert json.dumps(compact(shuffled, context)) == json.dumps(compact(reference, context))
