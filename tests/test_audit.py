"""The audit of quotes and digests, on small documents of the tests' own."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from graph.assemble import Vocabulary, assemble_curated, load_ontology
from graph.audit import audit, normalise

DOCUMENT = "Thalamic lesions are more likely\n   to result in hand dystonia.\n"


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return Vocabulary.from_ontology(load_ontology())


def _curation(root: Path, digest: str, quote: str) -> Path:
    cur = root / "curation"
    (cur / "statements").mkdir(parents=True)
    (cur / "citations.yaml").write_text("[]\n")
    (cur / "sources.yaml").write_text(f"- id: SourceT\n  label: test\n  fileName: doc.txt\n  sha256: {digest}\n")
    (cur / "statements" / "t.yaml").write_text(
        "source: SourceT\nstatements:\n- id: T1\n  type: LesionPhenotypeStatement\n"
        f"  quote: {quote}\n  lesionSite: UBERON:0001897\n  phenotype: HandDystonia\n  evidence: ECO:0000302\n"
    )
    return cur


def _texts(root: Path, text: str) -> tuple[Path, str]:
    folder = root / "texts"
    folder.mkdir()
    (folder / "doc.txt").write_text(text)
    return folder, hashlib.sha256(text.encode()).hexdigest()


def test_quote_found_with_whitespace_normalised(tmp_path: Path, vocabulary: Vocabulary) -> None:
    texts, digest = _texts(tmp_path, DOCUMENT)
    curated = assemble_curated(vocabulary, _curation(tmp_path, digest, "Thalamic lesions are more likely to result"))
    report = audit(curated, texts)
    assert report.ok, report.render()
    assert (report.sources_checked, report.quotes_checked) == (1, 1)


def test_quote_not_in_source_fails(tmp_path: Path, vocabulary: Vocabulary) -> None:
    texts, digest = _texts(tmp_path, DOCUMENT)
    curated = assemble_curated(vocabulary, _curation(tmp_path, digest, "Thalamic lesions always result"))
    report = audit(curated, texts)
    assert not report.ok
    assert report.problems == [
        "dkg:T1: quote not found in dkg:SourceT: 'Thalamic lesions always result'"
    ]


def test_digest_mismatch_fails_and_names_the_file(tmp_path: Path, vocabulary: Vocabulary) -> None:
    texts, _ = _texts(tmp_path, DOCUMENT)
    curated = assemble_curated(vocabulary, _curation(tmp_path, "0" * 64, "Thalamic lesions"))
    report = audit(curated, texts)
    assert len(report.problems) == 1
    assert "dkg:SourceT: no file" in report.problems[0] and "doc.txt has sha256" in report.problems[0]


def test_missing_folder_is_a_problem(tmp_path: Path, vocabulary: Vocabulary) -> None:
    _, digest = _texts(tmp_path, DOCUMENT)
    curated = assemble_curated(vocabulary, _curation(tmp_path, digest, "Thalamic"))
    assert not audit(curated, tmp_path / "nowhere").ok


def test_normalise_collapses_all_whitespace() -> None:
    assert normalise(" a\n\t b  c ") == "a b c"
