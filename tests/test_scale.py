"""What the cost curve changed, on a synthetic layer of several sources (``bench/synthetic.py``): the layer passes
every check and the audit, and the faster ways of checking it find what the plain ones find, in the last source
too. (The times are ``bench/scale.py``'s; no test here asserts one.)"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rdflib import OWL, RDF, RDFS

from bench.synthetic import source_id, statement_id, synthesize
from graph.audit import audit
from graph.build import Assembled, Sources, assemble, check
from graph.ledger import load_ledgers
from graph.reason import ReasonerError, reason
from graph.reason_parts import parts, separable, statements
from graph.records import compose
from graph.validate import load_shapes, shacl_violations
from graph.vocab import DKG

from .conftest import quiet

FACTOR = 3  # the shipped sources and two synthetic copies
LAST = statement_id(FACTOR - 1, "S0463")  # a statement of the last synthetic source
PART = 300  # statements per part of the reasoner's input: three parts here


@pytest.fixture(scope="module")
def layer(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, int]:
    return synthesize(tmp_path_factory.mktemp("scale"), FACTOR)


@pytest.fixture(scope="module")
def synthetic(layer: tuple[Path, Path, int]) -> Assembled:
    return assemble(quiet, Sources(curation_dir=layer[0], with_hpo=False))


def test_synthetic_layer_passes_every_check_and_the_audit(layer: tuple[Path, Path, int],
                                                           synthetic: Assembled) -> None:
    curation, texts, count = layer
    assert count == len(statements(synthetic.asserted)) == FACTOR * len(statements(assemble(quiet).asserted))
    assert check(synthetic, quiet) == []
    report = audit(synthetic.curated, texts, load_ledgers(curation))
    synthetic_problems = [p for p in report.problems if "Synthetic" in p]
    assert synthetic_problems == [], synthetic_problems  # the shipped texts are not here: only their digests fail
    assert report.coverage[source_id(FACTOR - 1)]["statements"] == count // FACTOR


def test_batched_shapes_find_what_the_shapes_as_written_find(synthetic: Assembled) -> None:
    data = synthetic.asserted
    focus = DKG[LAST]
    data.remove((focus, DKG.evidence, None))  # minCount, on a property shape
    data.add((focus, DKG.phenotype, DKG.Contralateral))  # sh:or of value shapes
    data.add((focus, DKG.onsetLikelihood, DKG.Rare))  # sh:or on the node shape: a likelihood without an onset
    found = shacl_violations(data, load_shapes())
    assert found == shacl_violations(data, load_shapes(), batch=False)
    assert {v.path for v in found if v.focus == f"dkg:{LAST}"} >= {"dkg:evidence", "dkg:phenotype", ""}


@pytest.mark.slow  # three HermiT runs over the synthetic layer: .ci/run runs it after the README's command
def test_reasoning_in_parts_infers_what_reasoning_over_the_whole_infers(synthetic: Assembled) -> None:
    graph = synthetic.to_reason()
    assert len(parts(graph, PART)) > 2
    assert set(reason(graph, PART).graph) == set(reason(graph, 10**6).graph)


@pytest.mark.slow  # three HermiT runs over the synthetic layer: .ci/run runs it after the README's command
def test_an_inconsistency_in_the_last_part_is_found(synthetic: Assembled) -> None:
    graph = synthetic.to_reason()
    graph.add((DKG[LAST], RDF.type, DKG.TreatmentStatement))  # also an epidemiology statement: disjoint kinds
    with pytest.raises(ReasonerError, match="inconsistent"):
        reason(graph, PART)


@pytest.mark.slow  # three HermiT runs over the synthetic layer: .ci/run runs it after the README's command
def test_a_clash_between_statements_of_different_parts_is_found(synthetic: Assembled) -> None:
    """Two statements of different parts give one individual two disjoint types through the ranges of their
    properties: each is the witness of its (property, individual) pair, so every part holds both assertions."""
    graph = synthetic.to_reason()
    shared = DKG.SharedValue
    for prop, kind in ((DKG.testRangeA, DKG.TestKindA), (DKG.testRangeB, DKG.TestKindB)):
        graph.add((prop, RDF.type, OWL.ObjectProperty))
        graph.add((prop, RDFS.range, kind))
        graph.add((kind, RDF.type, OWL.Class))
    graph.add((DKG.TestKindA, OWL.disjointWith, DKG.TestKindB))
    graph.add((DKG.S0001, DKG.testRangeA, shared))
    graph.add((DKG[LAST], DKG.testRangeB, shared))
    assert len(parts(graph, PART)) > 2  # S0001 is packed into the first, the other into the last
    with pytest.raises(ReasonerError, match="inconsistent"):
        reason(graph, PART)


def test_a_graph_outside_the_fragment_is_reasoned_over_whole(synthetic: Assembled) -> None:
    graph = synthetic.to_reason()
    graph.add((DKG.hedgeRepresentedOn, OWL.inverseOf, DKG.testInverse))
    assert not separable(graph)
    assert parts(graph, PART) == [graph]


def test_libyaml_composes_what_the_pure_python_parser_composes(layer: tuple[Path, Path, int]) -> None:
    def tree(node: yaml.Node) -> object:
        mark = node.start_mark
        if isinstance(node, yaml.ScalarNode):
            return node.tag, node.value, mark.line, mark.column
        if isinstance(node, yaml.MappingNode):
            return node.tag, mark.line, [(tree(k), tree(v)) for k, v in node.value]
        return node.tag, mark.line, [tree(v) for v in node.value]

    files = sorted(layer[0].rglob("*.yaml"))
    assert len(files) > 8
    for path in files:
        text = path.read_text(encoding="utf-8")
        fast, plain = compose(text), compose(text, fast=False)
        assert fast is not None and plain is not None and tree(fast) == tree(plain), path


def test_the_shipped_ontology_is_inside_the_fragment(synthetic: Assembled) -> None:
    assert separable(synthetic.to_reason())


def test_a_functional_property_that_could_merge_two_values_makes_one_part(synthetic: Assembled) -> None:
    """Two values of a functional property for one statement are one individual, in every part that uses them."""
    graph = synthetic.to_reason()
    graph.add((DKG.testFunctional, RDF.type, OWL.ObjectProperty))
    graph.add((DKG.testFunctional, RDF.type, OWL.FunctionalProperty))
    graph.add((DKG.S0001, DKG.testFunctional, DKG.TestValueA))
    assert separable(graph)  # one value per statement: nothing merges
    graph.add((DKG.S0001, DKG.testFunctional, DKG.TestValueB))
    assert not separable(graph)
    graph.add((DKG.TestValueA, OWL.differentFrom, DKG.TestValueB))
    assert separable(graph)  # a merge of the two would be an inconsistency, found in the statement's own part


def test_a_has_value_restriction_whose_value_lacks_a_range_type_makes_one_part(synthetic: Assembled) -> None:
    """A statement typed by ``p hasValue v`` gives v the range of p by inference, with no witness in other parts."""
    graph = synthetic.to_reason()
    restriction = DKG.TestRestriction
    graph.add((DKG.testValued, RDF.type, OWL.ObjectProperty))
    graph.add((DKG.testValued, RDFS.range, DKG.TestRange))
    graph.add((restriction, RDF.type, OWL.Restriction))
    graph.add((restriction, OWL.onProperty, DKG.testValued))
    graph.add((restriction, OWL.hasValue, DKG.TestValue))
    assert not separable(graph)
    graph.add((DKG.TestValue, RDF.type, DKG.TestNarrower))
    graph.add((DKG.TestNarrower, RDFS.subClassOf, DKG.TestRange))
    assert separable(graph)
    graph.add((DKG.testValued, RDFS.subPropertyOf, DKG.testAbove))
    graph.add((DKG.testAbove, RDFS.range, DKG.TestOtherRange))
    assert not separable(graph)  # the range of the property above it too
