"""SHACL shapes (shapes/*.ttl): each file has a valid and an invalid fixture under
tests/data/shapes/<file stem>/; the valid one conforms, the invalid one gives exactly the
(focus, path) pairs listed in its ``# expect: FOCUS PATH`` header lines ("-" for no path), each with
the sh:message of the shape that fired. The shipped sources conform, and every constraint of every
shape has an sh:message and the severity sh:Violation.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, Node, URIRef

from graph.assemble import load_ontology
from graph.build import Assembled
from graph.validate import SH, Violation, load_shapes, read_shapes, shacl_violations, shape_files
from graph.vocab import BASE, compact

from .conftest import DATA

FIXTURES = DATA / "shapes"
SHAPE_FILES = shape_files()
SPEC = "https://www.w3.org/TR/shacl/"
EXPECT = re.compile(r"^#\s*expect:\s*(\S+)\s+(\S+)\s*$")

# Parameters of the SHACL core constraint components (https://www.w3.org/TR/shacl/#core-components)
# and the SPARQL-based constraints (objects of sh:sparql): each must say what is wrong.
CONSTRAINT_PARAMETERS = [
    SH[name]
    for name in [
        "class",
        "datatype",
        "nodeKind",
        "minCount",
        "maxCount",
        "minExclusive",
        "minInclusive",
        "maxExclusive",
        "maxInclusive",
        "minLength",
        "maxLength",
        "pattern",
        "languageIn",
        "uniqueLang",
        "equals",
        "disjoint",
        "lessThan",
        "lessThanOrEquals",
        "not",
        "and",
        "or",
        "xone",
        "node",
        "qualifiedValueShape",
        "closed",
        "hasValue",
        "in",
    ]
]


@cache
def ontology() -> Graph:
    return load_ontology()


@cache
def shapes() -> Graph:
    return load_shapes()


def fixture(shape_file: Path, kind: str) -> Path:
    return FIXTURES / shape_file.stem / f"{kind}.ttl"


def fixture_graph(path: Path) -> Graph:
    """A Turtle file of shapes or data, its relative IRIs resolved against the base IRI, as the build reads it."""
    graph = Graph()
    graph.parse(path, format="turtle", publicID=BASE)
    return graph


def data_graph(path: Path) -> Graph:
    """A fixture plus the real ontology: what the build validates, with the fixture as curation."""
    return ontology() + fixture_graph(path)


def expected_pairs(path: Path) -> set[tuple[str, str]]:
    pairs = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        match = EXPECT.match(line)
        if match:
            focus, prop = match.groups()
            pairs.add((focus, "" if prop == "-" else prop))
    return pairs


def targets(shape_file: Path, data: Graph) -> set[Node]:
    """The focus nodes the node shapes of one shape file select in ``data``."""
    shape_graph = read_shapes([shape_file])
    found: set[Node] = set()
    for cls in shape_graph.objects(None, SH.targetClass):
        found |= {
            row[0]
            for row in data.query(
                "SELECT ?x WHERE { ?x a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* ?c }",
                initBindings={"c": cls},
            )
        }
    for target in shape_graph.objects(None, SH.target):
        select = shape_graph.value(target, SH.select)
        assert select is not None, f"{shape_file.name}: only SPARQL-based custom targets are handled here"
        found |= {row[0] for row in data.query(str(select), initNs=declared_prefixes(shape_graph, target))}
    return found


def declared_prefixes(graph: Graph, node: Node) -> dict[str, str]:
    """The prefixes a SPARQL-based target or constraint of ``graph`` declares (sh:prefixes, sh:declare)."""
    return {str(graph.value(declaration, SH.prefix)): str(graph.value(declaration, SH.namespace))
            for owner in graph.objects(node, SH.prefixes) for declaration in graph.objects(owner, SH.declare)}


def describe(violations: list[Violation]) -> str:
    return "\n".join(str(v) for v in violations)


def test_shape_files_and_fixtures_exist() -> None:
    assert SHAPE_FILES, "no shape files found in shapes/"
    missing = [
        str(fixture(f, kind))
        for f in SHAPE_FILES
        for kind in ("valid", "invalid")
        if not fixture(f, kind).is_file()
    ]
    assert not missing, f"shape files without fixtures: {missing}"


def test_every_shape_file_has_a_target_and_the_header() -> None:
    for path in SHAPE_FILES:
        graph = fixture_graph(path)
        targeting = any(graph.objects(None, SH.targetClass)) or any(graph.objects(None, SH.target))
        assert targeting, f"{path.name} targets nothing"
        header = path.read_text(encoding="utf-8").split("@prefix", 1)[0]
        assert SPEC in header, f"{path.name}: no link to the SHACL spec in its header comment"


@pytest.mark.parametrize("shape_file", SHAPE_FILES, ids=lambda p: p.stem)
def test_valid_fixture_conforms(shape_file: Path) -> None:
    path = fixture(shape_file, "valid")
    data = data_graph(path)
    own = set(fixture_graph(path).subjects())
    assert targets(shape_file, data) & own, f"{path} has no node that {shape_file.name} targets"
    violations = shacl_violations(data, shapes())
    assert violations == [], describe(violations)


@pytest.mark.parametrize("shape_file", SHAPE_FILES, ids=lambda p: p.stem)
def test_invalid_fixture_gives_the_expected_violations(shape_file: Path) -> None:
    path = fixture(shape_file, "invalid")
    expected = expected_pairs(path)
    assert expected, f"{path} lists no '# expect: FOCUS PATH' lines"
    data = data_graph(path)
    targeted = {compact(str(node)) for node in targets(shape_file, data)}
    for focus, _ in sorted(expected):
        assert focus in targeted, f"{focus} is not a focus node of {shape_file.name}"
    violations = shacl_violations(data, shapes())
    assert violations == shacl_violations(data, shapes(), batch=False), "batched, they find what they find as written"
    found = {(v.focus, v.path) for v in violations}
    report = describe(violations)
    assert expected - found == set(), f"expected but not found: {sorted(expected - found)}\n{report}"
    assert found - expected == set(), f"found but not expected: {sorted(found - expected)}\n{report}"
    messages = {str(m) for m in shapes().objects(None, SH.message)}
    for violation in violations:
        assert violation.severity == "Violation", str(violation)
        assert violation.message.strip(), str(violation)
        assert violation.message in messages, f"not an sh:message of the shapes: {violation}"


def test_shipped_data_conforms(assembled: Assembled) -> None:
    violations = shacl_violations(assembled.asserted, shapes())
    assert violations == [], describe(violations)


def test_every_constraint_has_a_message() -> None:
    graph = shapes()
    constraints: set[Node] = set(graph.subjects(SH.path, None))
    for parameter in CONSTRAINT_PARAMETERS:
        constraints |= set(graph.subjects(parameter, None))
    constraints |= set(graph.objects(None, SH.sparql))
    assert constraints, "no constraints found in the shapes"
    missing = []
    for node in constraints:
        messages = [m for m in graph.objects(node, SH.message) if isinstance(m, Literal) and str(m).strip()]
        if not messages:
            missing.append(describe_node(graph, node))
    assert not missing, "constraints without sh:message:\n" + "\n".join(sorted(missing))


def describe_node(graph: Graph, node: Node) -> str:
    path = graph.value(node, SH.path)
    owner = graph.value(None, SH.property, node)
    where = f"property shape on {path}" if path is not None else f"node {node}"
    return f"{where} (in {owner})" if owner is not None else where


def test_every_constraint_is_a_violation() -> None:
    graph = shapes()
    severities = set(graph.objects(None, SH.severity))
    assert severities <= {SH.Violation}, f"severities other than sh:Violation: {severities}"


def test_shapes_use_only_declared_classes() -> None:
    """sh:targetClass and sh:class name classes the ontology declares (a typo would check nothing)."""
    declared = set(ontology().subjects(RDF.type, None))
    for predicate in (SH.targetClass, SH["class"]):
        for cls in shapes().objects(None, predicate):
            assert isinstance(cls, URIRef) and cls in declared, f"{predicate}: {cls} is not declared"


@pytest.mark.parametrize("shape_file", SHAPE_FILES, ids=lambda p: p.stem)
def test_validation_leaves_the_data_graph_as_it_was(shape_file: Path) -> None:
    """pySHACL validates in place (no copy): it must not add to or take from the graph the build goes on with."""
    data = data_graph(fixture(shape_file, "invalid"))
    before = set(data)
    shacl_violations(data, shapes())
    assert set(data) == before


def test_a_value_is_reported_for_the_focus_nodes_that_have_it_only() -> None:
    """Value constraints run once per distinct value (graph/shape_batching.py); a bad value is reported for each focus
    node that has it, and not for a subject no shape targets, nor for a value of another node shape's property."""
    data = data_graph(FIXTURES / "lesion-phenotype-statement" / "valid.ttl")
    lesion = next(iter(data.subjects(RDF.type, URIRef(BASE + "id/LesionPhenotypeStatement"))))
    bad = URIRef(BASE + "id/Contralateral")  # neither an HPO term nor a local dystonia class
    for subject in (lesion, URIRef(BASE + "id/NotAStatement"), URIRef(BASE + "id/Syn001S0001")):
        data.add((subject, URIRef(BASE + "id/phenotype"), bad))
    data.add((URIRef(BASE + "id/Syn001S0001"), RDF.type, URIRef(BASE + "id/LesionPhenotypeStatement")))
    found = shacl_violations(data, shapes())
    assert found == shacl_violations(data, shapes(), batch=False)
    reported = {v.focus for v in found if v.path == "dkg:phenotype" and v.value == "dkg:Contralateral"}
    assert reported == {compact(str(lesion)), "dkg:Syn001S0001"}


@pytest.mark.parametrize(("partner", "given"), [("onset", "onsetLikelihood"), ("outcome", "outcomeLikelihood"),
                                                ("footnoteMarker", "footnoteCitation")])
def test_a_qualifier_without_what_it_qualifies_is_reported_on_any_subject(partner: str, given: str) -> None:
    """The shapes targeted at the subjects of a qualifier fire whatever the subject is, a statement or not
    (deliberately: a likelihood of nothing, or a citation of no marker, is wrong anywhere)."""
    data = data_graph(FIXTURES / "lesion-phenotype-statement" / "valid.ttl")
    statement = next(iter(data.subjects(RDF.type, URIRef(BASE + "id/LesionPhenotypeStatement"))))
    value = next(iter(data.objects(None, URIRef(BASE + "id/" + given))), URIRef(BASE + "id/Rare"))
    for subject in (statement, URIRef(BASE + "id/NotAStatement")):
        data.remove((subject, URIRef(BASE + "id/" + partner), None))
        data.add((subject, URIRef(BASE + "id/" + given), value))
    found = shacl_violations(data, shapes())
    assert found == shacl_violations(data, shapes(), batch=False)
    reported = {v.focus for v in found if v.path == f"dkg:{partner}"}
    assert reported == {compact(str(statement)), "dkg:NotAStatement"}
