"""The audit of quotes, digests and the sentence ledger, on a small document of the tests' own.

``tests/data/audit`` holds one text (``texts/notes.txt``, seven units) and a complete curation for it:
a source, a citation, four statements (one of them quoting two sentences) and the ledger. Each test
breaks one thing in a copy and checks that the audit (or the build, for what needs no text) names it.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest

from graph.assemble import Vocabulary, assemble_curated, load_ontology
from graph.audit import AuditReport, audit, normalise
from graph.cli import main
from graph.ledger import load_ledgers
from graph.records import CurationError

from .conftest import DATA

AUDIT = DATA / "audit"


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return Vocabulary.from_ontology(load_ontology())


@pytest.fixture()
def case(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the test curation and of its texts: (curation folder, texts folder)."""
    shutil.copytree(AUDIT, tmp_path / "audit")
    return tmp_path / "audit" / "curation", tmp_path / "audit" / "texts"


def run(vocabulary: Vocabulary, curation: Path, texts: Path) -> AuditReport:
    return audit(assemble_curated(vocabulary, curation), texts, load_ledgers(curation))


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def ledger(curation: Path) -> Path:
    return curation / "ledger" / "SourceT.yaml"


def test_the_test_document_passes_with_its_coverage(case: tuple[Path, Path], vocabulary: Vocabulary) -> None:
    report = run(vocabulary, *case)
    assert report.ok, report.render()
    assert (report.sources_checked, report.quotes_checked) == (1, 4)
    assert report.coverage == {"SourceT": {"units": 7, "with statements": 5, "navigation": 0, "heading": 1,
                                           "reference-list": 1, "repeats": 0, "no-claim": 0, "statements": 4}}
    table = report.table()
    assert table.splitlines()[0].split() == ["source", "units", "with", "statements", "navigation", "heading",
                                             "reference-list", "repeats", "no-claim", "statements"]
    assert table.splitlines()[1].split() == ["SourceT", "7", "5", "0", "1", "1", "0", "0", "4"]


def test_a_unit_without_an_entry_is_named(case: tuple[Path, Path], vocabulary: Vocabulary) -> None:
    curation, texts = case
    text = ledger(curation).read_text(encoding="utf-8")
    ledger(curation).write_text(text[: text.index("- unit: 7")], encoding="utf-8")  # the last entry goes
    report = run(vocabulary, curation, texts)
    assert report.problems == [
        f"SourceT unit 7 (line 8) “Author A. A paper on …”: no ledger entry in {ledger(curation)}"]
    assert "0 unaccounted" not in report.render() and "1 unaccounted" in report.render()


def test_a_stale_digest_is_named(case: tuple[Path, Path], vocabulary: Vocabulary) -> None:
    curation, texts = case
    edit(ledger(curation), "e27cc4435dd1ddae5d47122d65c8468c5cd40f25b770c0f55d49a6f3cfc76d7e", "0" * 64)
    (problem,) = run(vocabulary, curation, texts).problems
    assert re.fullmatch(rf"{re.escape(str(ledger(curation)))}:\d+: SourceT unit 3 \(line 3\) “Putaminal lesions may "
                        r"give limb …”: stale digest 000000000000… \(the text's unit has e27cc4435dd1…\)", problem)


def test_a_changed_text_makes_its_units_stale(case: tuple[Path, Path], vocabulary: Vocabulary) -> None:
    curation, texts = case
    notes = texts / "notes.txt"
    notes.write_text(notes.read_text().replace("may give", "can give"))
    edit(curation / "sources.yaml", "d5ca7636b95f8d3b8ea3605250f285afff5b0222af642a484b25dd0d1538e12e",
         hashlib.sha256(notes.read_bytes()).hexdigest())
    edit(curation / "statements" / "notes.yaml", "Putaminal lesions may give", "Putaminal lesions can give")
    problems = run(vocabulary, curation, texts).problems
    assert len(problems) == 1 and "unit 3" in problems[0] and "stale digest" in problems[0]


def test_a_misplaced_statement_is_named(case: tuple[Path, Path], vocabulary: Vocabulary) -> None:
    curation, texts = case
    # units 3 and 6 swap their statements: unit 3 lists T4, unit 6 lists T2
    edit(ledger(curation), "[T2]", "[TX]")
    edit(ledger(curation), "[T4]", "[T2]")
    edit(ledger(curation), "[TX]", "[T4]")
    problems = run(vocabulary, curation, texts).problems
    assert any(re.search(r"SourceT unit 3 \(line 3\) “Putaminal lesions may give limb …” lists T4, but its quote "
                         r"is not inside that unit \(it is in unit 6\)", p) for p in problems), problems
    assert any("SourceT unit 6 (line 6) “Blepharospasm affects the eyelids.” lists T2, but its quote is not inside"
               in p for p in problems), problems


def test_a_quote_in_no_unit_that_lists_it(case: tuple[Path, Path], vocabulary: Vocabulary) -> None:
    """A statement listed elsewhere only: a reference-list title taken for a claim (as S0037 was)."""
    curation, texts = case
    edit(curation / "statements" / "notes.yaml", "quote: Blepharospasm affects the eyelids.",
         "quote: A paper on thalamic lesions.")
    problems = run(vocabulary, curation, texts).problems
    assert "T4: its quote is in no unit that lists it; it is in SourceT unit 7 (line 8) “Author A. A paper on …”" \
        in problems
    assert any("unit 6" in p and "lists T4, but its quote is not inside that unit (it is in unit 7)" in p
               for p in problems)


def test_a_quote_spanning_two_units_is_listed_by_both(case: tuple[Path, Path], vocabulary: Vocabulary) -> None:
    curation, texts = case
    edit(ledger(curation), "  statements: [T3]\n", '  reason: "no-claim: says nothing of its own here"\n')
    problems = run(vocabulary, curation, texts).problems
    assert problems == ["T3: its quote spans units 4, 5 of SourceT: list it in each, and only there"]


def test_a_footnote_marker_the_ledger_misses(case: tuple[Path, Path], vocabulary: Vocabulary) -> None:
    curation, texts = case
    edit(ledger(curation), '  marker: "1"\n', "")
    edit(curation / "statements" / "notes.yaml", "  citation: PaperA\n  evidence: ECO:0000304",
         "  evidence: ECO:0000302")
    (problem,) = run(vocabulary, curation, texts).problems
    assert "unit 2" in problem and "generated fields differ from the text (marker None vs '1')" in problem


def test_quote_not_in_source_fails(case: tuple[Path, Path], vocabulary: Vocabulary) -> None:
    curation, texts = case
    edit(curation / "statements" / "notes.yaml", "quote: Putaminal lesions may give limb dystonia.",
         "quote: Putaminal lesions always give limb dystonia.")
    problems = run(vocabulary, curation, texts).problems
    assert problems == ["dkg:T2: quote not found in dkg:SourceT: 'Putaminal lesions always give limb dystonia.'"]


def test_digest_mismatch_fails_and_names_the_file(case: tuple[Path, Path], vocabulary: Vocabulary) -> None:
    curation, texts = case
    edit(curation / "sources.yaml", "d5ca7636b95f8d3b8ea3605250f285afff5b0222af642a484b25dd0d1538e12e", "0" * 64)
    problems = run(vocabulary, curation, texts).problems
    assert len(problems) == 1
    assert "dkg:SourceT: no file" in problems[0] and "notes.txt has sha256" in problems[0]


def test_missing_folder_is_a_problem(case: tuple[Path, Path], vocabulary: Vocabulary) -> None:
    curation, texts = case
    assert not run(vocabulary, curation, texts.parent / "nowhere").ok


def test_the_command_prints_the_table_and_fails_on_a_problem(case: tuple[Path, Path],
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    curation, texts = case
    assert main(["--curation", str(curation), "audit", "--sources", str(texts)]) == 0
    out = capsys.readouterr().out
    assert "7 ledger unit(s), 0 unaccounted: all match" in out and out.splitlines()[-1].startswith("total")
    edit(ledger(curation), "d05be43fcfa16f37753ae2f25fa0754a0132356a8deaca6f1b67bcc6eef1b9ec", "f" * 64)
    assert main(["--curation", str(curation), "audit", "--sources", str(texts)]) == 1
    assert "stale digest" in capsys.readouterr().out


def test_normalise_collapses_all_whitespace() -> None:
    assert normalise(" a\n\t b  c ") == "a b c"


def test_a_statement_no_unit_lists_fails_the_build(case: tuple[Path, Path], vocabulary: Vocabulary) -> None:
    """Needs no text: the build itself refuses a statement the ledger does not account for."""
    curation, _ = case
    edit(ledger(curation), "  statements: [T4]\n", '  reason: "navigation"\n')
    with pytest.raises(CurationError, match=r"T4 \(derived from SourceT\) is listed by no unit"):
        assemble_curated(vocabulary, curation)
