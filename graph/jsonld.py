"""JSON-LD: the graph's ``@context`` (short keys for the ontology's properties), and compaction under it."""

from __future__ import annotations

import json
from typing import Any

from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, URIRef
from rdflib.plugins.serializers.jsonld import Converter
from rdflib.plugins.shared.jsonld.context import Context
from rdflib.plugins.shared.jsonld.keys import GRAPH, ID, LIST

from .vocab import DKG, PREFIXES

# Terms from other vocabularies that descriptions use often.
COMMON: dict[str, Any] = {
    "id": "@id",
    "type": "@type",
    "label": {"@id": "rdfs:label"},
    "comment": {"@id": "rdfs:comment"},
    "subClassOf": {"@id": "rdfs:subClassOf", "@type": "@id"},
    "definition": {"@id": "obo:IAO_0000115"},
    "exactSynonym": {"@id": "oboInOwl:hasExactSynonym"},
    "relatedSynonym": {"@id": "oboInOwl:hasRelatedSynonym"},
    "wasDerivedFrom": {"@id": "prov:wasDerivedFrom", "@type": "@id"},
    "title": {"@id": "dcterms:title"},
    "publisher": {"@id": "dcterms:publisher"},
    "creator": {"@id": "dcterms:creator"},
    "bibliographicCitation": {"@id": "dcterms:bibliographicCitation"},
    "doi": {"@id": "bibo:doi"},
    "pmid": {"@id": "bibo:pmid"},
    "cites": {"@id": "bibo:cites", "@type": "@id"},
    "exactMatch": {"@id": "skos:exactMatch", "@type": "@id"},
    "closeMatch": {"@id": "skos:closeMatch", "@type": "@id"},
    "relatedMatch": {"@id": "skos:relatedMatch", "@type": "@id"},
    "equivalentClass": {"@id": "owl:equivalentClass", "@type": "@id"},
}


def context(ontology: Graph) -> dict[str, Any]:
    """The ``@context`` object: prefixes, common terms and one short key per local property."""
    terms: dict[str, Any] = {p: ns for p, ns in PREFIXES.items() if p not in ("sh", "dkgsh")}
    terms.update(COMMON)
    for kind in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty):
        for prop in sorted(ontology.subjects(RDF.type, kind), key=str):
            if not isinstance(prop, URIRef) or prop not in DKG:
                continue
            key = str(prop)[len(str(DKG)):]
            definition: dict[str, Any] = {"@id": f"dkg:{key}"}
            if kind == OWL.ObjectProperty:
                definition["@type"] = "@id"
            elif ontology.value(prop, RDFS.range) == XSD.integer:
                definition["@type"] = "xsd:integer"
            terms[key] = definition
    return {"@context": terms}


class _Converter(Converter):
    """rdflib's JSON-LD converter, keeping every blank node.

    rdflib's writes a blank node reached through a term coerced to ``@id`` (``equivalentClass``, ``subClassOf``)
    as a bare ``"_:b"`` and never writes the node's own triples (an OWL union or restriction was lost from the
    JSON-LD of the classes that have one). Given as ``{"@id": "_:b"}`` instead, the node is written with its
    triples, as every other blank node is."""

    def type_coerce(self, o: Any, coerce_type: str) -> Any:
        if coerce_type == ID and isinstance(o, BNode):
            return None
        return super().type_coerce(o, coerce_type)


def compact(graph: Graph, context: Context) -> dict[str, Any]:
    """The triples of ``graph`` as compact JSON-LD under ``context`` (without the ``@context`` key), the same
    document for the same triples: keys, nodes and the values of each key sorted (JSON-LD arrays are unordered, but
    for ``@list``; rdflib's own order follows hashes that change with each process, and so did documents' ETags)."""
    converted = _Converter(context, False, False).convert(graph)
    nodes = converted if isinstance(converted, list) else converted.get(GRAPH, [converted])
    return {GRAPH: _sorted(nodes)} if len(nodes) != 1 else _sorted(nodes[0])


def _sorted(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _sorted(v, k) for k, v in sorted(value.items())}
    if isinstance(value, list):
        items = [_sorted(v) for v in value]
        return items if key == LIST else sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    return value
