"""graph/shape_batching.py rewrites shapes so that pySHACL validates them sooner; the rewrite must never change what
is found. Each case below is a shapes graph the rewrite could get wrong (most found by an independent attempt on the
rewrite), with data that a wrong rewrite reports differently: the batched results must equal the results of the
shapes as written, and those must be what the case says SHACL finds.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from rdflib import Dataset, Graph, URIRef

from graph.validate import shacl_violations

PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://ex/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
"""


@dataclass(frozen=True)
class Case:
    """Shapes, data, and the (focus, message) pairs SHACL reports for them."""

    name: str
    shapes: str
    data: str
    found: frozenset[tuple[str, str]]


def case(name: str, shapes: str, data: str, *found: tuple[str, str]) -> Case:
    return Case(name, shapes, data, frozenset(found))


CASES = [
    case(
        "a property shape with property shapes of its own",
        """ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property ex:P .
           ex:P sh:path ex:knows ; sh:class ex:C ; sh:message "knows a C" ;
             sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:message "the known has a name" ] .""",
        """ex:a a ex:C ; ex:knows ex:b . ex:b a ex:D . ex:c ex:knows ex:b .""",
        ("ex:a", "knows a C"), ("ex:b", "the known has a name"),
    ),
    case(
        "a node shape that is also a class (an implicit class target) with a target of its own",
        """ex:C a rdfs:Class, sh:NodeShape ; sh:targetNode ex:x ;
             sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:message "named" ] .""",
        """ex:y a ex:C . ex:z a ex:Sub . ex:Sub rdfs:subClassOf ex:C .""",
        ("ex:x", "named"), ("ex:y", "named"), ("ex:z", "named"),
    ),
    case(
        "an OWL class as a node shape with a target of its own",
        """ex:C a owl:Class, sh:NodeShape ; sh:targetNode ex:x ;
             sh:property [ sh:path ex:name ; sh:datatype xsd:string ; sh:message "a string name" ] .""",
        """ex:x ex:name 1 . ex:y a ex:C ; ex:name 2 .""",
        ("ex:x", "a string name"), ("ex:y", "a string name"),
    ),
    case(
        "disjoint qualified value shapes read their siblings",
        """ex:S a sh:NodeShape ; sh:targetClass ex:Hand ;
             sh:property [ sh:path ex:digit ; sh:qualifiedValueShape [ sh:class ex:Thumb ] ;
                           sh:qualifiedValueShapesDisjoint true ; sh:qualifiedMinCount 1 ; sh:message "one thumb" ] ;
             sh:property [ sh:path ex:digit ; sh:qualifiedValueShape [ sh:class ex:Finger ] ;
                           sh:qualifiedMinCount 1 ; sh:message "a finger" ] .""",
        """ex:h a ex:Hand ; ex:digit ex:d . ex:d a ex:Thumb, ex:Finger .""",
        ("ex:h", "one thumb"),
    ),
    case(
        "warnings are results too",
        """ex:S a sh:NodeShape ; sh:targetClass ex:C ;
             sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:severity sh:Warning ; sh:message "better named" ] .""",
        """ex:a a ex:C .""",
        ("ex:a", "better named"),
    ),
    case(
        "a node shape's severity",
        """ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:severity sh:Info ; sh:nodeKind sh:IRI ;
             sh:message "an IRI" ; sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:message "named" ] .""",
        """ex:a a ex:C . [] a ex:C ; ex:name "b" .""",
        ("ex:a", "named"), ("_", "an IRI"),
    ),
    case(
        "a message in two languages",
        """ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:name ; sh:class ex:Name ;
             sh:message "ein Name"@de, "a name"@en, "un nom"@fr ] .""",
        """ex:a a ex:C ; ex:name ex:n . ex:b a ex:C ; ex:name ex:n .""",
        ("ex:a", "a name"), ("ex:b", "a name"),
    ),
    case(
        "a constraint component of the shapes' own beside a value constraint",
        """ex:Max a sh:ConstraintComponent ; sh:parameter [ sh:path ex:atMost ] ;
             sh:propertyValidator [ a sh:SPARQLSelectValidator ; sh:message "too many" ;
               sh:select "SELECT $this WHERE { $this $PATH ?v } GROUP BY $this HAVING (COUNT(?v) > $atMost)" ] .
           ex:S a sh:NodeShape ; sh:targetClass ex:C ;
             sh:property [ sh:path ex:name ; ex:atMost 1 ; sh:datatype xsd:string ; sh:message "a string" ] .""",
        """ex:a a ex:C ; ex:name "a", "b" . ex:b a ex:C ; ex:name 3 .""",
        ("ex:a", "a string"), ("ex:b", "a string"),  # the shape's message, for the component's result too
    ),
    case(
        "a property shape that two node shapes share",
        """ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property ex:P .
           ex:T a sh:NodeShape ; sh:targetClass ex:D ; sh:property ex:P .
           ex:P sh:path ex:name ; sh:datatype xsd:string ; sh:message "a string" .""",
        """ex:a a ex:C ; ex:name 1 . ex:b a ex:D ; ex:name 1 . ex:c ex:name 1 .""",
        ("ex:a", "a string"), ("ex:b", "a string"),
    ),
]


def violations(item: Case, batch: bool, data: Graph | None = None) -> set[tuple[str, str]]:
    shapes = Graph().parse(data=PREFIXES + item.shapes, format="turtle")
    graph = data if data is not None else Graph().parse(data=PREFIXES + item.data, format="turtle")
    found = shacl_violations(graph, shapes, batch=batch)
    return {(v.focus.replace("http://ex/", "ex:") if v.focus.startswith("http://ex/") else "_", v.message)
            for v in found}


@pytest.mark.parametrize("item", CASES, ids=lambda c: c.name)
def test_batched_shapes_find_what_the_shapes_as_written_find(item: Case) -> None:
    assert violations(item, batch=False) == item.found, "the case says what SHACL finds"
    assert violations(item, batch=True) == item.found


def test_a_dataset_is_validated_as_a_graph_is() -> None:
    """pySHACL validates each named graph of a dataset; in place or copied, the results are the same."""
    item = CASES[0]
    dataset = Dataset()
    dataset.graph(URIRef("http://ex/g")).parse(data=PREFIXES + item.data, format="turtle")
    assert violations(item, batch=True, data=dataset) == item.found
    assert violations(item, batch=False, data=dataset) == item.found
