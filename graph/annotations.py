"""The etiology layer from HPO's annotations: diseases annotated with dystonia, and their genes.

From phenotype.hpoa (https://obophenotype.github.io/human-phenotype-ontology/annotations/phenotype_hpoa/):
every disease annotated with Dystonia (HP:0001332) or a descendant, with those annotations and, for
the same diseases, their parkinsonism and myoclonus annotations (the movement disorders dystonia is
"combined with"), each as an annotation node carrying frequency, onset, references, sex, and evidence
mapped to ECO. Genes come from genes_to_phenotype.txt, as NCBI Gene IRIs shared with the curated
layer. Annotations with evidence IEA were parsed from OMIM and need OMIM's permission to
redistribute, so they are left out unless asked for.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .hpo import HpoRelease, nt_literal, obo_iri
from .vocab import DKG

DYSTONIA = "HP:0001332"
COMBINED_WITH = ("HP:0001300", "HP:0001336")  # parkinsonism, myoclonus
EVIDENCE_TO_ECO = {"PCS": "ECO:0006017", "TAS": "ECO:0000304", "IEA": "ECO:0000501"}
HPOA_COLUMNS = ["database_id", "disease_name", "qualifier", "hpo_id", "reference", "evidence", "onset",
                "frequency", "sex", "modifier", "aspect", "biocuration"]
ANNOTATION_SOURCE = DKG["HPOAnnotations"]
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"


class AnnotationFileError(Exception):
    """phenotype.hpoa or genes_to_phenotype.txt is not as expected; names the file and line."""


def disease_iri(curie: str) -> str | None:
    """OMIM → OBO PURL, ORPHA → Orphanet ORDO IRI (Biolink's expansions); other sources are skipped."""
    prefix, _, local = curie.partition(":")
    if prefix == "OMIM":
        return f"<http://purl.obolibrary.org/obo/OMIM_{local}>"
    if prefix == "ORPHA":
        return f"<http://www.orpha.net/ORDO/Orphanet_{local}>"
    return None


def gene_iri(ncbi_id: str) -> str:
    """The NCBI Gene IRI the curated layer uses too."""
    return f"<http://identifiers.org/ncbigene/{ncbi_id}>"


def _rows(path: Path, columns: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        header: list[str] | None = None
        for number, row in enumerate(csv.reader(handle, delimiter="\t"), 1):
            if not row or row[0].startswith("#"):
                continue
            if header is None:
                header = row
                if header[: len(columns)] != columns:
                    raise AnnotationFileError(f"{path}:{number}: expected columns {columns}, found {header}")
                continue
            if len(row) != len(header):
                raise AnnotationFileError(f"{path}:{number}: {len(row)} fields, expected {len(header)}")
            yield number, dict(zip(header, row, strict=True))


@dataclass(frozen=True)
class Layer:
    """The annotation layer as N-Triples, with counts for the release metadata."""

    ntriples: bytes
    diseases: int
    annotations: int
    genes: int
    skipped_iea: int
    version: str


def mondo_mappings(path: Path) -> dict[str, list[str]]:
    """OMIM/Orphanet disease IRI → MONDO IRIs, from an SSSOM TSV of exact matches."""
    found: dict[str, list[str]] = {}
    for _, row in _rows(path, ["subject_id", "subject_label", "predicate_id", "object_id"]):
        if row["predicate_id"] != "skos:exactMatch":
            continue
        prefix, _, local = row["object_id"].partition(":")
        disease = disease_iri(f"{'ORPHA' if prefix == 'Orphanet' else prefix}:{local}")
        if disease is not None:
            found.setdefault(disease, []).append(obo_iri(row["subject_id"]))
    return found


def build_layer(hpo: HpoRelease, hpoa: Path, genes_file: Path, include_iea: bool = False,
                mappings: Path | None = None) -> Layer:
    """Select the annotations and write them as annotation nodes; map diseases to MONDO where known."""
    dystonia = hpo.descendants(DYSTONIA)
    wanted = dystonia.union(*(hpo.descendants(c) for c in COMBINED_WITH))
    rows = list(_rows(hpoa, HPOA_COLUMNS))
    with_dystonia = {r["database_id"] for _, r in rows if r["hpo_id"] in dystonia and r["qualifier"] != "NOT"
                     and (include_iea or r["evidence"] != "IEA")}
    lines: list[str] = []
    add = lines.append
    diseases: dict[str, str] = {}
    count = skipped = 0
    for _, row in rows:
        if row["database_id"] not in with_dystonia or row["hpo_id"] not in wanted:
            continue
        if row["evidence"] == "IEA" and not include_iea:
            skipped += 1
            continue
        disease = disease_iri(row["database_id"])
        if disease is None:
            continue
        diseases[disease] = row["disease_name"]
        key = "|".join(row[c] for c in HPOA_COLUMNS)
        node = f"<{DKG}HPOA-{hashlib.sha1(key.encode()).hexdigest()[:12]}>"
        count += 1
        add(f"{node} {RDF_TYPE} <{DKG}DiseasePhenotypeAnnotation> .")
        add(f"{node} <{DKG}disease> {disease} .")
        add(f"{node} <{DKG}phenotype> {obo_iri(row['hpo_id'])} .")
        add(f"{node} <{DKG}evidence> {obo_iri(EVIDENCE_TO_ECO[row['evidence']])} .")
        add(f"{node} <http://www.w3.org/ns/prov#wasDerivedFrom> <{ANNOTATION_SOURCE}> .")
        if row["qualifier"] == "NOT":
            add(f"{node} <{DKG}negated> {nt_literal('true', datatype='http://www.w3.org/2001/XMLSchema#boolean')} .")
        if row["onset"]:
            add(f"{node} <{DKG}onset> {obo_iri(row['onset'])} .")
        if row["frequency"].startswith("HP:"):
            add(f"{node} <{DKG}frequency> {obo_iri(row['frequency'])} .")
        elif row["frequency"]:
            add(f"{node} <{DKG}frequency> {nt_literal(row['frequency'])} .")
        for reference in filter(None, row["reference"].split(";")):
            add(f"{node} <{DKG}reference> {nt_literal(reference.strip())} .")
        if row["sex"]:
            add(f"{node} <{DKG}sex> {nt_literal(row['sex'].lower())} .")
    genes: dict[str, str] = {}
    disease_curies = {disease_iri(d): d for d in with_dystonia}
    gene_rows = _rows(genes_file, ["ncbi_gene_id", "gene_symbol", "hpo_id", "hpo_name", "frequency", "disease_id"])
    pairs = {(gene_iri(r["ncbi_gene_id"]), disease_iri(r["disease_id"]), r["gene_symbol"]) for _, r in gene_rows
             if disease_iri(r["disease_id"]) in disease_curies and r["hpo_id"] in wanted}
    for gene, disease, symbol in sorted(p for p in pairs if p[1] is not None):
        genes[gene] = symbol
        add(f"{disease} <{DKG}associatedGene> {gene} .")
    mondo = mondo_mappings(mappings) if mappings else {}
    for disease, name in sorted(diseases.items()):
        add(f"{disease} {RDF_TYPE} <{DKG}Disease> .")
        add(f"{disease} {LABEL} {nt_literal(name, 'en')} .")
        for target in mondo.get(disease, []):
            add(f"{disease} <http://www.w3.org/2004/02/skos/core#exactMatch> {target} .")
    for gene, symbol in sorted(genes.items()):
        add(f"{gene} {RDF_TYPE} <{DKG}Gene> .")
        add(f"{gene} {LABEL} {nt_literal(symbol, 'en')} .")
    source = f"<{ANNOTATION_SOURCE}>"
    version = hpoa_version(hpoa)
    add(f"{source} {RDF_TYPE} <http://www.w3.org/ns/prov#Entity> .")
    add(f"{source} {LABEL} {nt_literal(f'HPO annotations (phenotype.hpoa {version})', 'en')} .")
    add(f"{source} <http://www.w3.org/2002/07/owl#versionInfo> {nt_literal(version)} .")
    add(f"{source} <http://purl.org/dc/terms/license> <https://hpo.jax.org/app/license> .")
    add(f"{source} <http://www.w3.org/2000/01/rdf-schema#comment> " + nt_literal(
        "Annotations with evidence IEA (parsed from OMIM) are left out by default: OMIM's permission is needed "
        f"to redistribute them ({skipped} left out)." if not include_iea else "IEA annotations included.", "en") + " .")
    return Layer(("\n".join(lines) + "\n").encode(), len(diseases), count, len(genes), skipped, version)


def hpoa_version(path: Path) -> str:
    """The ``#version:`` header of phenotype.hpoa."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.startswith("#"):
                break
            if line.startswith("#version:"):
                return line.split(":", 1)[1].strip()
    return "unknown"
