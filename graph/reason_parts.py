"""Cut the reasoner's input into parts that HermiT checks and classifies one at a time, with the same result.

HermiT's time grows faster than the number of statements: over 21,600 it took 24 minutes, where 2,160 took 20 s
(``bench/scale.py``). Each statement is an individual with its own assertions; what one statement can tell the
reasoner about another has to pass through the individuals they share (terms, sources, citations, the values of
qualifiers), and in the fragment checked below it passes only as the types those individuals get from the ranges of
the properties that point to them. So each part holds

- everything that is not a statement's own assertion (the ontology, sources, citations, units...),
- whole groups of statements that point to one another (``hedgeRepresentedOn``...), up to ``max_statements``,
- and, for every (property, individual) pair any statement uses, one statement that uses it (a *witness*): each
  part then gives every shared individual the same types the whole graph gives it,

and a statement's inferred types, an inconsistency and an unsatisfiable class are found in some part exactly
when they are found in the whole. That holds only in a fragment without equality and without nominals, and it is
checked, not assumed: a graph that uses a construct through which statements could affect one another otherwise
(inverse, chained, symmetric, transitive, functional or equivalent properties, cardinality, universal, self or
``hasValue`` restrictions, ``oneOf``, complements, keys, sameAs...), or in which anything but a statement points at
a statement, is one part, as before. An independent attack (helper-31) found nine graphs where a wider fragment gave
parts other answers than the whole (a functional property pushing a type onto its one value, nominals, equivalent
properties, a non-statement pointing at a statement); they are ``tests/data/reason-parts/attacks``. This project's
ontology uses functional properties, ``hasValue`` and ``oneOf``: its builds reason over the whole graph.
"""

from __future__ import annotations

from collections.abc import Iterator

from rdflib import OWL, RDF, RDFS, Graph, Literal
from rdflib.term import Node

from .vocab import DKG

MAX_STATEMENTS = 2000  # HermiT's time per statement is flat up to here (bench/scale.py: ×1 to ×10), not beyond

# Constructs that would let an assertion about one individual constrain another beyond the types a range gives.
UNSAFE = frozenset({
    OWL.inverseOf, OWL.propertyChainAxiom, OWL.InverseFunctionalProperty, OWL.SymmetricProperty,
    OWL.TransitiveProperty, OWL.ReflexiveProperty, OWL.IrreflexiveProperty, OWL.AsymmetricProperty, OWL.hasKey,
    OWL.cardinality, OWL.minCardinality, OWL.maxCardinality, OWL.qualifiedCardinality, OWL.minQualifiedCardinality,
    OWL.maxQualifiedCardinality, OWL.allValuesFrom, OWL.hasSelf, OWL.complementOf, OWL.sameAs,
    OWL.NegativePropertyAssertion, OWL.topObjectProperty, OWL.bottomObjectProperty, OWL.disjointUnionOf,
    OWL.propertyDisjointWith, OWL.AllDisjointProperties,
    # equality and nominals: a merge or a one-individual class reaches every statement using the individuals
    OWL.FunctionalProperty, OWL.equivalentProperty, OWL.hasValue, OWL.oneOf,
})


def statements(graph: Graph) -> set[Node]:
    """The individuals typed by ``dkg:Statement`` or a class under it."""
    kinds = set(graph.transitive_subjects(RDFS.subClassOf, DKG.Statement))
    return {s for kind in kinds for s in graph.subjects(RDF.type, kind)}


def separable(graph: Graph) -> bool:
    """True when the graph uses none of the constructs that would make parts answer differently from the whole,
    and no triple of anything but a statement points at a statement (it would sit in every part, while what it
    says depends on that statement's own assertions, held by one)."""
    if any(node in UNSAFE for triple in graph for node in triple):
        return False
    individuals = statements(graph)
    return not any(o in individuals for s, _, o in graph if s not in individuals)


def parts(graph: Graph, max_statements: int = MAX_STATEMENTS) -> list[Graph]:
    """The graph itself when it is small or not separable, else its parts (see the module docstring)."""
    individuals = statements(graph)
    if len(individuals) <= max_statements or not separable(graph):
        return [graph]
    groups = _groups(graph, individuals)
    group_of = {s: i for i, group in enumerate(groups) for s in group}
    rest = Graph()
    witnesses: dict[tuple[Node, Node], Node] = {}
    for s, p, o in graph:
        if s not in individuals:
            rest.add((s, p, o))
        elif o not in individuals and not isinstance(o, Literal) and ((p, o) not in witnesses
                                                                         or str(s) < str(witnesses[(p, o)])):
            witnesses[(p, o)] = s  # the first statement by IRI, so that the parts are the same in every build
    witness_groups = sorted({group_of[s] for s in witnesses.values()})
    result = []
    for chunk in _packed(groups, max_statements):
        part = Graph()
        part += rest
        for index in sorted(set(chunk) | set(witness_groups)):
            for s in groups[index]:
                for triple in graph.triples((s, None, None)):
                    part.add(triple)
        result.append(part)
    return result


def _groups(graph: Graph, individuals: set[Node]) -> list[list[Node]]:
    """The statements, grouped so that statements linked by an assertion share a group; in a stable order."""
    parent = {s: s for s in individuals}

    def root(s: Node) -> Node:
        while parent[s] != s:
            parent[s] = parent[parent[s]]
            s = parent[s]
        return s

    for s in individuals:
        for o in graph.objects(s, None):
            if o in individuals:
                parent[root(s)] = root(o)
    groups: dict[Node, list[Node]] = {}
    for s in sorted(individuals, key=str):
        groups.setdefault(root(s), []).append(s)
    return sorted(groups.values(), key=lambda group: str(group[0]))


def _packed(groups: list[list[Node]], limit: int) -> Iterator[list[int]]:
    """Indices of ``groups``, in order, packed into runs of at most ``limit`` statements (a larger group alone)."""
    run: list[int] = []
    size = 0
    for index, group in enumerate(groups):
        if run and size + len(group) > limit:
            yield run
            run, size = [], 0
        run.append(index)
        size += len(group)
    if run:
        yield run

