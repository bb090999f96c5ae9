"""HermiT through owlready2: consistent graphs classify, contradictions are named."""

from __future__ import annotations

import pytest
from rdflib import OWL, RDF, RDFS, Graph, URIRef

from graph.build import Assembled
from graph.reason import ReasonerError, reason
from graph.vocab import DKG


def test_shipped_graph_is_consistent_and_classified(assembled: Assembled) -> None:
    inference = reason(assembled.asserted)
    assert (DKG.ContralateralLesionStatement, RDFS.subClassOf, DKG.LateralisedLesionStatement) in inference.graph
    assert (DKG.S0015, RDF.type, DKG.ContralateralLesionStatement) in inference.graph
    assert (DKG.S0236, RDF.type, DKG.InverseAssociationStatement) in inference.graph
    asserted = assembled.asserted
    assert not any(triple in asserted for triple in inference.graph), "only new triples are returned"


def test_individual_in_two_disjoint_classes_is_inconsistent(assembled: Assembled) -> None:
    broken = Graph() + assembled.asserted
    broken.add((DKG.S0001, RDF.type, DKG.TreatmentStatement))  # also a LesionPhenotypeStatement
    with pytest.raises(ReasonerError, match="inconsistent"):
        reason(broken)


def test_unsatisfiable_class_is_named(assembled: Assembled) -> None:
    broken = Graph() + assembled.asserted
    broken.add((DKG.Broken, RDF.type, OWL.Class))
    broken.add((DKG.Broken, RDFS.subClassOf, DKG.IsolatedDystonia))
    broken.add((DKG.Broken, RDFS.subClassOf, DKG.CombinedDystonia))
    with pytest.raises(ReasonerError) as caught:
        reason(broken)
    assert caught.value.unsatisfiable == [str(DKG.Broken)]


NOMINALS = (OWL.oneOf, OWL.hasValue, OWL.hasSelf)  # hasSelf too: HermiT handles it with the ABox as well


def test_the_ontology_has_no_nominal(assembled: Assembled) -> None:
    """A nominal makes HermiT take every statement into each class test it runs, in time that grows faster than
    the statements (README, "Cost curve"). Value partitions use value classes."""
    found = [(s, p) for p in NOMINALS for s in assembled.ontology.subjects(p, None)]
    assert found == []


def entailed_types(graph: Graph, individual: URIRef) -> set[URIRef]:
    """The classes HermiT puts ``individual`` in, with their superclasses (it reports the most specific only)."""
    closed = graph + reason(graph).graph
    direct = set(closed.objects(individual, RDF.type))
    return {cls for kind in direct for cls in closed.transitive_objects(kind, RDFS.subClassOf)}  # type: ignore[misc]


@pytest.mark.parametrize(("prop", "value", "kind"), [
    (DKG.laterality, DKG.Contralateral, DKG.ContralateralLesionStatement),
    (DKG.laterality, DKG.Bilateral, DKG.BilateralLesionStatement),
    (DKG.associationDirection, DKG.InverseAssociation, DKG.InverseAssociationStatement),
    (DKG.associationDirection, DKG.PositiveAssociation, DKG.QualifiedEtiologyStatement),
    (DKG.associationDirection, DKG.InverseAssociation, DKG.QualifiedEtiologyStatement),
])
def test_a_value_classifies_its_statement(assembled: Assembled, prop: URIRef, value: URIRef, kind: URIRef) -> None:
    """Every value of a partition gives the defined class it names, and no other value does."""
    graph = Graph() + assembled.ontology
    statement = DKG["S9900"]
    graph.add((statement, RDF.type, DKG.LesionPhenotypeStatement if prop == DKG.laterality else DKG.EtiologyStatement))
    graph.add((statement, prop, value))
    assert kind in entailed_types(graph, statement)
    ontology = assembled.ontology
    classes = ontology.transitive_subjects(RDFS.subClassOf, ontology.value(prop, RDFS.range))
    others = {member for cls in classes for member in ontology.subjects(RDF.type, cls)} - {value}
    assert others  # the control: the partition has other values
    for other in others:
        graph.set((statement, prop, other))
        types = entailed_types(graph, statement)
        names_the_other = (kind == DKG.QualifiedEtiologyStatement and other != DKG.UnstatedDirection)
        assert (kind in types) == names_the_other, other


@pytest.mark.parametrize(("value", "added"), [
    (DKG.PositiveAssociation, (DKG.associationDirection, DKG.InverseAssociation)),  # a functional property's two values
    (DKG.PositiveAssociation, (RDF.type, DKG.InverseAssociationStatement)),  # a defined class its value contradicts
    (DKG.UnstatedDirection, (RDF.type, DKG.QualifiedEtiologyStatement)),
])
def test_a_statement_its_direction_contradicts_is_inconsistent(assembled: Assembled, value: URIRef,
                                                                added: tuple[URIRef, URIRef]) -> None:
    graph = Graph() + assembled.ontology
    statement = DKG["S9901"]
    graph.add((statement, RDF.type, DKG.EtiologyStatement))
    graph.add((statement, DKG.associationDirection, value))
    graph.add((statement, *added))
    with pytest.raises(ReasonerError, match="inconsistent"):
        reason(graph)
