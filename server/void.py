"""The VoID (https://www.w3.org/TR/void/) and DCAT description of the dataset."""

from __future__ import annotations

import hashlib
from typing import Any

from rdflib import RDF, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF

from graph import formats
from graph.package import DESCRIPTION, TITLE
from graph.vocab import ANNOTATIONS_GRAPH, BASE, DKG, HPO_GRAPH, MODULE_GRAPHS, ONTOLOGY_IRI

from .catalog import catalog
from .examples import published_examples
from .host import public_root
from .pool import select_rows

VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SPDX = Namespace("http://spdx.org/rdf/terms#")  # DCAT 3's checksums (https://www.w3.org/TR/vocab-dcat-3/#Property:distribution_checksum)
COUNTS = """SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?p) AS ?properties)
  (COUNT(DISTINCT ?o) AS ?objects) WHERE { ?s ?p ?o }"""
CLASSES = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?c)) } GROUP BY ?c ORDER BY ?c"
PROPERTIES = "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY ?p"
VOCABULARIES = [
    str(DKG), "http://purl.obolibrary.org/obo/", "http://www.w3.org/2002/07/owl#",
    "http://www.w3.org/2000/01/rdf-schema#", "http://www.w3.org/ns/prov#", "http://purl.org/dc/terms/",
    "http://purl.org/ontology/bibo/", "http://www.w3.org/2004/02/skos/core#",
]


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def _module_subset(g: Graph, dataset: URIRef, name: str, module: dict[str, Any]) -> None:
    """A merged UBERON, MONDO or ChEBI module: a source of the dataset, and a subset of it (its named graph)
    with its own version and licence (CC BY: attribution, with the version, wherever it is shown)."""
    source = URIRef(module["source"])
    g.add((dataset, DCTERMS.source, source))
    subset = URIRef(f"{BASE}dataset/{name}")
    g.add((dataset, VOID.subset, subset))
    g.add((subset, RDF.type, VOID.Dataset))
    g.add((subset, DCTERMS.title, Literal(f"{module['title']} {module['version']}: the terms used and their "
                                          "ancestors", lang="en")))
    g.add((subset, DCTERMS.source, source))
    g.add((subset, DCTERMS.hasVersion, Literal(module["version"])))
    g.add((subset, DCTERMS.license, URIRef(module["licence"])))
    g.add((subset, DCTERMS.bibliographicCitation, Literal(
        f"{module['title']}, release {module['version']} ({module['source']}), licensed under {module['licence_name']} "
        f"({module['licence']}); "
        f"read from {module['file']} of {module['via']}", lang="en")))
    g.add((subset, SD.name, MODULE_GRAPHS[name]))  # the release's named graph that holds it


def _hpo_subsets(g: Graph, dataset: URIRef, hpo: dict[str, Any]) -> None:
    """HPO and its annotation layer as subsets, each with its version and licence field by field (as the modules
    have them), for pipelines that compare them with the manifest or KGX's metadata."""
    version = hpo["version"].rsplit("/", 1)[-1]
    # The annotation files' own URL is not recorded (the manifest names no source for them): no dcterms:source.
    layers = [("hpo", HPO_GRAPH, f"Human Phenotype Ontology {version}", version, hpo["source"])]
    if hpo.get("annotations"):
        layers.append(("hpo-annotations", ANNOTATIONS_GRAPH,
                       f"HPO annotations {hpo['annotations']['version']} (phenotype.hpoa, genes_to_phenotype.txt)",
                       hpo["annotations"]["version"], None))
    for name, graph, title, layer_version, source in layers:
        subset = URIRef(f"{BASE}dataset/{name}")
        g.add((dataset, VOID.subset, subset))
        g.add((subset, RDF.type, VOID.Dataset))
        g.add((subset, DCTERMS.title, Literal(title, lang="en")))
        if source is not None:
            g.add((subset, DCTERMS.source, URIRef(source)))
        g.add((subset, DCTERMS.hasVersion, Literal(layer_version)))
        g.add((subset, DCTERMS.license, URIRef(hpo["licence"])))
        g.add((subset, SD.name, graph))


def _examples_subset(g: Graph, dataset: URIRef, endpoint: URIRef) -> None:
    """The SPARQL examples (the named queries as ``sh:SPARQLExecutable``, one named graph each): a subset of the
    dataset whose example resources they are."""
    examples = published_examples()
    if not examples:
        return
    subset = URIRef(f"{BASE}dataset/sparql-examples")
    g.add((dataset, VOID.subset, subset))
    g.add((subset, RDF.type, VOID.Dataset))
    g.add((subset, DCTERMS.title, Literal("SPARQL examples: the named queries of /queries/, each an "
                                          "sh:SPARQLExecutable in a named graph of its own", lang="en")))
    g.add((subset, VOID.sparqlEndpoint, endpoint))
    for example in examples:
        g.add((subset, VOID.exampleResource, URIRef(example.iri)))


def void_graph() -> Graph:
    """Counts, partitions, vocabularies, licence, version, dumps and endpoint of the dataset."""
    cat = catalog()
    root = public_root()
    dataset = URIRef(BASE + "dataset")
    g = Graph()
    for prefix, ns in (("void", VOID), ("dcat", DCAT), ("dcterms", DCTERMS), ("foaf", FOAF)):
        g.bind(prefix, ns)
    version = cat.manifest.get("version", "")
    facts: dict[str, Any] = cat.release.dataset if cat.release is not None else {}
    licence = URIRef(facts["licence"]) if "licence" in facts else None
    g.bind("spdx", SPDX)
    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, RDF.type, DCAT.Dataset))
    g.add((dataset, DCTERMS.title, Literal(facts.get("title", TITLE), lang="en")))
    g.add((dataset, DCTERMS.description, Literal(facts.get("description", DESCRIPTION), lang="en")))
    if licence is not None:
        g.add((dataset, DCTERMS.license, licence))
    g.add((dataset, DCTERMS.hasVersion, Literal(version)))
    g.add((dataset, DCTERMS.modified, Literal(cat.built_at.isoformat(), datatype=XSD.dateTime)))
    hpo: dict[str, Any] = cat.release.hpo if cat.release is not None else {"merged": False}
    if hpo["merged"]:
        g.add((dataset, DCTERMS.source, URIRef(hpo["source"])))
        g.add((dataset, DCTERMS.bibliographicCitation, Literal(hpo["acknowledgement"], lang="en")))
        _hpo_subsets(g, dataset, hpo)
    for name, module in (cat.release.modules if cat.release is not None else {}).items():
        _module_subset(g, dataset, name, module)
    g.add((dataset, VOID.sparqlEndpoint, URIRef(root + "/sparql")))
    _examples_subset(g, dataset, URIRef(root + "/sparql"))
    g.add((dataset, VOID.uriSpace, Literal(str(DKG))))
    g.add((dataset, VOID.rootResource, ONTOLOGY_IRI))
    g.add((dataset, VOID.uriLookupEndpoint, URIRef(root + "/describe?uri=")))
    g.add((dataset, VOID.openSearchDescription, URIRef(root + "/api/search")))
    for vocabulary in VOCABULARIES:
        g.add((dataset, VOID.vocabulary, URIRef(vocabulary)))
    counts = select_rows(COUNTS)[0]
    for key, prop in (("triples", VOID.triples), ("subjects", VOID.distinctSubjects),
                      ("properties", VOID.properties), ("objects", VOID.distinctObjects)):
        g.add((dataset, prop, Literal(int(counts[key]))))
    classes = select_rows(CLASSES)
    g.add((dataset, VOID.classes, Literal(len(classes))))
    for row in classes:
        part = BNode(f"class-{_digest(row['c'])}")
        g.add((dataset, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(row["c"])))
        g.add((part, VOID.entities, Literal(int(row["n"]))))
    for row in select_rows(PROPERTIES):
        part = BNode(f"property-{_digest(row['p'])}")
        g.add((dataset, VOID.propertyPartition, part))
        g.add((part, VOID.property, URIRef(row["p"])))
        g.add((part, VOID.triples, Literal(int(row["n"]))))
    release = cat.release
    # each dump's size and digest as the build recorded them in the manifest (never computed per request)
    records = {ext: release.files.get(release.dump(ext).name) for ext in release.dumps} if release is not None else {}
    for ext in records:
        url = URIRef(f"{root}/dumps/dystonia-kg.{ext}")
        g.add((dataset, VOID.dataDump, url))
        distribution = URIRef(f"{BASE}dataset/distribution/{ext}")
        g.add((dataset, DCAT.distribution, distribution))
        g.add((distribution, RDF.type, DCAT.Distribution))
        g.add((distribution, DCAT.downloadURL, url))
        g.add((distribution, DCAT.mediaType, URIRef(f"https://www.iana.org/assignments/media-types/{formats.media_type(ext)}")))
        if (iri := formats.by_key(ext).iri) is not None:
            g.add((distribution, DCTERMS.format, URIRef(iri)))
        if licence is not None:
            g.add((distribution, DCTERMS.license, licence))
        if (record := records[ext]) is not None:
            g.add((distribution, DCAT.byteSize, Literal(record["bytes"], datatype=XSD.nonNegativeInteger)))
            checksum = BNode(f"checksum-{ext}")
            g.add((distribution, SPDX.checksum, checksum))
            g.add((checksum, RDF.type, SPDX.Checksum))
            g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
            g.add((checksum, SPDX.checksumValue, Literal(record["sha256"], datatype=XSD.hexBinary)))
    return g
