"""The QC checks (``queries/*-violation.rq``): each fires on its fixture, none fires on the shipped graph.

A fixture ``tests/data/qc/<check>.ttl`` is a small Turtle graph built to break the check; its header
names every node the check must report, one ``# expect-focus: CURIE`` line each, and holds
near-misses that it must not report.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from graph.query import named_query
from graph.store import EmbeddedStore, open_store
from graph.validate import qc_query_files, qc_violations
from graph.vocab import BASE

ROOT = Path(__file__).resolve().parent.parent
QUERIES_DIR = ROOT / "queries"
FIXTURES = Path(__file__).resolve().parent / "data" / "qc"
CHECKS = qc_query_files(QUERIES_DIR)
IDS = [p.name.removesuffix(".rq") for p in CHECKS]
_EXPECT = re.compile(r"^#\s*expect-focus:\s*(\S+)\s*$")


def expected_foci(fixture: Path) -> set[str]:
    """The ``# expect-focus:`` CURIEs of a fixture's header."""
    found = set()
    for line in fixture.read_text(encoding="utf-8").splitlines():
        match = _EXPECT.match(line)
        if match:
            found.add(match.group(1))
    return found


def fixture_store(fixture: Path) -> EmbeddedStore:
    store = open_store("memory:")
    store.load(fixture.read_bytes(), "ttl", base_iri=BASE)
    return store


def test_there_are_qc_checks() -> None:
    assert len(CHECKS) >= 6, f"only {len(CHECKS)} QC checks in {QUERIES_DIR}"


def test_no_fixture_without_check() -> None:
    orphans = sorted(p.name for p in FIXTURES.glob("*.ttl") if p.name.removesuffix(".ttl") not in IDS)
    assert not orphans, f"fixtures without a QC query: {orphans}"


@pytest.mark.parametrize("check", CHECKS, ids=IDS)
def test_check_has_header_and_fixture(check: Path) -> None:
    query = named_query(check)
    assert query.title != query.name and query.question, f"{check.name}: no '# title:' / '# question:' header"
    fixture = FIXTURES / f"{query.name}.ttl"
    assert fixture.is_file(), f"no fixture {fixture} that makes {check.name} fire"
    assert expected_foci(fixture), f"{fixture.name}: no '# expect-focus: CURIE' line"


@pytest.mark.parametrize("check", CHECKS, ids=IDS)
def test_check_fires_on_fixture(check: Path) -> None:
    """Run as the build runs it (its own PREFIX declarations only): exactly the expected foci."""
    name = check.name.removesuffix(".rq")
    fixture = FIXTURES / f"{name}.ttl"
    if not fixture.is_file():
        pytest.fail(f"no fixture {fixture}")
    expected = expected_foci(fixture)
    found = qc_violations(fixture_store(fixture), queries_dir=QUERIES_DIR)
    violations = [v for v in found if v.check == name]
    assert violations, f"{name} does not fire on its fixture"
    assert {v.focus for v in violations} == expected
    assert all(v.message and v.message != "QC check fired" for v in violations), "every row needs a ?message"


def test_shipped_release_has_no_qc_violations(assembled_store: EmbeddedStore) -> None:
    """The QC queries over what the build checks: the assembled graphs (HPO itself left out)."""
    violations = qc_violations(assembled_store, queries_dir=QUERIES_DIR)
    assert not violations, "\n".join(str(v) for v in violations)
