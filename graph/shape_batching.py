"""Rewrites of SHACL shapes that pySHACL validates far sooner, with the same results.

pySHACL's cost is per call, not per check: a property shape reached through ``sh:property`` is validated once per
focus node, and a value constraint (``sh:or`` of value shapes, ``sh:class`` ...) once per focus node and value, each
failing branch of an ``sh:or`` building a report it then drops. The rewrites here validate each property shape once
for all its focus nodes, and each value constraint once per distinct value; :func:`results_for_focus_nodes` turns the
results of the second rewrite back into the results of the shapes as written (``graph.validate`` reports those).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

from rdflib import OWL, RDF, RDFS, BNode, Graph, Namespace, URIRef
from rdflib.term import Node

SH = Namespace("http://www.w3.org/ns/shacl#")
CORE_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)

# Parameters of the constraint components whose result for a value node depends on that node alone
# (https://www.w3.org/TR/shacl/#core-components: value type, value range, string-based but sh:uniqueLang, logical,
# shape-based but the qualified ones, and sh:in). The rest read the set of values (sh:minCount, sh:hasValue,
# sh:uniqueLang ...), the focus node (sh:equals, sh:lessThan ...) or siblings (qualified shapes): they stay.
VALUE_PARAMETERS = tuple(SH[name] for name in (
    "class", "datatype", "nodeKind", "minInclusive", "minExclusive", "maxInclusive", "maxExclusive", "minLength",
    "maxLength", "pattern", "flags", "languageIn", "not", "and", "or", "xone", "node", "in"))
# What a shape carries besides its constraints: a property shape left with these (and RDF or RDFS annotations) only
# checks nothing. Any other predicate may be a parameter of a constraint component the shapes declare themselves.
NOT_CONSTRAINTS = {SH.path, SH.message, SH.severity, SH.name, SH.description, SH.order, SH.group, SH.defaultValue,
                   SH.deactivated, *CORE_TARGETS}
# A shape that is one of these, or of a subclass of one, is its own class target
# (https://www.w3.org/TR/shacl/#implicit-targetClass).
IMPLICIT_TARGET = (RDFS.Class, OWL.Class)
# Where a shape refers to others: what pySHACL follows, one level of its evaluation path each.
REFERENCES = (SH.node, SH.property, SH["not"], SH.qualifiedValueShape)
LISTS_OF_SHAPES = (SH["and"], SH["or"], SH.xone)
# pySHACL stops a recursive shape, and fails a deep one ("Validation path too deep"), by the length of its evaluation
# path, which the rewrites shorten by a level or two: a shape that reaches others this deep, or itself, stays as
# written, so that it stops and fails where it did (an independent attempt found other results at 7 levels).
MAX_REFERENCE_DEPTH = 4


@dataclass(frozen=True)
class ValueShape:
    """A node shape that checks the values of ``prop`` (a property shape with path ``path`` and core targets
    ``targets``) once each: every object of ``path`` is its focus node."""

    prop: Node
    path: URIRef
    targets: tuple[tuple[URIRef, Node], ...]


@dataclass
class Batched:
    """The rewritten shapes, the node shape each batched property shape came from, and the value shapes."""

    shapes: Graph
    owners: dict[Node, URIRef] = field(default_factory=dict)
    values: dict[Node, ValueShape] = field(default_factory=dict)


def batched_shapes(shapes: Graph) -> Batched:
    """Both rewrites: :func:`targeted_property_shapes`, then :func:`value_shapes`."""
    batched = targeted_property_shapes(shapes)
    value_shapes(batched)
    return batched


def targeted_property_shapes(shapes: Graph) -> Batched:
    """``shapes`` with the property shapes of each targeted node shape given that shape's targets instead, and the
    node shape each such property shape belonged to.

    pySHACL validates a property shape reached through ``sh:property`` once per focus node, and each of those calls
    costs far more than the checks it runs (about 40 calls per statement: most of the time SHACL took); a property
    shape with targets of its own is validated once, for all its focus nodes together. The results are the same
    (https://www.w3.org/TR/shacl/#property-shapes: a property shape validates each focus node alike, however the
    node became its focus), each from the same property shape, so reported as before under its node shape's name.
    Left as they are: property shapes (their own property shapes check the values of their path); node shapes that
    are closed (``sh:closed`` reads the paths of their property shapes) or deactivated, that another shape refers to
    (``sh:node``, ``sh:or`` ...: validated there, without targets), that have a SPARQL-based target (pySHACL finds
    no focus node with one on a property shape; a test caught it), that are classes too, or have a property shape
    that is (an implicit class target, https://www.w3.org/TR/shacl/#implicit-targetClass, which a moved shape would
    lose or gain), whose property shapes ``sh:qualifiedValueShapesDisjoint`` ties to their siblings, or that reach
    other shapes deeper than ``MAX_REFERENCE_DEPTH`` or themselves; and property shapes that anything else refers to
    (another node shape, ``sh:not``, a list of ``sh:or`` ...).
    """
    batched = Batched(Graph(bind_namespaces="none"))
    batched.shapes += shapes
    for prefix, namespace in shapes.namespaces():  # pySHACL's default messages name terms by the shapes' prefixes
        batched.shapes.bind(prefix, namespace, override=True, replace=True)
    depths: dict[Node, float] = {}
    for node in set(shapes.subjects(SH.property, None)):
        targets = [(p, o) for p in CORE_TARGETS for o in shapes.objects(node, p)]
        # A property shape's own property shapes check the values of its path, not its focus nodes: not moved.
        if (not targets or not isinstance(node, URIRef) or (None, None, node) in shapes
                or (node, SH.path, None) in shapes):
            continue
        props = set(shapes.objects(node, SH.property))
        if (any((node, p, None) in shapes for p in (SH.target, SH.closed, SH.deactivated))
                or any(_is_class(shapes, shape) for shape in (node, *props))
                or any((prop, SH.qualifiedValueShapesDisjoint, None) in shapes for prop in props)
                or _reference_depth(shapes, node, depths) > MAX_REFERENCE_DEPTH):
            continue
        for prop in props:
            # Referred to by anything but this sh:property (another node shape, sh:not, a list of sh:or ...), it is
            # validated there as written too, and a default message there prints its triples.
            if (any(reference != (node, SH.property) for reference in shapes.subject_predicates(prop))
                    or any((prop, p, None) in shapes for p in (*CORE_TARGETS, SH.target))):
                continue
            batched.shapes.remove((node, SH.property, prop))
            for predicate, target in targets:
                batched.shapes.add((prop, predicate, target))
            batched.owners[prop] = node
    return batched


def value_shapes(batched: Batched) -> None:
    """Move the value constraints of each property shape that has core targets and a predicate path into a node
    shape of their own, targeted at the objects of that predicate, so that each distinct value is validated once.

    A value constraint's result for a focus node and value depends on the value alone (``VALUE_PARAMETERS``), so
    validating the value once and reporting its failure for each focus node that has it is exact: the value shape
    carries the property shape's messages and severity, and :func:`results_for_focus_nodes` keeps the subjects that
    are focus nodes of the property shape. Left as they are: property shapes that another shape refers to, that are
    deactivated, classes, or reach other shapes deeper than ``MAX_REFERENCE_DEPTH`` or themselves, that have a
    SPARQL-based target or a path other than a predicate, and constraints that read the set of values or the focus
    node.
    """
    graph = batched.shapes
    depths: dict[Node, float] = {}  # of the shapes before this rewrite, which only takes references away
    for prop in {s for p in CORE_TARGETS for s in graph.subjects(p, None)}:
        path = graph.value(prop, SH.path)
        if (not isinstance(path, URIRef) or (None, None, prop) in graph or _is_class(graph, prop)
                or any((prop, p, None) in graph for p in (SH.deactivated, SH.target))
                or _reference_depth(graph, prop, depths) > MAX_REFERENCE_DEPTH):
            continue
        moved = [(p, o) for p in VALUE_PARAMETERS for o in graph.objects(prop, p)]
        if not moved:
            continue
        shape = BNode()
        graph.add((shape, RDF.type, SH.NodeShape))
        graph.add((shape, SH.targetObjectsOf, path))
        said = [(p, o) for p in (SH.message, SH.severity) for o in graph.objects(prop, p)]
        for p, o in moved + said:
            graph.add((shape, p, o))
        for p, o in moved:
            graph.remove((prop, p, o))
        targets = tuple((p, o) for p in CORE_TARGETS for o in graph.objects(prop, p))
        if all(_checks_nothing(p) for p in graph.predicates(prop)):  # nothing left here
            for p, o in targets:
                graph.remove((prop, p, o))
        batched.values[shape] = ValueShape(prop, path, targets)


def _is_class(shapes: Graph, shape: Node) -> bool:
    """Whether ``shape`` is a class in the shapes graph (an implicit class target), as pySHACL reads it: an instance
    of ``rdfs:Class`` or ``owl:Class`` or of a subclass of either."""
    for kind in shapes.objects(shape, RDF.type):
        if any(root in IMPLICIT_TARGET for root in shapes.transitive_objects(kind, RDFS.subClassOf)):
            return True
    return False


def _reference_depth(shapes: Graph, shape: Node, memo: dict[Node, float]) -> float:
    """How many levels of shapes ``shape`` reaches through its references (``inf`` when it reaches itself). Each
    shape is visited once (``memo``, kept by the caller across shapes): a walk of every path was exponential in
    shapes that each refer to many (an independent attempt took 14 s over 20 shapes a layer)."""
    on_path: set[Node] = set()
    stack: list[tuple[Node, bool]] = [(shape, False)]
    while stack:
        node, finished = stack.pop()
        if finished:
            on_path.discard(node)
            # A shape still on the path (not in memo yet) is one this shape reaches itself through: a cycle.
            memo[node] = 1 + max((memo.get(other, math.inf) for other in _referred(shapes, node)), default=-1)
            continue
        if node in memo or node in on_path:
            continue
        on_path.add(node)
        stack.append((node, True))
        stack.extend((other, False) for other in _referred(shapes, node))
    return memo[shape]


def _referred(shapes: Graph, shape: Node) -> list[Node]:
    """The shapes ``shape`` refers to."""
    referred = [o for p in REFERENCES for o in shapes.objects(shape, p)]
    return referred + [m for p in LISTS_OF_SHAPES for head in shapes.objects(shape, p) for m in shapes.items(head)]


def _checks_nothing(predicate: Node) -> bool:
    """Whether a shape's ``predicate`` is no constraint parameter."""
    return predicate in NOT_CONSTRAINTS or str(predicate).startswith((str(RDF), str(RDFS)))


def results_for_focus_nodes(data: Graph, value: Node, shape: ValueShape) -> Iterator[Node]:
    """The focus nodes of ``shape.prop`` in ``data`` that have ``value`` on ``shape.path``: a failure of the value
    is one result for each of them, as the shapes as written report it."""
    for subject in set(data.subjects(shape.path, value)):
        if any(_is_target(data, subject, p, o) for p, o in shape.targets):
            yield subject


def _is_target(data: Graph, node: Node, target: URIRef, value: Node) -> bool:
    """Whether ``node`` is a focus node of the core target ``target`` ``value``
    (https://www.w3.org/TR/shacl/#targets: a class target follows ``rdfs:subClassOf`` in the data graph)."""
    if target == SH.targetNode:
        return node == value
    if target == SH.targetSubjectsOf:
        return (node, value, None) in data
    if target == SH.targetObjectsOf:
        return (None, value, node) in data
    classes = set(data.transitive_subjects(RDFS.subClassOf, value))
    return any(kind in classes for kind in data.objects(node, RDF.type))
