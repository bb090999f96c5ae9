"""What the graph says about one IRI, as SPARQL the store seam can run.

A description is self-contained: the entity's own triples (and the blank nodes they lead to, such
as OWL restrictions), the statement and annotation nodes that mention it with all their triples,
the labels of its subclasses, and the labels of everything those triples mention, so that a client
can render it from one request.

A term of the UBERON, MONDO or ChEBI module also has a context (:func:`context_query`): where it sits
in its module (its ancestors, each with its parents and label) and the statements about its parts and
subclasses. Pages show it; the data documents stay the description alone.
"""

from __future__ import annotations

import re

from .vocab import DKG, ONTOLOGY_GRAPH

LOCAL_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,127}$")
# Hubs (owl:Class, an ECO code, Dystonia) are mentioned by thousands of nodes: a description lists
# at most this many statements or annotations about them, and this many subclasses; the full set is
# one SPARQL query away.
MAX_NODES = 200


def _iri(value: str) -> str:
    if any(c in value for c in '<>"{}|^`\\ \n\t'):
        raise ValueError(f"not an IRI: {value!r}")
    return f"<{value}>"


def describe_query(iri: str) -> str:
    """CONSTRUCT the self-contained description of ``iri``.

    Statement nodes are recognised by their quote, HPO annotation nodes by their class: both are
    cheap index lookups, where walking ``a/rdfs:subClassOf*`` over the merged HPO is not.
    """
    e = _iri(iri)
    label = "OPTIONAL { ?o rdfs:label ?label BIND(?o AS ?x) }"
    return f"""
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dkg: <{DKG}>
CONSTRUCT {{ ?s ?p ?o . ?x rdfs:label ?label . }}
WHERE {{
  {{ {e} ?p ?o BIND({e} AS ?s) {label} }}
  UNION {{ {e} ?p1 ?s FILTER(isBlank(?s)) ?s ?p ?o {label} }}
  UNION {{ {{ SELECT DISTINCT ?s WHERE {{ ?s ?link {e}
                                         {{ ?s dkg:quote ?quote }} UNION {{ ?s a dkg:DiseasePhenotypeAnnotation }} }}
             ORDER BY ?s LIMIT {MAX_NODES} }} ?s ?p ?o {label} }}
  UNION {{ {{ SELECT DISTINCT ?x WHERE {{ ?x rdfs:subClassOf {e} }} ORDER BY ?x LIMIT {MAX_NODES} }}
           ?x rdfs:label ?label }}
}}"""


def context_query(iri: str) -> str:
    """CONSTRUCT where a module term sits and what is said about what lies under or within it.

    Its ancestors over ``dkg:isaPartofAncestor`` (the materialised is_a/part_of closure of its module), each
    with its label and its own ``dkg:isaPartofParent`` links (the chains up to the module's roots), the term's
    parents; and every curated statement (a node with a quote) one of whose values has the term as an
    ``dkg:isaPartofAncestor`` — a part or subclass of it — with all the statement's triples, the labels of what
    they mention, and the ``dkg:isaPartofAncestor`` link of each such value to the term (which says the
    statement is about the term *via* that value). At most :data:`MAX_NODES` statements. Empty for any IRI
    outside the modules.
    """
    e = _iri(iri)
    return f"""
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dkg: <{DKG}>
CONSTRUCT {{ {e} dkg:isaPartofAncestor ?a . {e} dkg:isaPartofParent ?direct . ?a dkg:isaPartofParent ?p .
            ?x rdfs:label ?label . ?s ?sp ?so . ?v dkg:isaPartofAncestor {e} . }}
WHERE {{
  {{ {e} dkg:isaPartofAncestor ?a OPTIONAL {{ ?a rdfs:label ?label BIND(?a AS ?x) }}
     OPTIONAL {{ ?a dkg:isaPartofParent ?p }} }}
  UNION {{ {e} dkg:isaPartofParent ?direct }}
  UNION {{ {{ SELECT DISTINCT ?s WHERE {{ ?value dkg:isaPartofAncestor {e} . ?s ?role ?value . ?s dkg:quote ?quote }}
             ORDER BY ?s LIMIT {MAX_NODES} }}
           ?s ?sp ?so
           OPTIONAL {{ ?so rdfs:label ?label BIND(?so AS ?x) }}
           OPTIONAL {{ ?so dkg:isaPartofAncestor {e} BIND(?so AS ?v) }} }}
}}"""


def ontology_query() -> str:
    """CONSTRUCT the ontology graph (what the ontology IRI and its version IRI dereference to)."""
    return f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}"


def exists_query(iri: str) -> str:
    """ASK whether the graph mentions ``iri`` at all."""
    e = _iri(iri)
    return f"ASK {{ {{ {e} ?p ?o }} UNION {{ ?s ?p {e} }} }}"
