"""Namespaces and the one CURIE map used everywhere (records, queries, tables, exports).

Every local namespace is built from :data:`BASE`, the configured base IRI (see ``graph/base.py``),
read once, when this module is first imported.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef

from .base import configured_base

BASE = configured_base()

DKG = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")
ONTOLOGY_IRI = URIRef(BASE + "ontology")
OBO = Namespace("http://purl.obolibrary.org/obo/")
PROV = Namespace("http://www.w3.org/ns/prov#")
BIBO = Namespace("http://purl.org/ontology/bibo/")
FABIO = Namespace("http://purl.org/spar/fabio/")
OBOINOWL = Namespace("http://www.geneontology.org/formats/oboInOwl#")
IAO_DEFINITION = OBO["IAO_0000115"]

# Named graphs of a release: asserted ontology, curated statements, reasoner output.
ONTOLOGY_GRAPH = GRAPH["ontology"]
CURATED_GRAPH = GRAPH["curated"]
INFERRED_GRAPH = GRAPH["inferred"]
HPO_GRAPH = GRAPH["hpo"]  # the HPO release, unaltered
ANNOTATIONS_GRAPH = GRAPH["annotations"]  # the etiology layer from HPO's annotation files
# Modules of the UBERON, MONDO and ChEBI releases: the terms the graphs use and their ancestors (graph/obo_modules.py).
UBERON_GRAPH = GRAPH["uberon"]
MONDO_GRAPH = GRAPH["mondo"]
CHEBI_GRAPH = GRAPH["chebi"]
MODULE_GRAPHS = {"uberon": UBERON_GRAPH, "mondo": MONDO_GRAPH, "chebi": CHEBI_GRAPH}
# The named queries of queries/ as SPARQL examples, one named graph each (graph/examples.py).
QUERY_GRAPHS = Namespace(BASE + "graph/query/")
# The SPARQL service: its canonical IRI, as every IRI the server answers for is its path under the base (the server
# maps its root onto the base, so this is /sparql); the examples' target, and the Service Description's subject.
SPARQL_SERVICE = URIRef(BASE + "sparql")

PREFIXES: dict[str, str] = {
    "dkg": str(DKG),
    "HP": "http://purl.obolibrary.org/obo/HP_",
    "UBERON": "http://purl.obolibrary.org/obo/UBERON_",
    "MONDO": "http://purl.obolibrary.org/obo/MONDO_",
    "CHEBI": "http://purl.obolibrary.org/obo/CHEBI_",
    "ECO": "http://purl.obolibrary.org/obo/ECO_",
    "RO": "http://purl.obolibrary.org/obo/RO_",
    "BFO": "http://purl.obolibrary.org/obo/BFO_",
    "IAO": "http://purl.obolibrary.org/obo/IAO_",
    "OMIM": "http://purl.obolibrary.org/obo/OMIM_",
    "Orphanet": "http://www.orpha.net/ORDO/Orphanet_",
    "NCBIGene": "http://identifiers.org/ncbigene/",
    "HGNC": "http://identifiers.org/hgnc/",
    "obo": str(OBO),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": str(PROV),
    "bibo": str(BIBO),
    "fabio": str(FABIO),
    "foaf": "http://xmlns.com/foaf/0.1/",
    "oboInOwl": str(OBOINOWL),
    "sh": "http://www.w3.org/ns/shacl#",
    "dkgsh": BASE + "shapes/",
}

# Other prefixes real tools write for a namespace of PREFIXES (bioregistry lists them as synonyms), read when an ID
# is looked up (graph/search.py), case-insensitively: PREFIXES' own names need no entry here.
PREFIX_ALIASES: dict[str, str] = {
    "ORPHA": "Orphanet",  # HPO's phenotype.hpoa and genes_to_disease.txt, Monarch, MONDO's xrefs
    "ORDO": "Orphanet",  # the Orphanet Rare Disease Ontology's own name (OLS, BioPortal)
    "MIM": "OMIM",  # identifiers.org and bioregistry (mim:), ClinVar, UniProt
    "EntrezGene": "NCBIGene",  # the gene ID's older name: GO annotation files, UniProt, older HPO files
    "GeneID": "NCBIGene",  # NCBI's own label of the ID (gene_info, RefSeq records)
}

# Longest namespace first, so that HP_ wins over the generic obo: prefix when compacting.
_BY_LENGTH = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))


def expand(curie: str) -> URIRef:
    """Expand ``PREFIX:local`` to an IRI; a bare name is a local ``dkg:`` term.

    Raises ``ValueError`` naming the prefix when it is unknown.
    """
    if curie.startswith(("http://", "https://")):
        return URIRef(curie)
    prefix, sep, local = curie.partition(":")
    if not sep:
        return DKG[curie]
    if prefix not in PREFIXES:
        raise ValueError(f"unknown prefix {prefix!r} in {curie!r} (known: {', '.join(sorted(PREFIXES))})")
    return URIRef(PREFIXES[prefix] + local)


def compact(iri: str) -> str:
    """Compact an IRI to a CURIE when a known prefix matches, else return it unchanged."""
    for prefix, ns in _BY_LENGTH:
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def sparql_prefixes(*names: str) -> str:
    """PREFIX declarations for the named prefixes, or for every known prefix, for queries and editors."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items() if not names or p in names)
