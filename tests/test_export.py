"""Exports: KGX (validated by the kgx package) with its graph metadata, HPOA-style TSV, SSSOM (validated by
sssom-py), OBO Graphs JSON; every version, licence and date they state is the release manifest's."""

from __future__ import annotations

import csv
import json
import subprocess
import warnings
from pathlib import Path

import pytest

from graph.export import (
    BIOLINK_VERSION,
    HPOA_HEADER,
    INFORES_HPOA,
    INFORES_SELF,
    KGX_EDGE_COLUMNS,
    KGX_NODE_COLUMNS,
    SOURCE_INFORES,
    export,
)
from graph.package import sources
from graph.release import Release
from graph.vocab import DKG

ROOT = Path(__file__).resolve().parent.parent
# kgx and sssom-py pin dependencies of their own, so `make test` installs each in a venv beside ours.
KGX_PYTHON = ROOT / ".venv-kgx" / "bin" / "python"
KGX_VALIDATE = ROOT / "tests" / "tools" / "kgx_validate.py"
SSSOM_PYTHON = ROOT / ".venv-sssom" / "bin" / "python"


@pytest.fixture(scope="module")
def exported(release_store, release_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:  # type: ignore[no-untyped-def]
    out = tmp_path_factory.mktemp("export")
    for fmt in ("kgx", "hpoa", "sssom", "obographs"):
        export(release_store, fmt, out, Release.current(release_dir))
    return out


def _tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def test_kgx_structure(exported: Path) -> None:
    nodes, edges = _tsv(exported / "dystonia-kg_nodes.tsv"), _tsv(exported / "dystonia-kg_edges.tsv")
    assert list(nodes[0]) == KGX_NODE_COLUMNS and list(edges[0]) == KGX_EDGE_COLUMNS
    ids = {n["id"] for n in nodes}
    assert all(n["category"].startswith("biolink:") for n in nodes)
    for edge in edges:
        assert edge["subject"] in ids and edge["object"] in ids, edge
        assert edge["predicate"].startswith("biolink:") and edge["knowledge_level"] and edge["agent_type"]
    predicates = {e["predicate"] for e in edges}
    assert {"biolink:has_phenotype", "biolink:gene_associated_with_condition", "biolink:contributes_to",
            "biolink:negatively_correlated_with", "biolink:associated_with", "biolink:treats"} <= predicates
    coffee = [e for e in edges if e["subject"] == "DKG:CoffeeDrinking"]
    assert [e["predicate"] for e in coffee] == ["biolink:negatively_correlated_with"]
    # a disease modifier of unstated direction (S0232) is associated, not a contributing cause
    stressor = [e for e in edges if e["subject"] == "DKG:EnvironmentalStressor"]
    assert [e["predicate"] for e in stressor] == ["biolink:associated_with"]


def test_kgx_has_every_module_term_with_its_category_and_label(exported: Path, release_dir: Path) -> None:
    """The UBERON, MONDO and ChEBI modules' terms are nodes, used by an edge or not (the ancestors the statements
    roll up to): anatomy, diseases, ChEBI's drug roles as drugs, its other roles as roles, its structures as
    chemical entities, each with the label and source of its module."""
    nodes = {n["id"]: n for n in _tsv(exported / "dystonia-kg_nodes.tsv")}
    modules = Release.current(release_dir).modules
    for prefix, name in (("UBERON", "uberon"), ("MONDO", "mondo"), ("CHEBI", "chebi")):
        ids = {i for i in nodes if i.startswith(prefix + ":")}
        assert len(ids) == modules[name]["terms"], name
        assert all(nodes[i]["name"] and nodes[i]["provided_by"] == f"infores:{name}" for i in ids), name
    expected = {
        "UBERON:0000955": ("brain", "biolink:AnatomicalEntity"),  # an ancestor only: no edge uses it
        "UBERON:0001897": ("dorsal plus ventral thalamus", "biolink:AnatomicalEntity"),
        "MONDO:0000001": ("disease", "biolink:Disease"),
        "CHEBI:23888": ("drug", "biolink:Drug"),  # a role; Biolink maps it to biolink:Drug
        "CHEBI:35476": ("antipsychotic agent", "biolink:Drug"),  # a drug role
        "CHEBI:50906": ("role", "biolink:ChemicalRole"),
        "CHEBI:5613": ("haloperidol", "biolink:ChemicalEntity"),
        "CHEBI:26151": ("piperidines", "biolink:ChemicalEntity"),
    }
    assert {i: (nodes[i]["name"], nodes[i]["category"]) for i in expected} == expected
    edges = _tsv(exported / "dystonia-kg_edges.tsv")
    assert not any(e["subject"] == "UBERON:0000955" or e["object"] == "UBERON:0000955" for e in edges)


def test_kgx_every_node_and_edge_names_its_knowledge_source(exported: Path, release_dir: Path) -> None:
    """Edges: the primary source is ours for curated statements, HPO's annotations for theirs (which we aggregate);
    nodes: the source of their label. Every infores is ours (self-assigned) or a source the release merges."""
    nodes = {n["id"]: n for n in _tsv(exported / "dystonia-kg_nodes.tsv")}
    edges = _tsv(exported / "dystonia-kg_edges.tsv")
    merged = {SOURCE_INFORES[s["key"]] for s in sources(Release.current(release_dir))}
    assert {n["provided_by"] for n in nodes.values()} <= merged | {INFORES_SELF}
    for edge in edges:
        expected = ("", INFORES_SELF) if edge["id"].startswith("DKG:S") else (INFORES_SELF, INFORES_HPOA)
        assert (edge["aggregator_knowledge_source"], edge["primary_knowledge_source"]) == expected, edge
    annotated = [e for e in edges if e["predicate"] == "biolink:has_phenotype"]
    assert annotated and all(e["primary_knowledge_source"] == INFORES_HPOA for e in annotated)
    # a disease known from phenotype.hpoa, an HPO term, a local class: each provided by the source of its label
    omim = next(e["subject"] for e in annotated if e["subject"].startswith("OMIM:"))
    assert nodes[omim]["provided_by"] == INFORES_HPOA
    assert nodes["HP:0001332"]["provided_by"] == "infores:hpo"
    assert nodes["DKG:HandDystonia"]["provided_by"] == INFORES_SELF


def test_kgx_graph_metadata_comes_from_the_manifest(exported: Path, release_dir: Path) -> None:
    release = Release.current(release_dir)
    metadata = json.loads((exported / "dystonia-kg_graph_metadata.json").read_text())
    assert (metadata["id"], metadata["version"], metadata["license"], metadata["build"]) == (
        INFORES_SELF, release.version, release.dataset["licence"], release.build)
    assert "self-assigned" in metadata["id_note"]
    assert metadata["node_count"] == len(_tsv(exported / "dystonia-kg_nodes.tsv"))
    assert metadata["edge_count"] == len(_tsv(exported / "dystonia-kg_edges.tsv"))
    assert all((exported / name).is_file() for name in metadata["files"])
    listed = {s["id"]: (s["version"], s["license"]) for s in metadata["knowledge_sources"]}
    expected = {SOURCE_INFORES[s["key"]]: (s["version"], s["licence"]) for s in sources(release)}
    assert expected and listed == {INFORES_SELF: (release.version, release.dataset["licence"]), **expected}
    assert listed["infores:hpo"][0] == release.hpo["version"]
    assert listed["infores:mondo"][0] == release.modules["mondo"]["version"]


def test_kgx_validates_with_the_kgx_package(exported: Path) -> None:
    """kgx finds no error, and validated against the Biolink release the graph metadata names."""
    assert KGX_PYTHON.exists(), f"{KGX_PYTHON} is missing: `make test` installs kgx in .venv-kgx"
    result = subprocess.run([str(KGX_PYTHON), str(KGX_VALIDATE), str(exported / "dystonia-kg_nodes.tsv"),
                             str(exported / "dystonia-kg_edges.tsv")], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert result.stdout.strip().endswith("errors: 0")
    validated = result.stdout.strip().splitlines()[-2].removeprefix("biolink: ")
    metadata = json.loads((exported / "dystonia-kg_graph_metadata.json").read_text())
    assert metadata["biolink_version"] == BIOLINK_VERSION == validated


def test_kgx_validation_catches_a_bad_export(exported: Path, tmp_path: Path) -> None:
    """The validator is not a rubber stamp: an unknown prefix and a made-up predicate are errors."""
    edges = (exported / "dystonia-kg_edges.tsv").read_text().replace("biolink:treats", "biolink:cures_for_sure")
    (tmp_path / "bad_edges.tsv").write_text(edges)
    nodes = (exported / "dystonia-kg_nodes.tsv").read_text().replace("\nHP:", "\nNOTAPREFIX:", 1)
    (tmp_path / "bad_nodes.tsv").write_text(nodes)
    result = subprocess.run([str(KGX_PYTHON), str(KGX_VALIDATE), str(tmp_path / "bad_nodes.tsv"),
                             str(tmp_path / "bad_edges.tsv")], capture_output=True, text=True, timeout=600)
    assert result.returncode == 1
    assert "NOTAPREFIX" in result.stdout and "cures_for_sure" in result.stdout


def test_hpoa_header_fields_come_from_the_manifest(exported: Path, release_dir: Path) -> None:
    """phenotype.hpoa's four header fields, each the release's: its version, its home, the HPO file it merged."""
    release = Release.current(release_dir)
    with (exported / "dystonia-kg.hpoa").open(encoding="utf-8") as handle:
        header = dict(line[1:].rstrip("\n").split(": ", 1) for line in handle if line.startswith("#"))
    assert list(header) == ["description", "version", "tracker", "hpo-version"]
    assert header["version"] == release.version
    assert header["tracker"] == release.manifest["base"]
    assert header["hpo-version"] == release.hpo["source"] and release.hpo["version"] in header["hpo-version"]
    assert json.loads(header["description"]).endswith(release.dataset["title"])
    biocuration = {r["biocuration"] for r in _tsv(exported / "dystonia-kg.hpoa")}
    assert biocuration == {f"dystonia-kg[{release.version}]"}


def test_hpoa_has_the_twelve_columns(exported: Path) -> None:
    rows = _tsv(exported / "dystonia-kg.hpoa")
    assert list(rows[0]) == HPOA_HEADER and len(HPOA_HEADER) == 12
    assert {r["database_id"].split(":")[0] for r in rows} == {"MONDO"}
    assert all(r["hpo_id"].startswith("HP:") and r["evidence"] == "TAS" and r["aspect"] == "P" for r in rows)
    assert any(r["disease_name"] == "Wilson disease" for r in rows)
    # only traceable author statements (ECO:0000304) are TAS; "other medical conditions" (certain unnamed
    # diseases, S0248) annotate no disease class; Source003's multiple sclerosis (ECO:0000302) is not TAS
    assert not {"MONDO:0000001", "MONDO:0005301"} & {r["database_id"] for r in rows}


# Runs in .venv-sssom: sssom-py's own validator (JSON Schema, curie_map completeness, strict CURIEs) on each file
# given, and the metadata as sssom-py parses it (which moves the set's subject source, its version and the provider
# into every row: "propagation").
SSSOM_VALIDATE = """
import json, logging, sys
from sssom.parsers import parse_sssom_table
from sssom.validators import validate
logging.disable(logging.CRITICAL)
out = {}
for path in sys.argv[1:]:
    msdf = parse_sssom_table(path)
    reports = validate(msdf, fail_on_error=False)
    out[path] = {"errors": [r.message for report in reports.values() for r in report.results],
                 "rows": len(msdf.df), "metadata": {k: v for k, v in msdf.metadata.items() if k != "curie_map"},
                 "curie_map": dict(msdf.converter.bimap),
                 "propagated": {c: sorted(set(msdf.df[c].dropna())) for c in
                                ("subject_source", "subject_source_version", "mapping_provider") if c in msdf.df}}
print(json.dumps(out, default=str))
"""


def test_sssom_validates_with_sssom_py_and_states_the_release(exported: Path, release_dir: Path,
                                                              tmp_path: Path) -> None:
    """sssom-py's validator passes the export and fails it without a prefix its curie_map needs; the set metadata
    is the manifest's; each row names the release of its object's ontology."""
    path = exported / "dystonia-kg.sssom.tsv"
    rows = _tsv(path)
    assert {"DKG:SegmentalDystonia", "DKG:HandDystonia"} <= {r["subject_id"] for r in rows}
    broken = tmp_path / "broken.sssom.tsv"  # the curie_map without MONDO, which objects use
    broken.write_text("".join(line for line in path.read_text().splitlines(keepends=True)
                              if not line.startswith("#  MONDO:")))
    assert SSSOM_PYTHON.exists(), f"{SSSOM_PYTHON} is missing: `make test` installs sssom in .venv-sssom"
    result = subprocess.run([str(SSSOM_PYTHON), "-c", SSSOM_VALIDATE, str(path), str(broken)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    reports = json.loads(result.stdout.splitlines()[-1])
    good, bad = reports[str(path)], reports[str(broken)]
    assert good["errors"] == [] and good["rows"] == len(rows)
    assert any("MONDO" in error for error in bad["errors"]), bad["errors"]
    release = Release.current(release_dir)
    metadata = good["metadata"]
    assert metadata["mapping_set_version"] == release.version
    assert metadata["mapping_set_id"].startswith(release.manifest["base"])
    assert metadata["license"] == release.dataset["licence"]
    assert metadata["creator_label"] == [release.dataset["creator"]]
    assert good["propagated"]["subject_source_version"] == [release.dataset["version_iri"]]
    assert good["propagated"]["mapping_provider"] == [f"{release.manifest['base']}ontology"]
    assert str(metadata["publication_date"]) == release.version
    assert metadata["mapping_set_title"] and metadata["mapping_set_description"]
    assert set(good["curie_map"]) >= {r["object_id"].split(":")[0] for r in rows}
    versions = {"HP": release.hpo["version"], **{name.upper(): m["version"] for name, m in release.modules.items()}}
    for row in rows:
        assert row["object_source_version"] == versions[row["object_id"].split(":")[0]], row


def test_obographs_loads_in_pronto(exported: Path) -> None:
    document = json.loads((exported / "dystonia-kg.obographs.json").read_text())
    graph = document["graphs"][0]
    ids = {n["id"] for n in graph["nodes"]}
    assert str(DKG.HandDystonia) in ids
    assert {"sub": str(DKG.HandDystonia), "pred": "is_a",
            "obj": "http://purl.obolibrary.org/obo/HP_0031960"} in graph["edges"]
    import pronto

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ontology = pronto.Ontology(str(exported / "dystonia-kg.obographs.json"))
    assert len(list(ontology.terms())) > 100
