"""Audit the curated statements against a folder of source texts: every quote and every digest.

The project stores each source's SHA-256, not its text; the audit finds each source's file by
digest and checks that every quote occurs in it verbatim (whitespace-normalised).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, Graph, URIRef

from .vocab import DKG, PROV, compact

_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Collapse every run of whitespace to one space."""
    return _SPACE.sub(" ", text).strip()


@dataclass(frozen=True)
class AuditReport:
    """What the audit checked and what failed."""

    sources_checked: int
    quotes_checked: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        """True when nothing failed."""
        return not self.problems

    def render(self) -> str:
        """Human-readable summary, one line per problem."""
        head = f"audit: {self.sources_checked} source(s), {self.quotes_checked} quote(s) checked"
        if self.ok:
            return head + ": all match\n"
        return head + f": {len(self.problems)} problem(s)\n" + "".join(f"  {p}\n" for p in self.problems)


def audit(curated: Graph, sources_dir: Path) -> AuditReport:
    """Check digests and quotes of ``curated`` against the texts in ``sources_dir``."""
    if not sources_dir.is_dir():
        return AuditReport(0, 0, [f"{sources_dir}: not a folder"])
    by_digest = {hashlib.sha256(p.read_bytes()).hexdigest(): p for p in sorted(sources_dir.iterdir()) if p.is_file()}
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
        texts[source] = normalise(path.read_text(encoding="utf-8"))
    quotes = 0
    for statement, quote in sorted(curated.subject_objects(DKG.quote)):
        quotes += 1
        derived = [s for s in curated.objects(statement, PROV.wasDerivedFrom) if isinstance(s, URIRef)]
        if not derived:
            problems.append(f"{compact(str(statement))}: no source document")
        for source in derived:
            if source not in texts:
                continue  # its digest already failed above
            if normalise(str(quote)) not in texts[source]:
                problems.append(f"{compact(str(statement))}: quote not found in {compact(source)}: {str(quote)!r}")
    return AuditReport(len(sources), quotes, problems)
