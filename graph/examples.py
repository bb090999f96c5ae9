"""The named queries of ``queries/`` as SPARQL examples: each an ``sh:SPARQLExecutable`` in a named graph of its own.

As SIB's endpoints publish theirs (https://github.com/sib-swiss/sparql-examples), so that editors and query
generators that read examples from an endpoint find them: the query text, as ``/queries/`` lists it, under
``sh:select``, ``sh:ask`` or ``sh:construct`` (SHACL has no DESCRIBE; SIB writes ``spex:describe``), the title as
``rdfs:label``, the question as ``rdfs:comment``, and the service as ``schema:target``. Each parameter is an
``sh:parameter`` with its variable's name (``sh:name``), the header's description, and the IRIs its ``VALUES``
block holds (``sh:defaultValue``: what runs when it is not given).

IRIs: the executable is ``dkg:Query-{name}``, an ID of the ``id/`` namespace, so it dereferences as every entity
does (``/id/`` → ``/data/``, ``/page/``); the generic routes read one path segment, hence ``Query-{name}`` and not
``query/{name}``. Its graph is ``graph/query/{name}``, beside the release's other named graphs under ``graph/``.
"""

from __future__ import annotations

from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SDO, SH

from .query import NamedQuery, parameter_defaults, query_form
from .query_shape import Form
from .vocab import DKG, QUERY_GRAPHS, SPARQL_SERVICE

SPEX = Namespace("https://purl.expasy.org/sparql-examples/ontology#")  # SIB's vocabulary for what SHACL lacks
TEXT: dict[Form, URIRef] = {"select": SH.select, "ask": SH.ask, "construct": SH.construct,
                            "describe": SPEX.describe}
KIND: dict[Form, URIRef] = {"select": SH.SPARQLSelectExecutable, "ask": SH.SPARQLAskExecutable,
                            "construct": SH.SPARQLConstructExecutable, "describe": SPEX.SPARQLDescribeExecutable}


def example_iri(name: str) -> URIRef:
    """The IRI of the named query ``name`` as a SPARQL example."""
    return DKG[f"Query-{name}"]


def example_graph_iri(name: str) -> URIRef:
    """The named graph that holds the example of the named query ``name``."""
    return QUERY_GRAPHS[name]


def example_graph(query: NamedQuery) -> Graph:
    """The named query as an ``sh:SPARQLExecutable`` and its parameters."""
    graph = Graph()
    example = example_iri(query.name)
    form = query_form(query)
    for kind in (SH.SPARQLExecutable, KIND[form]):
        graph.add((example, RDF.type, kind))
    graph.add((example, RDFS.label, Literal(query.title, lang="en")))
    if query.question:
        graph.add((example, RDFS.comment, Literal(query.question, lang="en")))
    graph.add((example, TEXT[form], Literal(query.text)))
    graph.add((example, SDO.target, SPARQL_SERVICE))
    defaults = parameter_defaults(query)
    for order, (variable, description) in enumerate(query.parameters.items()):
        parameter = BNode()
        graph.add((example, SH.parameter, parameter))
        graph.add((parameter, SH.name, Literal(variable)))
        graph.add((parameter, SH.order, Literal(order)))
        graph.add((parameter, SH.nodeKind, SH.IRI))  # bind_parameters takes IRIs (or CURIEs of them) only
        if description:
            graph.add((parameter, SH.description, Literal(description, lang="en")))
        for value in defaults[variable]:
            graph.add((parameter, SH.defaultValue, URIRef(value)))
    return graph


def example_graphs(queries: list[NamedQuery]) -> dict[str, Graph]:
    """Each named query's example, by the IRI of its named graph."""
    return {str(example_graph_iri(q.name)): example_graph(q) for q in queries}


# Every SPARQL example the store publishes, with the named graph that holds it: what the Service Description, VoID
# and the editor read back (a client can ask the same of any endpoint that publishes SIB-style examples).
EXAMPLES_QUERY = f"""PREFIX sh: <{SH}>
PREFIX rdfs: <{RDFS}>
PREFIX schema: <{SDO}>
PREFIX spex: <{SPEX}>
SELECT ?example ?graph ?title ?question ?query WHERE {{
  GRAPH ?graph {{
    ?example a sh:SPARQLExecutable ; schema:target <{SPARQL_SERVICE}> ; rdfs:label ?title ;
             sh:select|sh:ask|sh:construct|spex:describe ?query .
    OPTIONAL {{ ?example rdfs:comment ?question }}
  }}
}}
ORDER BY ?example"""
