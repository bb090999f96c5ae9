"""HermiT through owlready2: consistent graphs classify, contradictions are named."""

from __future__ import annotations

import pytest
from rdflib import OWL, RDF, RDFS, Graph

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
