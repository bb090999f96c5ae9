"""Reasoning in parts (``graph/reason_parts.py``): graphs outside its fragment are reasoned over whole, among them the
nine an independent attack (helper-31) built where a wider fragment let the parts answer otherwise than the whole;
inside it, the parts infer what the whole infers, and find an inconsistency that only two parts together show."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, Graph, URIRef

from graph.reason import ReasonerError, reason
from graph.reason_parts import parts, separable, statements

DATA = Path(__file__).parent / "data" / "reason-parts"
EX = "http://ex.org/"


def _graph(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")


@pytest.mark.parametrize("path", sorted((DATA / "attacks").glob("*.ttl")), ids=lambda p: p.stem)
def test_the_attacks_are_outside_the_fragment(path: Path) -> None:
    graph = _graph(path)
    assert len(statements(graph)) > 1
    assert not separable(graph)
    assert parts(graph, 1) == [graph]


def test_the_plain_fragment_is_cut_into_parts() -> None:
    graph = _graph(DATA / "plain-fragment.ttl")
    assert separable(graph) and len(parts(graph, 1)) == len(statements(graph)) > 2


@pytest.mark.slow  # HermiT runs (a JVM each): .ci/run runs it after the README's command
def test_parts_infer_what_the_whole_infers() -> None:
    graph = _graph(DATA / "plain-fragment.ttl")
    inferred = set(reason(graph, 10**6).graph)
    assert inferred  # the control classifies statements through a shared individual's types
    assert set(reason(graph, 1).graph) == inferred


@pytest.mark.slow  # HermiT runs (a JVM each): .ci/run runs it after the README's command
def test_a_clash_between_statements_of_different_parts_is_found() -> None:
    """Two statements give one individual disjoint types through the ranges of their properties: each is the witness
    of its (property, individual) pair, so every part holds both assertions."""
    graph = _graph(DATA / "plain-fragment.ttl")
    a, b, shared = URIRef(EX + "KindA"), URIRef(EX + "KindB"), URIRef(EX + "shared")
    for prop, kind in ((URIRef(EX + "rangeA"), a), (URIRef(EX + "rangeB"), b)):
        graph.add((prop, RDF.type, OWL.ObjectProperty))
        graph.add((prop, RDFS.range, kind))
        graph.add((kind, RDF.type, OWL.Class))
    graph.add((a, OWL.disjointWith, b))
    graph.add((URIRef(EX + "s0"), URIRef(EX + "rangeA"), shared))
    graph.add((URIRef(EX + "s9"), URIRef(EX + "rangeB"), shared))
    assert separable(graph) and len(parts(graph, 1)) > 2
    with pytest.raises(ReasonerError, match="inconsistent"):
        reason(graph, 1)


def test_a_non_statement_pointing_at_a_statement_is_outside_the_fragment() -> None:
    graph = _graph(DATA / "plain-fragment.ttl")
    graph.add((URIRef(EX + "x"), URIRef(EX + "about"), URIRef(EX + "s9")))
    assert not separable(graph)
