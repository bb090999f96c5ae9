"""What the graph says about one IRI, as SPARQL the store seam can run.

A description is self-contained: the entity's own triples (and the blank nodes they lead to, however nested, such
as OWL restrictions), the statement and annotation nodes that mention it with all their triples,
the labels of its subclasses, and the labels of everything those triples mention, so that a client
can render it from one request.

A term of the UBERON, MONDO or ChEBI module also has a context (:func:`context_query`): where it sits
in its module (its ancestors, each with its parents and label) and the statements about its parts and
subclasses. Pages show it; the data documents stay the description alone.

Both are SELECT queries whose solutions are read as quads, each triple with the named graph it is in (a
CONSTRUCT has no graphs): a query and its :data:`Template` are what a CONSTRUCT's template would be, with a
graph variable per triple, and :func:`template_quads` reads the quads out of the solutions, as the engine
would build a CONSTRUCT's triples. Pages show each triple's graph; the data documents keep the triples.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pyoxigraph as ox

from .vocab import DKG, ONTOLOGY_GRAPH

LOCAL_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,127}$")
# Hubs (owl:Class, an ECO code, Dystonia) are mentioned by thousands of nodes: a description lists
# at most this many statements or annotations about them, and this many subclasses; the full set is
# one SPARQL query away.
MAX_NODES = 200
# Blank nodes are followed this many hops from the entity (a list, however long, is one hop): an OWL class
# expression nests a restriction in an intersection in a union... deeper than any in the ontology or HPO.
MAX_BLANK_HOPS = 6


def sparql_iri(value: str) -> str:
    """``<value>``, refusing what is not an IRI (so that no value can change the query around it)."""
    if any(c in value for c in '<>"{}|^`\\ \n\t'):
        raise ValueError(f"not an IRI: {value!r}")
    return f"<{value}>"


Template = tuple[tuple[str | ox.NamedNode, ...], ...]  # quads of variable names (or constant IRIs): s, p, o, g
RDF_REST = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#rest>"
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
IS_A_PART_OF_ANCESTOR = ox.NamedNode(str(DKG.isaPartofAncestor))
IS_A_PART_OF_PARENT = ox.NamedNode(str(DKG.isaPartofParent))
# The quads of a description's solution: a triple of the description, and the label of its object.
DESCRIPTION: Template = (("s", "p", "o", "g"), ("x", RDFS_LABEL, "label", "lg"))


def statement_node(var: str, kind: str = "") -> str:
    """A pattern that binds ``?var`` to every statement, each once: a curated statement (it has a quote) or an
    annotation of HPO's (its class); with ``kind``, ``?kind`` is bound to "0" for the one and "1" for the other.

    Both are cheap index lookups, where walking ``a/rdfs:subClassOf*`` over the merged HPO is not; and the
    statements are a thousand or two, so a query joins them to an entity's links (``?var ?p <entity>``, bound at
    both ends) instead of testing each subject that links to a hub such as ``owl:Class`` (tens of thousands):
    0.04 s instead of 0.7 s for ``owl:Class``."""
    curated, annotation = (f' BIND("0" AS ?{kind})', f' BIND("1" AS ?{kind})') if kind else ("", "")
    return (f"{{ {{ SELECT DISTINCT ?{var} WHERE {{ ?{var} <{DKG.quote}> ?{var}Quote }} }}{curated} }} "
            f"UNION {{ ?{var} a <{DKG.DiseasePhenotypeAnnotation}>{annotation} }}")


def template_quads(solutions: Iterable[ox.QuerySolution], template: Template) -> list[ox.Quad]:
    """The quads of ``template`` that each solution binds whole, each once, sorted."""
    found: set[ox.Quad] = set()
    for solution in solutions:
        for quad in template:
            terms = [t if isinstance(t, ox.NamedNode) else solution[t] for t in quad]
            if all(t is not None for t in terms):
                s, p, o, g = terms
                found.add(ox.Quad(s, p, o, g))
    return sorted(found, key=str)


def describe_query(iri: str) -> str:
    """SELECT the self-contained description of ``iri``, as the quads of :data:`DESCRIPTION`."""
    e = sparql_iri(iri)
    label = "OPTIONAL { GRAPH ?lg { ?o rdfs:label ?label } BIND(?o AS ?x) }"
    return f"""
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?s ?p ?o ?g ?x ?label ?lg
WHERE {{
  {{ BIND({e} AS ?s) GRAPH ?g {{ {e} ?p ?o }} {label} }}
  UNION {blank_nodes(e)}
  UNION {{ {{ SELECT DISTINCT ?s WHERE {{ {statement_node("s")} ?s ?link {e} }} ORDER BY ?s LIMIT {MAX_NODES} }}
           GRAPH ?g {{ ?s ?p ?o }} {label} }}
  UNION {{ {{ SELECT DISTINCT ?x WHERE {{ ?x rdfs:subClassOf {e} }} ORDER BY ?x LIMIT {MAX_NODES} }}
           GRAPH ?lg {{ ?x rdfs:label ?label }} }}
}}"""


def blank_nodes(e: str) -> str:
    """A union of patterns binding, for each blank node ``?s`` reached from ``e`` over blank nodes alone in at most
    :data:`MAX_BLANK_HOPS` hops (a hop is a triple, and the ``rdf:rest`` chain of a list from there), either one of
    its triples (``?s ?p ?o`` in ``?g``) or the label of an IRI it points at (``?x rdfs:label ?label`` in ``?lg``):
    the lists and nested restrictions of an OWL class expression, whole, as :data:`DESCRIPTION`'s quads.

    Labels are joined, not OPTIONAL: after three hops, Oxigraph reads every label first for an OPTIONAL (30 ms a
    description instead of 1)."""
    def chain(hops: int) -> str:
        steps, at = [], e
        for hop in range(hops):
            to, head = ("?s" if hop == hops - 1 else f"?b{hop}"), f"?h{hop}"
            steps.append(f"{at} ?p{hop} {head} FILTER(isBlank({head})) {head} {RDF_REST}* {to} FILTER(isBlank({to}))")
            at = to
        return " . ".join(steps)

    return " UNION ".join(
        f"{{ {chain(hops)} GRAPH ?g {{ ?s ?p ?o }} }} UNION "
        f"{{ {chain(hops)} ?s ?to ?x FILTER(isIRI(?x)) GRAPH ?lg {{ ?x rdfs:label ?label }} }}"
        for hops in range(1, MAX_BLANK_HOPS + 1))


def context_template(iri: str) -> Template:
    """The quads of a solution of :func:`context_query` for ``iri``."""
    e = ox.NamedNode(iri)
    return ((e, IS_A_PART_OF_ANCESTOR, "a", "ga"), (e, IS_A_PART_OF_PARENT, "direct", "gd"),
            ("a", IS_A_PART_OF_PARENT, "p", "gp"), ("x", RDFS_LABEL, "label", "gl"), ("s", "sp", "so", "gs"),
            ("v", IS_A_PART_OF_ANCESTOR, e, "gv"))


def context_query(iri: str) -> str:
    """SELECT where a module term sits and what is said about what lies under or within it, as the quads of
    :func:`context_template`.

    Its ancestors over ``dkg:isaPartofAncestor`` (the materialised is_a/part_of closure of its module), each
    with its label and its own ``dkg:isaPartofParent`` links (the chains up to the module's roots), the term's
    parents; and every curated statement (a node with a quote) one of whose values has the term as an
    ``dkg:isaPartofAncestor`` — a part or subclass of it — with all the statement's triples, the labels of what
    they mention, and the ``dkg:isaPartofAncestor`` link of each such value to the term (which says the
    statement is about the term *via* that value). At most :data:`MAX_NODES` statements. Empty for any IRI
    outside the modules.
    """
    e = sparql_iri(iri)
    return f"""
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dkg: <{DKG}>
SELECT ?a ?ga ?direct ?gd ?p ?gp ?x ?label ?gl ?s ?sp ?so ?gs ?v ?gv
WHERE {{
  {{ GRAPH ?ga {{ {e} dkg:isaPartofAncestor ?a }} OPTIONAL {{ GRAPH ?gl {{ ?a rdfs:label ?label }} BIND(?a AS ?x) }}
     OPTIONAL {{ GRAPH ?gp {{ ?a dkg:isaPartofParent ?p }} }} }}
  UNION {{ GRAPH ?gd {{ {e} dkg:isaPartofParent ?direct }} }}
  UNION {{ {{ SELECT DISTINCT ?s WHERE {{ ?value dkg:isaPartofAncestor {e} . ?s ?role ?value . ?s dkg:quote ?quote }}
             ORDER BY ?s LIMIT {MAX_NODES} }}
           GRAPH ?gs {{ ?s ?sp ?so }}
           OPTIONAL {{ GRAPH ?gl {{ ?so rdfs:label ?label }} BIND(?so AS ?x) }}
           OPTIONAL {{ GRAPH ?gv {{ ?so dkg:isaPartofAncestor {e} }} BIND(?so AS ?v) }} }}
}}"""


def ontology_query() -> str:
    """CONSTRUCT the ontology graph (what the ontology IRI and its version IRI dereference to)."""
    return f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}"


def exists_query(iri: str) -> str:
    """ASK whether the graph mentions ``iri`` at all."""
    e = sparql_iri(iri)
    return f"ASK {{ {{ {e} ?p ?o }} UNION {{ ?s ?p {e} }} }}"
