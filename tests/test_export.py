"""Exports: KGX (validated by the kgx package), HPOA-style TSV, SSSOM (parsed by sssom-py), OBO Graphs JSON."""

from __future__ import annotations

import csv
import json
import subprocess
import warnings
from pathlib import Path

import pytest

from graph.export import HPOA_HEADER, KGX_EDGE_COLUMNS, KGX_NODE_COLUMNS, export
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
        assert edge["primary_knowledge_source"].startswith("infores:")
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


def test_kgx_validates_with_the_kgx_package(exported: Path) -> None:
    assert KGX_PYTHON.exists(), f"{KGX_PYTHON} is missing: `make test` installs kgx in .venv-kgx"
    result = subprocess.run([str(KGX_PYTHON), str(KGX_VALIDATE), str(exported / "dystonia-kg_nodes.tsv"),
                             str(exported / "dystonia-kg_edges.tsv")], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert result.stdout.strip().endswith("errors: 0")


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


def test_hpoa_has_the_twelve_columns(exported: Path) -> None:
    text = (exported / "dystonia-kg.hpoa").read_text()
    assert text.startswith("#description:") and "#hpo-version:" in text
    rows = _tsv(exported / "dystonia-kg.hpoa")
    assert list(rows[0]) == HPOA_HEADER and len(HPOA_HEADER) == 12
    assert {r["database_id"].split(":")[0] for r in rows} == {"MONDO"}
    assert all(r["hpo_id"].startswith("HP:") and r["evidence"] == "TAS" and r["aspect"] == "P" for r in rows)
    assert any(r["disease_name"] == "Wilson disease" for r in rows)
    # only traceable author statements (ECO:0000304) are TAS; "other medical conditions" (certain unnamed
    # diseases, S0248) annotate no disease class; Source003's multiple sclerosis (ECO:0000302) is not TAS
    assert not {"MONDO:0000001", "MONDO:0005301"} & {r["database_id"] for r in rows}


def test_sssom_parses_with_sssom_py(exported: Path) -> None:
    path = exported / "dystonia-kg.sssom.tsv"
    rows = _tsv(path)
    assert {"DKG:SegmentalDystonia", "DKG:HandDystonia"} <= {r["subject_id"] for r in rows}
    assert SSSOM_PYTHON.exists(), f"{SSSOM_PYTHON} is missing: `make test` installs sssom in .venv-sssom"
    script = ("import sys; from sssom.parsers import parse_sssom_table; m = parse_sssom_table(sys.argv[1]); "
              "print(len(m.df)); print(m.metadata['license'])")
    result = subprocess.run([str(SSSOM_PYTHON), "-c", script, str(path)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    count, licence = result.stdout.split()[-2:]
    assert int(count) == len(rows) and licence.startswith("https://creativecommons.org/")


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
