"""Cut the reasoner's input into parts that HermiT checks and classifies one at a time, with the same result.

HermiT's time grows faster than the number of statements: over 21,600 it took 24 minutes, where 2,160 took 20 s
(``bench/scale.py``). Each statement is an individual with its own assertions; what one statement can tell the
reasoner about another has to pass through the individuals they share (terms, sources, citations, the values of
qualifiers), and in this ontology's fragment it passes only as the types those individuals get from the ranges of
the properties that point to them. So each part holds

- everything that is not a statement's own assertion (the ontology, sources, citations, units...),
- whole groups of statements that point to one another (``hedgeRepresentedOn``...), up to ``max_statements``,
- and, for every (property, individual) pair any statement uses, one statement that uses it (a *witness*): each
  part then gives every shared individual the same types the whole graph gives it,

and a statement's inferred types, an inconsistency and an unsatisfiable class are found in some part exactly
when they are found in the whole. The fragment is checked, not assumed: a graph that uses a construct through
which statements could affect one another otherwise (inverse, chained, symmetric or transitive properties,
cardinality, universal or self restrictions, complements, keys, sameAs...), a ``hasValue`` restriction whose value
lacks an asserted type the inferred edge would give it, or a functional property that could merge two individuals
not declared different, is one part, as before.
"""

from __future__ import annotations

from collections.abc import Iterator

from rdflib import OWL, RDF, RDFS, Graph, Literal
from rdflib.collection import Collection
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
})


def statements(graph: Graph) -> set[Node]:
    """The individuals typed by ``dkg:Statement`` or a class under it."""
    kinds = set(graph.transitive_subjects(RDFS.subClassOf, DKG.Statement))
    return {s for kind in kinds for s in graph.subjects(RDF.type, kind)}


def separable(graph: Graph) -> bool:
    """True when the graph uses none of the constructs that would make parts answer differently from the whole,
    and its functional properties and ``owl:hasValue`` restrictions stay within the fragment (see below)."""
    if any(node in UNSAFE for triple in graph for node in triple):
        return False
    individuals = statements(graph)
    return _values_typed(graph, individuals) and _functional_merges_local(graph, individuals)


def _has_values(graph: Graph) -> Iterator[tuple[Node, Node]]:
    """(property, individual) of every ``owl:hasValue`` restriction."""
    for restriction, value in graph.subject_objects(OWL.hasValue):
        for prop in graph.objects(restriction, OWL.onProperty):
            yield prop, value


def _values_typed(graph: Graph, individuals: set[Node]) -> bool:
    """A statement typed by a ``hasValue`` restriction gets the property's value by inference, with no witness: the
    value must already have, asserted, every type that edge would give it (the ranges of the property and of the
    properties above it), and not be a statement."""
    for prop, value in _has_values(graph):
        if value in individuals:
            return False
        if isinstance(value, Literal):
            continue  # a data value has no types to give
        asserted = {kind for own in graph.objects(value, RDF.type)
                    for kind in graph.transitive_objects(own, RDFS.subClassOf)}
        for above in graph.transitive_objects(prop, RDFS.subPropertyOf):
            if any(range_ not in asserted for range_ in graph.objects(above, RDFS.range)):
                return False
    return True


def _functional_merges_local(graph: Graph, individuals: set[Node]) -> bool:
    """A functional property with two values for one statement makes the values one individual, which every
    statement using them would see. Safe when its possible values (the ones statements assert and the ones
    ``hasValue`` restrictions give) are pairwise declared different: such a merge is an inconsistency, found in the
    part that holds the statement. Else safe only when no statement can have two values."""
    different = _declared_different(graph)
    restricted = {prop for prop, _ in _has_values(graph)}
    for prop in set(graph.subjects(RDF.type, OWL.FunctionalProperty)):
        if (prop, RDF.type, OWL.DatatypeProperty) in graph:
            continue  # two literals that differ are an inconsistency at once
        used = {(s, o) for s, o in graph.subject_objects(prop) if s in individuals and not isinstance(o, Literal)}
        values = {o for _, o in used} | {v for p, v in _has_values(graph) if p == prop}
        if all(a == b or frozenset((a, b)) in different for a in values for b in values):
            continue
        per_statement = [s for s, _ in used]
        if prop in restricted or len(per_statement) != len(set(per_statement)):
            return False
    return True


def _declared_different(graph: Graph) -> set[frozenset[Node]]:
    """Pairs of individuals declared different (``owl:differentFrom``, ``owl:AllDifferent``)."""
    pairs = {frozenset(pair) for pair in graph.subject_objects(OWL.differentFrom)}
    for group in graph.subjects(RDF.type, OWL.AllDifferent):
        for members in (*graph.objects(group, OWL.distinctMembers), *graph.objects(group, OWL.members)):
            items = list(Collection(graph, members))
            pairs.update(frozenset((a, b)) for a in items for b in items if a != b)
    return pairs


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

