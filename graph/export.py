"""Exports for HPO-merging pipelines: KGX TSV, HPOA-style TSV, SSSOM TSV and OBO Graphs JSON.

Each reads the release through the store seam and writes files a pipeline can load as is:
KGX (https://github.com/biolink/kgx/blob/master/specification/kgx-format.md) with Biolink 4
categories, predicates, knowledge_level, agent_type and infores knowledge sources, plus a graph metadata file;
phenotype.hpoa's 12 columns and header (https://obophenotype.github.io/human-phenotype-ontology/annotations/phenotype_hpoa/);
SSSOM with its mapping set metadata (https://mapping-commons.github.io/sssom/); OBO Graphs JSON
(https://github.com/geneontology/obographs). Every version, licence and date they state is read from the release's
manifest.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

from .formats import EXPORTS
from .hpo import HPO_ONTOLOGY
from .obo_release import SPECS
from .package import sources
from .query import solution_rows
from .release import Release
from .store import Store
from .vocab import (
    ANNOTATIONS_GRAPH,
    CURATED_GRAPH,
    DKG,
    HPO_GRAPH,
    INFERRED_GRAPH,
    MODULE_GRAPHS,
    OBO,
    ONTOLOGY_GRAPH,
    ONTOLOGY_IRI,
    PREFIXES,
    compact,
    sparql_prefixes,
)

DKG_CURIE = "DKG"  # KGX/SSSOM CURIE prefix for local IRIs (expanded in each file's prefix map)
# Knowledge sources (infores, https://biolink.github.io/information-resource-registry/). dystonia-kg's own is
# self-assigned: the registry has no entry for it. The others are the registry's own ids, checked against its
# catalog (infores_catalog.yaml, all "released"; the same ids appear in the information-resource-registry
# package's data files).
INFORES_SELF = "infores:dystonia-kg"
INFORES_HPOA = "infores:hpo-annotations"
SOURCE_INFORES = {"hpo": "infores:hpo", "hpo-annotations": INFORES_HPOA, "uberon": "infores:uberon",
                  "mondo": "infores:mondo", "chebi": "infores:chebi"}  # by key of graph.package.sources
# The Biolink Model release the KGX export is written for, and validated against (kgx's venv pins biolink-model at
# this version: tests/tools/kgx-requirements.txt; the KGX test checks the two agree).
BIOLINK_VERSION = "4.4.6"


def _curie(iri: str) -> str:
    if iri.startswith(str(DKG)):
        return f"{DKG_CURIE}:{iri[len(str(DKG)):]}"
    if iri.startswith("http://www.orpha.net/ORDO/"):
        return "ORDO:" + iri[len("http://www.orpha.net/ORDO/"):]  # Biolink's expansion of ORDO
    return compact(iri)


def _write_tsv(path: Path, header: list[str], rows: Iterable[list[str]], preamble: str = "") -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(preamble)
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


# ----------------------------------------------------------------------------------------- KGX
CATEGORY_BY_PREFIX = {
    "UBERON": "biolink:AnatomicalEntity", "HP": "biolink:PhenotypicFeature", "MONDO": "biolink:Disease",
    "OMIM": "biolink:Disease", "ORDO": "biolink:Disease", "NCBIGene": "biolink:Gene",
    "CHEBI": "biolink:ChemicalEntity",
}
LOCAL_CATEGORIES = sparql_prefixes("dkg") + """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?term ?category WHERE {
  VALUES (?root ?category) {
    (<http://purl.obolibrary.org/obo/HP_0001332> "biolink:PhenotypicFeature")
    (dkg:Treatment "biolink:Procedure") (dkg:EnvironmentalFactor "biolink:EnvironmentalExposure")
    (dkg:EtiologicFactor "biolink:NamedThing") (dkg:LesionKind "biolink:NamedThing")
  }
  ?term rdfs:subClassOf+ ?root FILTER(STRSTARTS(STR(?term), STR(dkg:)))
}"""
# Every term of the UBERON, MONDO and ChEBI modules is a node (its category by prefix, its label and definition
# from the module), whether or not an edge uses it, so a pipeline gets the ancestors the statements roll up to.
MODULE_TERMS = f"""
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT DISTINCT ?term ?graph WHERE {{
  VALUES ?graph {{ {" ".join(f"<{g}>" for g in MODULE_GRAPHS.values())} }}
  GRAPH ?graph {{ ?term a owl:Class }}
}}"""
# ChEBI's role branch holds no chemical entities: a term under ChEBI's "drug" role (CHEBI:23888, which Biolink maps
# to biolink:Drug) is a biolink:Drug, any other role a biolink:ChemicalRole (Biolink's class for ChEBI roles);
# the first root that holds wins. The structure branch stays biolink:ChemicalEntity: the module's classes there
# include groupings ("piperidines", "ketone") as well as compounds, and the release files give no structures to
# tell a small molecule apart.
CHEBI_ROLE_CATEGORIES = (("http://purl.obolibrary.org/obo/CHEBI_23888", "biolink:Drug"),
                         ("http://purl.obolibrary.org/obo/CHEBI_50906", "biolink:ChemicalRole"))
CHEBI_ROLES = sparql_prefixes("dkg") + f"""
SELECT ?term ?root WHERE {{
  VALUES ?root {{ {" ".join(f"<{root}>" for root, _ in CHEBI_ROLE_CATEGORIES)} }}
  ?term dkg:isaPartofAncestor? ?root
}}"""
# A node's provided_by is the source of its label: the first of these graphs that holds one (the upstream release
# before the annotation layer, both before our own graphs, which keep a copy only where no other graph has it).
GRAPH_SOURCES = {str(HPO_GRAPH): "hpo", **{str(g): name for name, g in MODULE_GRAPHS.items()},
                 str(ANNOTATIONS_GRAPH): "hpo-annotations"}
OWN_GRAPHS = (str(ONTOLOGY_GRAPH), str(CURATED_GRAPH), str(INFERRED_GRAPH))
LABEL_GRAPHS = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?s ?g WHERE { GRAPH ?g { ?s rdfs:label ?l } }"""
STATEMENT_EDGES = sparql_prefixes("dkg") + """
PREFIX bibo: <http://purl.org/ontology/bibo/>
SELECT ?statement ?kind ?subject ?object ?direction ?evidence ?pmid ?doi WHERE {
  {
    ?statement a dkg:LesionPhenotypeStatement ; dkg:lesionSite ?subject ; dkg:phenotype ?object .
    BIND("lesion" AS ?kind)
  } UNION {
    ?statement a dkg:EtiologyStatement ; dkg:etiology ?subject ; dkg:phenotype ?object ;
               dkg:associationDirection ?direction . BIND("etiology" AS ?kind)
  } UNION {
    ?statement a dkg:TreatmentStatement ; dkg:treatment ?subject ; dkg:phenotype ?object . BIND("treatment" AS ?kind)
  }
  OPTIONAL { ?statement dkg:evidence ?evidence }
  OPTIONAL { ?statement dkg:citation ?c . OPTIONAL { ?c bibo:pmid ?pmid } OPTIONAL { ?c bibo:doi ?doi } }
} ORDER BY ?statement ?subject ?object"""
ANNOTATION_EDGES = sparql_prefixes("dkg") + """
SELECT ?a ?disease ?phenotype ?evidence ?onset ?frequency ?negated
       (GROUP_CONCAT(DISTINCT ?ref; separator="|") AS ?refs) WHERE {
  ?a a dkg:DiseasePhenotypeAnnotation ; dkg:disease ?disease ; dkg:phenotype ?phenotype ; dkg:evidence ?evidence .
  OPTIONAL { ?a dkg:onset ?onset } OPTIONAL { ?a dkg:frequency ?frequency } OPTIONAL { ?a dkg:negated ?negated }
  OPTIONAL { ?a dkg:reference ?ref FILTER(STRSTARTS(?ref, "PMID:")) }
} GROUP BY ?a ?disease ?phenotype ?evidence ?onset ?frequency ?negated ORDER BY ?a"""
GENE_EDGES = sparql_prefixes("dkg") + """SELECT ?disease ?gene WHERE { ?disease dkg:associatedGene ?gene }
ORDER BY ?disease ?gene"""
LABELS = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX obo: <http://purl.obolibrary.org/obo/>
SELECT ?s (SAMPLE(?l) AS ?label) (SAMPLE(?d) AS ?definition)
WHERE { ?s rdfs:label ?l OPTIONAL { ?s obo:IAO_0000115 ?d } }
GROUP BY ?s"""
KGX_NODE_COLUMNS = ["id", "category", "name", "description", "provided_by"]
KGX_EDGE_COLUMNS = ["id", "subject", "predicate", "object", "category", "knowledge_level", "agent_type",
                    "primary_knowledge_source", "aggregator_knowledge_source", "publications", "has_evidence",
                    "negated", "onset_qualifier", "frequency_qualifier", "original_predicate"]
KGX_STEM = "dystonia-kg"


def _label_sources(store: Store) -> dict[str, str]:
    """IRI → the infores of the source its label comes from (see ``GRAPH_SOURCES``)."""
    found: dict[str, set[str]] = defaultdict(set)
    for r in solution_rows(store.query(LABEL_GRAPHS)):
        found[r["s"]].add(r["g"])
    rank = {graph: i for i, graph in enumerate([*GRAPH_SOURCES, *OWN_GRAPHS])}
    chosen = {}
    for iri, graphs in found.items():
        source = GRAPH_SOURCES.get(min(graphs, key=lambda g: rank.get(g, len(rank))))
        chosen[iri] = SOURCE_INFORES[source] if source else INFORES_SELF
    return chosen


def export_kgx(store: Store, out: Path, release: Release) -> dict[str, int]:
    """``dystonia-kg_nodes.tsv``, ``_edges.tsv``, their ``_prefix_map.json`` and ``_graph_metadata.json``."""
    labels = {r["s"]: r for r in solution_rows(store.query(LABELS))}
    local = {r["term"]: r["category"] for r in solution_rows(store.query(LOCAL_CATEGORIES))}
    edges: list[list[str]] = []
    used: dict[str, str] = {}  # node IRI → the knowledge source of the first edge that uses it
    for r in solution_rows(store.query(STATEMENT_EDGES)):
        predicate = {"lesion": "biolink:associated_with", "treatment": "biolink:treats"}.get(r["kind"])
        if predicate is None:
            direction = r.get("direction", "")
            # a factor the source links without a direction (a disease modifier) is only associated
            predicate = ("biolink:negatively_correlated_with" if direction.endswith("InverseAssociation") else
                         "biolink:associated_with" if direction.endswith("UnstatedDirection") else
                         "biolink:contributes_to")
        publications = "|".join(p for p in (f"PMID:{r['pmid']}" if "pmid" in r else "",
                                            f"doi:{r['doi']}" if "doi" in r else "") if p)
        edges.append([_curie(r["statement"]), _curie(r["subject"]), predicate, _curie(r["object"]),
                      "biolink:Association", "knowledge_assertion", "manual_agent", INFORES_SELF, "", publications,
                      _curie(r.get("evidence", "")), "", "", "", ""])
        for iri in (r["subject"], r["object"]):
            used.setdefault(iri, INFORES_SELF)
    # HPO's annotations: its assertions, which this graph aggregates
    for r in solution_rows(store.query(ANNOTATION_EDGES)):
        frequency = r.get("frequency", "")
        edges.append([_curie(r["a"]), _curie(r["disease"]), "biolink:has_phenotype", _curie(r["phenotype"]),
                      "biolink:DiseaseToPhenotypicFeatureAssociation", "knowledge_assertion", "manual_agent",
                      INFORES_HPOA, INFORES_SELF, r.get("refs", ""), _curie(r["evidence"]),
                      "True" if r.get("negated") == "true" else "", _curie(r.get("onset", "")),
                      _curie(frequency) if frequency.startswith("http") else "", ""])
        for iri in (r["disease"], r["phenotype"]):
            used.setdefault(iri, INFORES_HPOA)
    for r in solution_rows(store.query(GENE_EDGES)):
        edge_id = f"{DKG_CURIE}:GDA-" + hashlib.sha1(f"{r['gene']}|{r['disease']}".encode()).hexdigest()[:12]
        edges.append([edge_id, _curie(r["gene"]), "biolink:gene_associated_with_condition",
                      _curie(r["disease"]), "biolink:GeneToDiseaseAssociation", "knowledge_assertion",
                      "not_provided", INFORES_HPOA, INFORES_SELF, "", "", "", "", "", ""])
        for iri in (r["gene"], r["disease"]):
            used.setdefault(iri, INFORES_HPOA)
    module_of = {r["term"]: r["graph"].rsplit("/", 1)[-1] for r in solution_rows(store.query(MODULE_TERMS))}
    for iri, name in module_of.items():
        used.setdefault(iri, SOURCE_INFORES[name])
    provided_by = _label_sources(store)
    roles: dict[str, set[str]] = defaultdict(set)
    for r in solution_rows(store.query(CHEBI_ROLES)):
        roles[r["term"]].add(r["root"])
    nodes = []
    for iri in sorted(used):
        curie = _curie(iri)
        category = local.get(iri) or next((c for root, c in CHEBI_ROLE_CATEGORIES if root in roles[iri]), None) \
            or CATEGORY_BY_PREFIX.get(curie.split(":", 1)[0], "biolink:NamedThing")
        label = labels.get(iri, {})
        nodes.append([curie, category, label.get("label", ""), label.get("definition", "").replace("\t", " "),
                      provided_by.get(iri, used[iri])])
    # Local IRIs use a prefix of our own; pipelines (and kgx) extend Biolink's prefix map with it.
    (out / f"{KGX_STEM}_prefix_map.json").write_text(json.dumps({DKG_CURIE: str(DKG)}, indent=1) + "\n")
    n = _write_tsv(out / f"{KGX_STEM}_nodes.tsv", KGX_NODE_COLUMNS, nodes)
    e = _write_tsv(out / f"{KGX_STEM}_edges.tsv", KGX_EDGE_COLUMNS, sorted(edges))
    metadata = kgx_graph_metadata(release, n, e, sorted({node[1] for node in nodes}), sorted({x[2] for x in edges}))
    (out / f"{KGX_STEM}_graph_metadata.json").write_text(json.dumps(metadata, indent=1, ensure_ascii=False) + "\n")
    return {"nodes": n, "edges": e}


def kgx_graph_metadata(release: Release, nodes: int, edges: int, categories: list[str],
                       predicates: list[str]) -> dict[str, Any]:
    """The KGX graph's metadata, from the release's manifest: what it is, its version, licence, the Biolink
    release it is written for, its counts, and each knowledge source with its version and licence."""
    dataset = release.dataset
    return {
        "id": INFORES_SELF,
        "id_note": "self-assigned: the Biolink information resource registry has no entry for dystonia-kg",
        "name": dataset["title"],
        "description": dataset["description"],
        "version": release.version,
        "version_iri": dataset["version_iri"],
        "build": release.build,
        "url": f"{release.manifest['base']}dataset",  # the dataset's IRI, as VoID describes it
        "license": dataset["licence"],
        "creator": dataset["creator"],
        "format": "KGX TSV",
        "files": [f"{KGX_STEM}_{part}" for part in ("nodes.tsv", "edges.tsv", "prefix_map.json")],
        "biolink_version": BIOLINK_VERSION,
        "node_count": nodes,
        "edge_count": edges,
        "node_categories": categories,
        "edge_predicates": predicates,
        "knowledge_sources": [{"id": INFORES_SELF, "name": dataset["title"], "version": release.version,
                               "license": dataset["licence"]}] + [
            {"id": SOURCE_INFORES[s["key"]], "name": s["name"], "version": s["version"], "license": s["licence"],
             **({} if s["id"].startswith("#") else {"url": s["id"]})} for s in sources(release)],
    }


# ---------------------------------------------------------------------------------------- HPOA
CURATED_DISEASE_PHENOTYPES = sparql_prefixes("dkg") + """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX bibo: <http://purl.org/ontology/bibo/>
SELECT DISTINCT ?statement ?disease ?diseaseLabel ?phenotype ?hpo ?direction ?onset ?pmid WHERE {
  ?statement a dkg:EtiologyStatement ; dkg:etiology ?disease ; dkg:phenotype ?phenotype ;
             dkg:associationDirection ?direction ;
             # TAS is the only HPOA code for a curated author statement: ECO:0000304 statements only
             dkg:evidence <http://purl.obolibrary.org/obo/ECO_0000304> .
  FILTER(STRSTARTS(STR(?disease), "http://purl.obolibrary.org/obo/MONDO_"))
  FILTER(?direction IN (dkg:PositiveAssociation, dkg:InverseAssociation))
  # a claim about certain unnamed members of a disease class is no annotation of the class
  FILTER NOT EXISTS { ?statement dkg:etiologyScope ?scope }
  ?disease rdfs:label ?diseaseLabel .
  # the nearest HPO class: the phenotype itself, or the first HPO superclass of a local class
  ?phenotype rdfs:subClassOf* ?hpo FILTER(STRSTARTS(STR(?hpo), "http://purl.obolibrary.org/obo/HP_"))
  FILTER NOT EXISTS { ?phenotype rdfs:subClassOf* ?closer . ?closer rdfs:subClassOf+ ?hpo .
                      FILTER(STRSTARTS(STR(?closer), "http://purl.obolibrary.org/obo/HP_")) }
  OPTIONAL { ?statement dkg:onset ?onset }
  OPTIONAL { ?statement dkg:citation/bibo:pmid ?pmid }
} ORDER BY ?disease ?hpo ?statement"""
HPOA_HEADER = ["database_id", "disease_name", "qualifier", "hpo_id", "reference", "evidence", "onset", "frequency",
               "sex", "modifier", "aspect", "biocuration"]


def export_hpoa(store: Store, out: Path, release: Release) -> dict[str, int]:
    """Curated disease → phenotype statements in phenotype.hpoa's 12 columns (MONDO diseases), under its header:
    description, version, tracker (the dataset's home) and the HPO release merged, all from the manifest."""
    version = release.version
    rows = []
    for r in solution_rows(store.query(CURATED_DISEASE_PHENOTYPES)):
        reference = f"PMID:{r['pmid']}" if "pmid" in r else r["statement"]  # the statement IRI is citable
        rows.append([_curie(r["disease"]), r["diseaseLabel"],
                     "NOT" if r["direction"].endswith("InverseAssociation") else "", _curie(r["hpo"]), reference,
                     "TAS", _curie(r.get("onset", "")), "", "", "", "P", f"dystonia-kg[{version}]"])
    header = {"description": json.dumps(f"Curated disease-phenotype statements of {release.dataset['title']}"),
              "version": version, "tracker": release.manifest["base"], "hpo-version": release.hpo["source"]}
    preamble = "".join(f"#{key}: {value}\n" for key, value in header.items())
    return {"rows": _write_tsv(out / "dystonia-kg.hpoa", HPOA_HEADER, rows, preamble)}


# --------------------------------------------------------------------------------------- SSSOM
MAPPINGS = sparql_prefixes("dkg") + """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?s ?sl ?p ?o ?ol WHERE {
  VALUES ?p { skos:exactMatch skos:closeMatch skos:broadMatch skos:narrowMatch skos:relatedMatch }
  ?s ?p ?o FILTER(STRSTARTS(STR(?s), STR(dkg:)))
  OPTIONAL { ?s rdfs:label ?sl } OPTIONAL { ?o rdfs:label ?ol }
} ORDER BY ?s ?p ?o"""


SSSOM_COLUMNS = ["subject_id", "subject_label", "predicate_id", "object_id", "object_label",
                 "mapping_justification", "object_source", "object_source_version"]
SEMAPV = "https://w3id.org/semapv/vocab/"
# The ontology each object's prefix belongs to (its OBO PURL), by key of graph.package.sources.
OBJECT_SOURCES = {"HP": ("hpo", HPO_ONTOLOGY),
                  **{spec.prefix: (name, f"{OBO}{name}.owl") for name, spec in SPECS.items()}}
SELF_PREFIX = "dystonia-kg"  # the base IRI's own prefix, for the ontology's IRI (the mappings' subject source)


def sssom_metadata(release: Release) -> dict[str, Any]:
    """The mapping set's metadata (all but the curie_map), from the release's manifest.

    The mappings are curated by hand (semapv:ManualMappingCuration), so no mapping_tool is named, and the dates
    they were asserted are not recorded, so no mapping_date: the date is the release's (publication_date).
    """
    dataset, version, base = release.dataset, release.version, release.manifest["base"]
    metadata: dict[str, Any] = {
        "mapping_set_id": f"{base}mappings/{version}",
        "mapping_set_version": version,
        "mapping_set_title": f"Mappings of the local terms of {dataset['title']}",
        "mapping_set_description": "SKOS mappings of the classes and individuals the dystonia-kg ontology defines to "
                                   "the terms of other ontologies (HPO, MONDO, ChEBI and others), curated by hand; "
                                   "each row names the release of the object's ontology the graph was built with.",
        "creator_label": [dataset["creator"]],
        "license": dataset["licence"],
        "mapping_provider": f"{base}ontology",  # the ontology holds the mappings (skos:*Match)
        "subject_source": f"{SELF_PREFIX}:ontology",
        "subject_source_version": dataset["version_iri"],
    }
    if release.version_date is not None:  # else the release does not say when it was published
        metadata["publication_date"] = release.version_date.isoformat()
    return metadata


def export_sssom(store: Store, out: Path, release: Release) -> dict[str, int]:
    """Mappings of local terms to external ones, as SSSOM TSV under its YAML metadata block: the mapping set's
    metadata (:func:`sssom_metadata`) and a curie_map of every prefix the file uses."""
    versions = {source["key"]: source["version"] for source in sources(release)}
    rows = []
    for r in solution_rows(store.query(MAPPINGS)):
        obj = _curie(r["o"])
        key, ontology = OBJECT_SOURCES.get(obj.split(":", 1)[0], ("", ""))
        merged = key in versions  # the object's ontology is merged: name it and its release
        rows.append([_curie(r["s"]), r.get("sl", ""), compact(r["p"]), obj, r.get("ol", ""),
                     "semapv:ManualMappingCuration", compact(ontology) if merged else "",
                     versions[key] if merged else ""])
    metadata = sssom_metadata(release)
    namespaces = {**PREFIXES, DKG_CURIE: str(DKG), "semapv": SEMAPV, SELF_PREFIX: release.manifest["base"]}
    used = {value.split(":", 1)[0] for row in rows for value in (row[0], row[2], row[3], row[5], row[6]) if value}
    used.add(metadata["subject_source"].split(":", 1)[0])
    block = {"curie_map": {prefix: namespaces[prefix] for prefix in sorted(used)}, **metadata}
    text = yaml.safe_dump(block, sort_keys=False, allow_unicode=True, width=1_000_000)
    preamble = "".join(f"#{line}\n" for line in text.splitlines())
    return {"mappings": _write_tsv(out / "dystonia-kg.sssom.tsv", SSSOM_COLUMNS, rows, preamble)}


# ---------------------------------------------------------------------------------- OBO Graphs
TERMS = f"""
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT ?s ?p ?o WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o FILTER(isIRI(?s)) }} }} ORDER BY ?s ?p ?o"""
NODE_TYPES = {"http://www.w3.org/2002/07/owl#Class": "CLASS", "http://www.w3.org/2002/07/owl#NamedIndividual":
              "INDIVIDUAL", "http://www.w3.org/2002/07/owl#ObjectProperty": "PROPERTY",
              "http://www.w3.org/2002/07/owl#DatatypeProperty": "PROPERTY",
              "http://www.w3.org/2002/07/owl#AnnotationProperty": "PROPERTY"}
SYNONYM_PREDS = {"http://www.geneontology.org/formats/oboInOwl#hasExactSynonym": "hasExactSynonym",
                 "http://www.geneontology.org/formats/oboInOwl#hasRelatedSynonym": "hasRelatedSynonym",
                 "http://www.geneontology.org/formats/oboInOwl#hasBroadSynonym": "hasBroadSynonym",
                 "http://www.geneontology.org/formats/oboInOwl#hasNarrowSynonym": "hasNarrowSynonym"}


def export_obographs(store: Store, out: Path, version: str) -> dict[str, int]:
    """The ontology graph (local terms and the imported HPO module) as OBO Graphs JSON."""
    by_subject: dict[str, list[tuple[str, ox.NamedNode | ox.Literal]]] = defaultdict(list)
    result = store.query(TERMS)
    assert isinstance(result, ox.QuerySolutions)
    for solution in result:
        by_subject[solution["s"].value].append((solution["p"].value, solution["o"]))
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, str]] = []
    for subject, pairs in sorted(by_subject.items()):
        types = [NODE_TYPES[o.value] for p, o in pairs if p.endswith("#type") and o.value in NODE_TYPES]
        if not types:
            continue
        meta: dict[str, Any] = {}
        node: dict[str, Any] = {"id": subject, "type": types[0]}
        for p, o in pairs:
            if p == "http://www.w3.org/2000/01/rdf-schema#label":
                node["lbl"] = o.value
            elif p == "http://purl.obolibrary.org/obo/IAO_0000115":
                meta["definition"] = {"val": o.value, "xrefs": []}
            elif p in SYNONYM_PREDS:
                meta.setdefault("synonyms", []).append({"pred": SYNONYM_PREDS[p], "val": o.value, "xrefs": []})
            elif p == "http://www.w3.org/2000/01/rdf-schema#subClassOf" and isinstance(o, ox.NamedNode):
                edges.append({"sub": subject, "pred": "is_a", "obj": o.value})
            elif p.startswith("http://www.w3.org/2004/02/skos/core#") and isinstance(o, ox.NamedNode):
                meta.setdefault("basicPropertyValues", []).append({"pred": p, "val": o.value})
        if meta:
            node["meta"] = meta
        nodes.append(node)
    document = {"graphs": [{"id": str(ONTOLOGY_IRI), "meta": {"version": f"{ONTOLOGY_IRI}/{version}",
                                                              "basicPropertyValues": []},
                            "nodes": nodes, "edges": edges, "equivalentNodesSets": [],
                            "logicalDefinitionAxioms": [], "domainRangeAxioms": [], "propertyChainAxioms": []}]}
    (out / "dystonia-kg.obographs.json").write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")
    return {"nodes": len(nodes), "edges": len(edges)}


def export(store: Store, fmt: str, out: Path, release: Release) -> dict[str, int]:
    """Write one export format of ``release`` (whose store ``store`` is) into ``out``; returns counts."""
    out.mkdir(parents=True, exist_ok=True)
    version = release.version
    if fmt in ("kgx", "hpoa", "sssom") and not release.dataset:
        raise ValueError(f"the {fmt} export reads the dataset's licence and creator from the manifest, and this "
                         "release's has none (an older version built it): rebuild it with `dystonia-kg build`")
    if fmt == "kgx":
        return export_kgx(store, out, release)
    if fmt == "hpoa":
        if not release.hpo["merged"]:
            raise ValueError("the HPOA export needs a release merged with HPO (built without --no-hpo)")
        return export_hpoa(store, out, release)
    if fmt == "sssom":
        return export_sssom(store, out, release)
    if fmt == "obographs":
        return export_obographs(store, out, version)
    raise ValueError(f"unknown export format {fmt!r} (choose from {', '.join(EXPORTS)})")
