"""What the graph says about one IRI, as SPARQL the store seam can run.

A description is self-contained: the entity's own triples (and the blank nodes they lead to, such
as OWL restrictions), the statement and annotation nodes that mention it with all their triples,
the labels of its subclasses, and the labels of everything those triples mention, so that a client
can render it from one request.
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


def ontology_query() -> str:
    """CONSTRUCT the ontology graph (what the ontology IRI and its version IRI dereference to)."""
    return f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}"


def exists_query(iri: str) -> str:
    """ASK whether the graph mentions ``iri`` at all."""
    e = _iri(iri)
    return f"ASK {{ {{ {e} ?p ?o }} UNION {{ ?s ?p {e} }} }}"
