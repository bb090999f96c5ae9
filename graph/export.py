"""Exports for HPO-merging pipelines: KGX TSV, HPOA-style TSV, SSSOM TSV and OBO Graphs JSON.

Each reads the release through the store seam and writes files a pipeline can load as is:
KGX (https://github.com/biolink/kgx/blob/master/specification/kgx-format.md) with Biolink 4
categories, predicates, knowledge_level and agent_type; phenotype.hpoa's 12 columns
(https://obophenotype.github.io/human-phenotype-ontology/annotations/phenotype_hpoa/); SSSOM
(https://mapping-commons.github.io/sssom/); OBO Graphs JSON (https://github.com/geneontology/obographs).
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

from .formats import EXPORTS
from .query import solution_rows
from .release import Release
from .store import Store
from .vocab import BASE, DKG, MODULE_GRAPHS, ONTOLOGY_GRAPH, ONTOLOGY_IRI, PREFIXES, compact, sparql_prefixes

DKG_CURIE = "DKG"  # KGX/SSSOM CURIE prefix for local IRIs (expanded in each file's prefix map)
INFORES_SELF = "infores:dystonia-kg"
INFORES_HPOA = "infores:hpo-annotations"
CC_BY = "https://creativecommons.org/licenses/by/4.0/"


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
MODULE_INFORES = {"uberon": "infores:uberon", "mondo": "infores:mondo", "chebi": "infores:chebi"}
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
                    "primary_knowledge_source", "publications", "has_evidence", "negated", "onset_qualifier",
                    "frequency_qualifier", "original_predicate"]


def export_kgx(store: Store, out: Path) -> dict[str, int]:
    """``dystonia-kg_nodes.tsv`` and ``dystonia-kg_edges.tsv``."""
    labels = {r["s"]: r for r in solution_rows(store.query(LABELS))}
    local = {r["term"]: r["category"] for r in solution_rows(store.query(LOCAL_CATEGORIES))}
    edges: list[list[str]] = []
    used: set[str] = set()
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
                      "biolink:Association", "knowledge_assertion", "manual_agent", INFORES_SELF, publications,
                      _curie(r.get("evidence", "")), "", "", "", ""])
        used.update((r["subject"], r["object"]))
    for r in solution_rows(store.query(ANNOTATION_EDGES)):
        frequency = r.get("frequency", "")
        edges.append([_curie(r["a"]), _curie(r["disease"]), "biolink:has_phenotype", _curie(r["phenotype"]),
                      "biolink:DiseaseToPhenotypicFeatureAssociation", "knowledge_assertion", "manual_agent",
                      INFORES_HPOA, r.get("refs", ""), _curie(r["evidence"]),
                      "True" if r.get("negated") == "true" else "", _curie(r.get("onset", "")),
                      _curie(frequency) if frequency.startswith("http") else "", ""])
        used.update((r["disease"], r["phenotype"]))
    for r in solution_rows(store.query(GENE_EDGES)):
        edge_id = f"{DKG_CURIE}:GDA-" + hashlib.sha1(f"{r['gene']}|{r['disease']}".encode()).hexdigest()[:12]
        edges.append([edge_id, _curie(r["gene"]), "biolink:gene_associated_with_condition",
                      _curie(r["disease"]), "biolink:GeneToDiseaseAssociation", "knowledge_assertion",
                      "not_provided", INFORES_HPOA, "", "", "", "", "", ""])
        used.update((r["gene"], r["disease"]))
    module_of = {r["term"]: r["graph"].rsplit("/", 1)[-1] for r in solution_rows(store.query(MODULE_TERMS))}
    roles: dict[str, set[str]] = defaultdict(set)
    for r in solution_rows(store.query(CHEBI_ROLES)):
        roles[r["term"]].add(r["root"])
    nodes = []
    for iri in sorted(used | set(module_of)):
        curie = _curie(iri)
        category = local.get(iri) or next((c for root, c in CHEBI_ROLE_CATEGORIES if root in roles[iri]), None) \
            or CATEGORY_BY_PREFIX.get(curie.split(":", 1)[0], "biolink:NamedThing")
        label = labels.get(iri, {})
        nodes.append([curie, category, label.get("label", ""), label.get("definition", "").replace("\t", " "),
                      MODULE_INFORES.get(module_of.get(iri, ""), INFORES_SELF)])
    # Local IRIs use a prefix of our own; pipelines (and kgx) extend Biolink's prefix map with it.
    (out / "dystonia-kg_prefix_map.json").write_text(json.dumps({DKG_CURIE: str(DKG)}, indent=1) + "\n")
    n = _write_tsv(out / "dystonia-kg_nodes.tsv", KGX_NODE_COLUMNS, nodes)
    e = _write_tsv(out / "dystonia-kg_edges.tsv", KGX_EDGE_COLUMNS, sorted(edges))
    return {"nodes": n, "edges": e}


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


def export_hpoa(store: Store, out: Path, version: str, hpo_version: str) -> dict[str, int]:
    """Curated disease → phenotype statements in phenotype.hpoa's 12 columns (MONDO diseases)."""
    rows = []
    for r in solution_rows(store.query(CURATED_DISEASE_PHENOTYPES)):
        reference = f"PMID:{r['pmid']}" if "pmid" in r else r["statement"]  # the statement IRI is citable
        rows.append([_curie(r["disease"]), r["diseaseLabel"],
                     "NOT" if r["direction"].endswith("InverseAssociation") else "", _curie(r["hpo"]), reference,
                     "TAS", _curie(r.get("onset", "")), "", "", "", "P", f"dystonia-kg[{version}]"])
    preamble = (f"#description: \"dystonia-kg curated disease-phenotype statements\"\n#version: {version}\n"
                f"#tracker: {BASE}\n"
                f"#hpo-version: http://purl.obolibrary.org/obo/{hpo_version}/hp.json\n")
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


def export_sssom(store: Store, out: Path, version: str) -> dict[str, int]:
    """Mappings of local terms to external ones, as SSSOM TSV with its YAML metadata block."""
    rows = [[_curie(r["s"]), r.get("sl", ""), compact(r["p"]), _curie(r["o"]), r.get("ol", ""),
             "semapv:ManualMappingCuration"] for r in solution_rows(store.query(MAPPINGS))]
    curie_map = {DKG_CURIE: str(DKG), "HP": PREFIXES["HP"], "MONDO": PREFIXES["MONDO"], "CHEBI": PREFIXES["CHEBI"],
                 "HGNC": PREFIXES["HGNC"], "NCBIGene": PREFIXES["NCBIGene"], "UBERON": PREFIXES["UBERON"],
                 "skos": PREFIXES["skos"], "semapv": "https://w3id.org/semapv/vocab/"}
    meta = ["#curie_map:"] + [f"#  {p}: {ns}" for p, ns in curie_map.items()] + [
        f"#mapping_set_id: {BASE}mappings/{version}",
        f"#mapping_set_version: {version!r}".replace("'", '"'),
        f"#license: {CC_BY}",
        f"#subject_source: {ONTOLOGY_IRI}",
    ]
    header = ["subject_id", "subject_label", "predicate_id", "object_id", "object_label", "mapping_justification"]
    return {"mappings": _write_tsv(out / "dystonia-kg.sssom.tsv", header, rows, "\n".join(meta) + "\n")}


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
    if fmt == "kgx":
        return export_kgx(store, out)
    if fmt == "hpoa":
        if not release.hpo["merged"]:
            raise ValueError("the HPOA export needs a release merged with HPO (built without --no-hpo)")
        return export_hpoa(store, out, version, release.hpo["version"])
    if fmt == "sssom":
        return export_sssom(store, out, version)
    if fmt == "obographs":
        return export_obographs(store, out, version)
    raise ValueError(f"unknown export format {fmt!r} (choose from {', '.join(EXPORTS)})")
