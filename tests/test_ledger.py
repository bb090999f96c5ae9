"""The sentence ledger files: what the build checks without the texts, and the skeleton writer.

Malformed entries fail with ``file:line: problem``; the build cross-checks the ledger with the
statements (IDs, sources, citations); the writer keeps curated fields and leaves new units open.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from graph.assemble import Vocabulary, assemble_curated, load_ontology
from graph.build import Sources, build
from graph.ledger import coverage, load_ledger
from graph.ledger_writer import write_ledgers
from graph.paths import CURATION_DIR
from graph.records import CurationError
from graph.vocab import DKG

from .conftest import DATA, quiet

AUDIT = DATA / "audit"


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return Vocabulary.from_ontology(load_ontology())


@pytest.fixture()
def curation(tmp_path: Path) -> Path:
    shutil.copytree(AUDIT, tmp_path / "audit")
    return tmp_path / "audit" / "curation"


def ledger_path(curation: Path) -> Path:
    return curation / "ledger" / "SourceT.yaml"


def replace(path: Path, old: str, new: str) -> int:
    """Replace the first ``old`` and return the 1-based line it was on."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def problems_of(path: Path) -> str:
    with pytest.raises(CurationError) as caught:
        load_ledger(path)
    return str(caught.value)


def test_the_test_ledger_loads(curation: Path) -> None:
    ledger = load_ledger(ledger_path(curation))
    assert ledger.source == "SourceT" and ledger.footnotes == {"1": "PaperA"}
    assert [e.position for e in ledger.entries] == list(range(1, 8))
    assert ledger.listed()["T3"][0].position == 4 and len(ledger.listed()["T3"]) == 2
    assert coverage(ledger)["statements"] == 4


@pytest.mark.parametrize(("old", "new", "message", "where"), [
    ('  reason: "heading"\n', '  reason: "boring"\n', "reason 'boring' is not one of", None),
    ('  reason: "heading"\n', '  reason: "no-claim: "\n', "is not one of", None),
    ('  reason: "heading"\n', '  reason: "heading"\n  statements: [T1]\n', "give either 'statements'", None),
    ('  reason: "heading"\n', '', "give either 'statements'", None),
    ('  reason: "heading"\n', '  reason: "repeats 7"\n', "unit 7 lists no statements", None),
    ('  reason: "heading"\n', '  reason: "repeats 7, 8"\n', "unit 7 lists no statements", None),
    ('  reason: "heading"\n', '  reason: "repeats 7,8"\n', "is not one of", None),
    ('  reason: "heading"\n', '  reason: "heading"\n  note: hi\n', "unknown field 'note'", None),
    ('  statements: [T2]\n', '  statements: [T2, T2]\n', "an ID is listed twice", None),
    ('  statements: [T2]\n', '  statements: []\n', "expected a non-empty list of IDs", None),
    ('sha256: "e27cc', 'sha256: "E27CC', "not 64 lowercase hexadecimal", None),
    ('  marker: "1"\n', '  marker: 1\n', 'expected a quoted footnote number', None),
    ('  "1": PaperA\n', '  "2": PaperA\n', 'marker 1: the ledger\'s footnotes do not resolve it', '  marker: "1"'),
    ('- unit: 3\n', '- unit: 4\n', "unit 4: expected unit 3 here", None),
    ('  reason: "reference-list"\n', '  reason: "reference-list"\n  statements: [T4]\n', "give either", None),
])
def test_a_malformed_entry_names_file_and_line(curation: Path, old: str, new: str, message: str,
                                               where: str | None) -> None:
    """The problem is located at the edited field, or at the start of its entry (or at ``where``)."""
    path = ledger_path(curation)
    line = replace(path, old, new)
    lines = path.read_text(encoding="utf-8").splitlines()
    if where is not None:
        expected = {lines.index(where) + 1}
    else:
        entry = max(i for i in range(line - 1) if lines[i].startswith(("- unit:", "source:"))) + 1
        expected = {entry, *range(line, line + max(1, new.count("\n")))}
    text = problems_of(path)
    assert message in text, text
    located = [p for p in text.splitlines() if message in p]
    assert located and located[0].startswith(f"{path}:"), text
    number = int(located[0][len(str(path)) + 1:].split(":", 1)[0])
    assert number in expected, f"problem at line {number}, expected one of {sorted(expected)}"


def test_yaml_syntax_error_names_the_line(curation: Path) -> None:
    path = ledger_path(curation)
    line = replace(path, "  statements: [T2]\n", "  statements: [T2\n")
    assert f"{path}:" in problems_of(path) and "YAML syntax" in problems_of(path)
    assert line > 1


@pytest.mark.parametrize(("edit", "message"), [
    (('  statements: [T2]\n', '  statements: [T2, S0001]\n'), "S0001 is not a statement derived from SourceT"),
    (('  "1": PaperA\n', '  "1": NoSuchPaper\n'), "footnotes: 1: NoSuchPaper is not a declared citation"),
    (('  statements: [T4]\n', '  reason: "heading"\n'), "T4 (derived from SourceT) is listed by no unit"),
    (('source: SourceT\n', 'source: SourceX\n'), "SourceX is not a declared source document"),
])
def test_the_build_cross_checks_the_ledger(curation: Path, vocabulary: Vocabulary, edit: tuple[str, str],
                                           message: str) -> None:
    replace(ledger_path(curation), *edit)
    with pytest.raises(CurationError) as caught:
        assemble_curated(vocabulary, curation)
    assert message in str(caught.value)
    assert str(ledger_path(curation)) in str(caught.value)


def test_a_source_without_a_ledger_fails_the_build(curation: Path, vocabulary: Vocabulary) -> None:
    ledger_path(curation).unlink()
    with pytest.raises(CurationError, match=r"sources\.yaml:\d+: SourceT has no sentence ledger"):
        assemble_curated(vocabulary, curation)


def test_units_go_into_the_curated_graph(curation: Path, vocabulary: Vocabulary) -> None:
    graph = assemble_curated(vocabulary, curation)
    rows = {(str(r[0]).rsplit("/", 1)[-1], str(r[1])) for r in graph.query(
        "SELECT ?unit ?what WHERE { ?unit a dkg:TextUnit . "
        "{ ?unit dkg:captures ?what } UNION "
        "{ ?unit dkg:exclusionReason ?what } UNION "
        "{ ?unit dkg:footnoteCitation ?what } }", initNs={"dkg": DKG})}
    assert ("SourceT-U002", str(DKG.T1)) in rows
    assert ("SourceT-U002", str(DKG.PaperA)) in rows
    assert ("SourceT-U007", "reference-list") in rows
    assert not any("Thalamic" in what for _, what in rows), "no unit text goes into the graph"


def test_the_writer_keeps_curated_fields_and_leaves_new_units_open(curation: Path) -> None:
    texts = curation.parent / "texts"
    before = ledger_path(curation).read_text(encoding="utf-8")
    assert write_ledgers(curation, texts) == [f"{ledger_path(curation)}: 7 unit(s), 0 without statements or a reason"]
    assert ledger_path(curation).read_text(encoding="utf-8") == before, "rewriting an unchanged text changes nothing"
    notes = texts / "notes.txt"
    notes.write_text("A new first line.\n" + notes.read_text())
    replace(curation / "sources.yaml", "d5ca7636b95f8d3b8ea3605250f285afff5b0222af642a484b25dd0d1538e12e",
            __import__("hashlib").sha256(notes.read_bytes()).hexdigest())
    assert write_ledgers(curation, texts) == [f"{ledger_path(curation)}: 8 unit(s), 1 without statements or a reason"]
    units = yaml.safe_load(ledger_path(curation).read_text())["units"]
    assert units[0]["opening"] == "A new first line." and "reason" not in units[0] and "statements" not in units[0]
    assert units[2]["statements"] == ["T1"] and units[2]["unit"] == 3 and units[2]["marker"] == "1"
    assert "give either 'statements'" in problems_of(ledger_path(curation))  # the build refuses it until curated


def test_a_malformed_ledger_fails_the_build_and_keeps_the_release(release_copy: Path, tmp_path: Path) -> None:
    release = release_copy
    before = (release / "current").resolve()
    curation = tmp_path / "curation"
    shutil.copytree(CURATION_DIR, curation)
    path = curation / "ledger" / "Source000.yaml"
    line = replace(path, '  reason: "heading"\n', '  reason: "boilerplate"\n')
    with pytest.raises(CurationError) as caught:
        build(release, quiet, Sources(curation_dir=curation, with_hpo=False))
    assert f"{path}:{line}: reason 'boilerplate' is not one of" in str(caught.value)
    assert (release / "current").resolve() == before
