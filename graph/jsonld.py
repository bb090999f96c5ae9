"""The JSON-LD ``@context`` of the graph: short keys for the ontology's properties."""

from __future__ import annotations

from typing import Any

from rdflib import OWL, RDF, RDFS, XSD, Graph, URIRef

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
