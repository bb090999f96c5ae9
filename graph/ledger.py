"""The sentence ledger: every unit of every source text, with the statements that capture it or why none does.

One YAML file per source document, ``graph/curation/ledger/<SourceID>.yaml``::

    source: Source000
    footnotes:                 # curated: the source's numbered references
      "1": SchneiderBhatia2010
      "4": unlisted            # a number the source's reference list does not resolve
    units:
    - unit: 1                  # generated (DO NOT EDIT): position, line, opening words, digest, marker
      line: 1
      opening: "Lesions in the basal ganglia, …"
      sha256: "5d3c…"
      marker: "1"
      statements: [S0001, S0002]   # curated: one statement per claim …
    - unit: 2
      …
      reason: heading              # … or one reason from the fixed vocabulary below

The units are those of :func:`graph.segment.segment`; ``dystonia-kg ledger --sources DIR`` writes
the generated fields and keeps the curated ones. The build reads the ledger without the texts
(statement IDs, footnotes, reasons); ``dystonia-kg audit --sources DIR`` checks it against them.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, XSD, Graph, Literal, URIRef

from .records import CurationError, Problem, Record, load_header_and_list
from .vocab import DKG

LEDGER_FOLDER = "ledger"
UNLISTED = "unlisted"  # a footnote number the source's reference list does not resolve
# The fixed vocabulary of reasons for a unit that no statement captures.
PLAIN_REASONS = ("navigation", "heading", "reference-list")
REASON_KINDS = (*PLAIN_REASONS, "repeats", "no-claim")
_REPEATS = re.compile(r"^repeats (\d+(?:, \d+)*)$")  # one unit, or several: "repeats 14, 15"
_NO_CLAIM = re.compile(r"^no-claim: (\S.{9,})$")  # the why: at least ten characters
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_UNIT_KEYS = ("unit", "line", "opening", "sha256", "marker", "statements", "reason")


@dataclass(frozen=True)
class Entry:
    """One unit's ledger entry."""

    record: Record
    position: int
    line: int
    opening: str
    sha256: str
    marker: str | None
    statements: tuple[str, ...]
    reason: str | None

    @property
    def reason_kind(self) -> str | None:
        """``navigation``, ``heading``, ``reference-list``, ``repeats`` or ``no-claim`` (None if captured)."""
        if self.reason is None:
            return None
        return self.reason.split(" ", 1)[0].rstrip(":")

    def where(self) -> str:
        """``file:line`` of the entry."""
        return f"{self.record.file}:{self.record.line}"


@dataclass(frozen=True)
class Ledger:
    """The ledger of one source document."""

    path: Path
    source: str
    footnotes: dict[str, str | None]  # footnote number -> citation ID, or None when unlisted
    footnotes_line: int
    entries: list[Entry]

    def by_position(self) -> dict[int, Entry]:
        """Entries keyed by unit position."""
        return {e.position: e for e in self.entries}

    def listed(self) -> dict[str, list[Entry]]:
        """Statement ID -> the entries that list it, in order."""
        found: dict[str, list[Entry]] = {}
        for entry in self.entries:
            for ident in entry.statements:
                found.setdefault(ident, []).append(entry)
        return found


def _reason_problem(reason: str) -> str | None:
    if reason in PLAIN_REASONS or _REPEATS.match(reason) or _NO_CLAIM.match(reason):
        return None
    return (f"reason {reason!r} is not one of: {', '.join(PLAIN_REASONS)}, 'repeats <unit>[, <unit>...]', "
            "'no-claim: <why, in words>'")


def _entry(record: Record, problems: list[Problem]) -> Entry | None:
    fields = record.fields
    for key in fields:
        if key not in _UNIT_KEYS:
            problems.append(record.problem(f"unknown field {key!r} (allowed: {', '.join(_UNIT_KEYS)})", key))
    position, line, opening, sha = (fields.get(k) for k in ("unit", "line", "opening", "sha256"))
    ok = True
    for key, value, kind in (("unit", position, int), ("line", line, int), ("opening", opening, str),
                             ("sha256", sha, str)):
        if not isinstance(value, kind) or isinstance(value, bool):
            problems.append(record.problem(f"{key}: expected {kind.__name__}, got {value!r}", key))
            ok = False
    if isinstance(sha, str) and not _SHA256.match(sha):
        problems.append(record.problem("sha256: not 64 lowercase hexadecimal characters", "sha256"))
        ok = False
    marker = fields.get("marker")
    if marker is not None and not (isinstance(marker, str) and marker.isdigit()):
        problems.append(record.problem(f"marker: expected a quoted footnote number such as \"1\", got {marker!r}",
                                       "marker"))
        ok = False
    statements = fields.get("statements")
    reason = fields.get("reason")
    if (statements is None) == (reason is None):
        problems.append(record.problem("give either 'statements' (the IDs that capture the unit) or a 'reason'"))
        return None
    if statements is not None:
        if not (isinstance(statements, list) and statements
                and all(isinstance(s, str) and s.isidentifier() for s in statements)):
            problems.append(record.problem(f"statements: expected a non-empty list of IDs, got {statements!r}",
                                           "statements"))
            return None
        if len(set(statements)) != len(statements):
            problems.append(record.problem("statements: an ID is listed twice", "statements"))
    if reason is not None:
        message = _reason_problem(reason) if isinstance(reason, str) else f"reason: expected text, got {reason!r}"
        if message:
            problems.append(record.problem(message, "reason"))
            return None
    if not ok:
        return None
    assert isinstance(position, int) and isinstance(line, int) and isinstance(opening, str) and isinstance(sha, str)
    return Entry(record, position, line, opening, sha, marker, tuple(statements or ()), reason)


def load_ledger(path: Path) -> Ledger:
    """Read and check one ledger file; raise ``CurationError`` listing every problem (``file:line``)."""
    header, records = load_header_and_list(path, "units")
    problems: list[Problem] = []
    for key in header.fields:
        if key not in ("source", "footnotes"):
            problems.append(header.problem(f"unknown header field {key!r} (allowed: source, footnotes, units)", key))
    source = header.fields.get("source")
    if not (isinstance(source, str) and source.isidentifier()):
        problems.append(header.problem(f"source: expected a source ID, got {source!r}", "source"))
    raw_notes = header.fields.get("footnotes") or {}
    footnotes: dict[str, str | None] = {}
    if not isinstance(raw_notes, dict):
        problems.append(header.problem("footnotes: expected a mapping of footnote number to citation ID", "footnotes"))
    else:
        for number, target in raw_notes.items():
            if not (isinstance(number, str) and number.isdigit()) or not (
                    isinstance(target, str) and target.isidentifier()):
                problems.append(header.problem(
                    f"footnotes: {number!r}: {target!r}: expected \"N\": CitationID or \"N\": {UNLISTED}", "footnotes"))
                continue
            footnotes[number] = None if target == UNLISTED else target
    entries = [e for e in (_entry(r, problems) for r in records) if e is not None]
    problems += _check_entries(entries, footnotes, header)
    if problems:
        raise CurationError(problems)
    assert isinstance(source, str)
    return Ledger(path, source, footnotes, header.field_lines.get("footnotes", 1), entries)


def _check_entries(entries: list[Entry], footnotes: dict[str, str | None], header: Record) -> list[Problem]:
    """Checks that need all entries: positions in order, repeats that point somewhere, footnotes resolved."""
    problems: list[Problem] = []
    expected = 1
    for entry in entries:
        if entry.position != expected:
            problems.append(entry.record.problem(f"unit {entry.position}: expected unit {expected} here "
                                                 "(entries follow the text, one per unit)", "unit"))
        expected = entry.position + 1
    captured = {e.position for e in entries if e.statements}
    for entry in entries:
        match = _REPEATS.match(entry.reason or "")
        repeated = [int(n) for n in match.group(1).split(", ")] if match else []
        for unit in repeated:
            if unit not in captured:
                problems.append(entry.record.problem(
                    f"reason: unit {unit} lists no statements, so 'repeats' points at no claim", "reason"))
        if entry.position in repeated:
            problems.append(entry.record.problem("reason: a unit cannot repeat itself", "reason"))
        if len(set(repeated)) != len(repeated):
            problems.append(entry.record.problem("reason: a unit is named twice after 'repeats'", "reason"))
        if entry.marker is not None and entry.marker not in footnotes:
            problems.append(entry.record.problem(
                f"marker {entry.marker}: the ledger's footnotes do not resolve it (add \"{entry.marker}\": "
                f"CitationID, or {UNLISTED})", "marker"))
        if entry.reason_kind == "reference-list" and entry.statements:
            problems.append(entry.record.problem("a reference-list unit cannot capture statements", "statements"))
    return problems


def ledger_files(curation_dir: Path) -> list[Path]:
    """The ledger files, in a stable order."""
    return sorted((curation_dir / LEDGER_FOLDER).glob("*.yaml"))


def load_ledgers(curation_dir: Path) -> dict[str, Ledger]:
    """Every ledger of ``curation_dir``, keyed by source ID; all problems of all files in one error."""
    ledgers: dict[str, Ledger] = {}
    problems: list[Problem] = []
    for path in ledger_files(curation_dir):
        try:
            ledger = load_ledger(path)
        except CurationError as exc:
            problems += exc.problems
            continue
        if ledger.source in ledgers:
            problems.append(Problem(path, 1, f"a second ledger for {ledger.source} "
                                             f"(the first is {ledgers[ledger.source].path})"))
        ledgers[ledger.source] = ledger
    if problems:
        raise CurationError(problems)
    return ledgers


def unit_iri(source: str, position: int) -> URIRef:
    """The IRI of a source's unit: ``dkg:<Source>-U<position>``."""
    return DKG[f"{source}-U{position:03d}"]


def add_units(graph: Graph, ledger: Ledger) -> None:
    """Add the ledger's units to ``graph``: digest, position, footnote, reason and captured statements.

    The text of a unit is never added: its digest and the statements' quotes stand for it.
    """
    source = DKG[ledger.source]
    for entry in ledger.entries:
        unit = unit_iri(ledger.source, entry.position)
        graph.add((unit, RDF.type, DKG.TextUnit))
        graph.add((unit, DKG.unitOf, source))
        graph.add((unit, DKG.position, Literal(entry.position, datatype=XSD.integer)))
        graph.add((unit, DKG.sha256, Literal(entry.sha256)))
        if entry.marker is not None:
            graph.add((unit, DKG.footnoteMarker, Literal(entry.marker)))
            citation = ledger.footnotes.get(entry.marker)
            if citation is not None:
                graph.add((unit, DKG.footnoteCitation, DKG[citation]))
        if entry.reason is not None:
            graph.add((unit, DKG.exclusionReason, Literal(entry.reason)))
        for ident in entry.statements:
            graph.add((unit, DKG.captures, DKG[ident]))


def coverage(ledger: Ledger) -> dict[str, int]:
    """Counts for the coverage table: units, units with statements, units excluded by reason, statements."""
    reasons = Counter(e.reason_kind for e in ledger.entries if e.reason_kind)
    return {
        "units": len(ledger.entries),
        "with statements": sum(1 for e in ledger.entries if e.statements),
        **{kind: reasons.get(kind, 0) for kind in REASON_KINDS},
        "statements": len(ledger.listed()),
    }

