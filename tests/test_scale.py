"""What the cost curve changed, on a synthetic layer of several sources (``bench/synthetic.py``): the layer passes
every check and the audit, and the faster ways of checking it find what the plain ones find, in the last source
too. (The times are ``bench/scale.py``'s; no test here asserts one.)"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rdflib import RDF, Graph
from rdflib.term import Node

from bench.synthetic import source_id, statement_id, synthesize
from graph.assemble import Vocabulary
from graph.audit import audit
from graph.build import Assembled, Sources, assemble, check
from graph.ledger import load_ledgers
from graph.reason import reason
from graph.records import compose
from graph.validate import load_shapes, shacl_violations
from graph.vocab import DKG

from .conftest import quiet

FACTOR = 3  # the shipped sources and two synthetic copies
LAST = statement_id(FACTOR - 1, "S0463")  # a statement of the last synthetic source


def statements(graph: Graph) -> set[Node]:
    """The individuals of a statement class."""
    return {s for kind in Vocabulary.from_ontology(graph).statement_types for s in graph.subjects(RDF.type, kind)}


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
    data.add((focus, DKG.onsetLikelihood, DKG.Rare))  # a shape of its own: a likelihood without an onset
    found = shacl_violations(data, load_shapes())
    assert found == shacl_violations(data, load_shapes(), batch=False)
    assert {v.path for v in found if v.focus == f"dkg:{LAST}"} >= {"dkg:evidence", "dkg:phenotype", "dkg:onset"}


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


@pytest.mark.slow  # a HermiT run (a JVM): .ci/run runs it after the README's command
def test_every_copy_of_a_statement_is_classified_as_the_statement_is(synthetic: Assembled) -> None:
    """One HermiT run over the whole layer classifies each synthetic copy (``Syn002S0015``) as its shipped statement
    (``S0015``): no class test is cut short at scale."""
    types: dict[str, set[str]] = {}
    for s, _, kind in reason(synthetic.to_reason()).graph.triples((None, RDF.type, None)):
        types.setdefault(str(s).rsplit("/", 1)[-1], set()).add(str(kind))
    shipped = {ident: kinds for ident, kinds in types.items() if not ident.startswith("Syn")}
    assert len(shipped) > 20  # the control: the defined statement classes classify dozens of shipped statements
    for k in range(1, FACTOR):
        assert {ident: kinds for ident, kinds in types.items() if ident.startswith(f"Syn{k:03d}")} == {
            statement_id(k, ident): kinds for ident, kinds in shipped.items()}
