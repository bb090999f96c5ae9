"""Audit the curation against a folder of source texts: digests, quotes, and the sentence ledger.

The project stores each source's SHA-256, not its text; the audit finds each source's file by
digest and checks that

- every quote occurs in its source verbatim (whitespace-normalised);
- every unit of the text (:func:`graph.segment.segment`) has a ledger entry, in order, whose digest
  and footnote marker are those of the unit;
- every statement is listed by exactly the units its quote lies in: an entry that names a statement
  whose quote is not inside that unit, and a statement whose quote is in no unit that lists it,
  both fail.

It also counts, per source, units, units with statements, units excluded by reason, and statements.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, Graph, URIRef

from .ledger import REASON_KINDS, Ledger, coverage
from .segment import Unit, files_by_digest, normalise, segment
from .vocab import DKG, PROV, compact

__all__ = ["AuditReport", "audit", "normalise"]


@dataclass(frozen=True)
class AuditReport:
    """What the audit checked, what failed, and the ledger's coverage per source."""

    sources_checked: int
    quotes_checked: int
    problems: list[str]
    coverage: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when nothing failed."""
        return not self.problems

    def table(self) -> str:
        """The coverage table: one row per source and a total row."""
        columns = ["units", "with statements", *REASON_KINDS, "statements"]
        rows = [[source, *(str(counts[c]) for c in columns)] for source, counts in sorted(self.coverage.items())]
        if not rows:
            return ""
        rows.append(["total", *(str(sum(c[k] for c in self.coverage.values())) for k in columns)])
        header = ["source", *columns]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        lines = ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths,
                                                                                                       strict=True)))
                 for row in [header, *rows]]
        return "\n".join(lines) + "\n"

    def render(self) -> str:
        """Human-readable summary: the problems, one a line, then the coverage table."""
        head = f"audit: {self.sources_checked} source(s), {self.quotes_checked} quote(s) checked"
        if self.coverage:
            unaccounted = sum(1 for p in self.problems if "no ledger entry" in p)
            head += f", {sum(c['units'] for c in self.coverage.values())} ledger unit(s), {unaccounted} unaccounted"
        body = ": all match\n" if self.ok else f": {len(self.problems)} problem(s)\n" + "".join(
            f"  {p}\n" for p in self.problems)
        return head + body + self.table()


def _named(source: str, unit: Unit) -> str:
    return f"{source} unit {unit.position} (line {unit.line}) “{unit.opening}”"


def _occurrences(quote: str, units: list[Unit]) -> list[frozenset[int]]:
    """For each place ``quote`` occurs in the units' joined text, the positions of the units it overlaps."""
    starts, joined, offset = [], [], 0
    for unit in units:
        starts.append(offset)
        joined.append(unit.text)
        offset += len(unit.text) + 1
    text = " ".join(joined)
    found: list[frozenset[int]] = []
    at = text.find(quote)
    while at >= 0:
        end = at + len(quote)
        found.append(frozenset(u.position for u, s in zip(units, starts, strict=True)
                               if s < end and at < s + len(u.text)))
        at = text.find(quote, at + 1)
    return found


def check_ledger(ledger: Ledger, text: str, quotes: dict[str, str]) -> list[str]:
    """Problems of one source's ledger against its text; ``quotes`` maps statement ID -> quote."""
    units = segment(text)
    entries = ledger.by_position()
    by_position = {u.position: u for u in units}
    problems: list[str] = []
    for unit in units:
        entry = entries.get(unit.position)
        if entry is None:
            problems.append(f"{_named(ledger.source, unit)}: no ledger entry in {ledger.path}")
        elif entry.sha256 != unit.sha256:
            problems.append(f"{entry.where()}: {_named(ledger.source, unit)}: stale digest "
                            f"{entry.sha256[:12]}… (the text's unit has {unit.sha256[:12]}…)")
        elif entry.marker != unit.marker or entry.opening != unit.opening or entry.line != unit.line:
            problems.append(f"{entry.where()}: {_named(ledger.source, unit)}: generated fields differ from the text "
                            f"(marker {entry.marker!r} vs {unit.marker!r}): rewrite them with `dystonia-kg ledger`")
    for position in sorted(set(entries) - set(by_position)):
        problems.append(f"{entries[position].where()}: {ledger.source} has no unit {position} "
                        f"(the text has {len(units)})")
    listed = ledger.listed()
    for ident, quote in sorted(quotes.items()):
        places = _occurrences(normalise(quote), units)
        at = frozenset(e.position for e in listed.get(ident, []))
        if not places or at in places:
            continue  # a quote not in the text is reported by the quote check
        inside = frozenset().union(*places)
        first = by_position[min(places[0])]
        for entry in listed.get(ident, []):
            if entry.position not in inside and entry.position in by_position:
                problems.append(f"{entry.where()}: {_named(ledger.source, by_position[entry.position])} lists "
                                f"{ident}, but its quote is not inside that unit (it is in unit "
                                f"{', '.join(str(p) for p in sorted(places[0]))})")
        if not at & inside:
            problems.append(f"{ident}: its quote is in no unit that lists it; it is in {_named(ledger.source, first)}")
        elif at <= inside:
            spans = ", ".join(str(p) for p in sorted(places[0]))
            problems.append(f"{ident}: its quote spans units {spans} of {ledger.source}: "
                            "list it in each, and only there")
    return problems


def audit(curated: Graph, sources_dir: Path, ledgers: dict[str, Ledger] | None = None) -> AuditReport:
    """Check digests, quotes and (when given) the sentence ledgers against the texts in ``sources_dir``."""
    if not sources_dir.is_dir():
        return AuditReport(0, 0, [f"{sources_dir}: not a folder"])
    by_digest = files_by_digest(sources_dir)
    problems: list[str] = []
    texts: dict[URIRef, str] = {}
    sources = sorted(s for s in curated.subjects(RDF.type, DKG.SourceDocument) if isinstance(s, URIRef))
    for source in sources:
        digest = str(curated.value(source, DKG.sha256) or "")
        hint = curated.value(source, DKG.fileName)
        path = by_digest.get(digest)
        if path is None:
            named = sources_dir / str(hint) if hint else None
            actual = hashlib.sha256(named.read_bytes()).hexdigest() if named and named.is_file() else None
            detail = f"; {hint} has sha256 {actual}" if actual else ""
            problems.append(f"{compact(source)}: no file in {sources_dir} has the recorded sha256 {digest}{detail}")
            continue
        texts[source] = path.read_text(encoding="utf-8")
    quotes = 0
    by_source: dict[URIRef, dict[str, str]] = {}
    for statement, quote in sorted(curated.subject_objects(DKG.quote)):
        quotes += 1
        derived = [s for s in curated.objects(statement, PROV.wasDerivedFrom) if isinstance(s, URIRef)]
        if not derived:
            problems.append(f"{compact(str(statement))}: no source document")
        for source in derived:
            by_source.setdefault(source, {})[str(statement)[len(str(DKG)):]] = str(quote)
            if source not in texts:
                continue  # its digest already failed above
            if normalise(str(quote)) not in normalise(texts[source]):
                problems.append(f"{compact(str(statement))}: quote not found in {compact(source)}: {str(quote)!r}")
    table: dict[str, dict[str, int]] = {}
    if ledgers is not None:
        for source in sources:
            name = compact(str(source)).removeprefix("dkg:")
            ledger = ledgers.get(name)
            if ledger is None:
                problems.append(f"{name}: no sentence ledger")
                continue
            table[name] = coverage(ledger)
            if source in texts:
                problems += check_ledger(ledger, texts[source], by_source.get(source, {}))
    return AuditReport(len(sources), quotes, problems, table)
