"""Write the generated part of the sentence ledgers: one entry per unit of each source text.

``dystonia-kg ledger --sources DIR`` segments each source (found by the digest recorded in
``sources.yaml``) and rewrites ``graph/curation/ledger/<SourceID>.yaml``: position, line, opening
words, digest and footnote marker of every unit. The curated fields (``footnotes``, and each
entry's ``statements`` or ``reason``) are kept for every unit whose digest is unchanged; a new or
changed unit gets neither, so the build fails until a curator accounts for it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from .ledger import LEDGER_FOLDER, UNLISTED
from .records import CurationError, load_record_list
from .segment import Unit, files_by_digest, segment

HEADER = """Sentence ledger of {source} ({file}): every unit of its text, in order.
Generated fields (unit, line, opening, sha256, marker): DO NOT EDIT; `dystonia-kg ledger --sources DIR`
rewrites them from the text (units: graph/segment.py). Curated: footnotes, and for each unit either
`statements` (one statement per claim) or a `reason`: navigation, heading, reference-list,
"repeats <unit>[, <unit>...]" or "no-claim: <why>"."""


def _curated(path: Path) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    """The curated fields of an existing ledger, read leniently (entries may still lack them)."""
    if not path.is_file():
        return {}, {}
    root = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    notes = {str(k): str(v) for k, v in (root.get("footnotes") or {}).items()}
    kept = {}
    for entry in root.get("units") or []:
        fields = {k: entry[k] for k in ("statements", "reason") if k in entry}
        if fields and isinstance(entry.get("sha256"), str):
            kept[entry["sha256"]] = fields
    return notes, kept


def render(source: str, file: str, units: list[Unit], footnotes: dict[str, str],
           curated: dict[str, dict[str, Any]]) -> str:
    """The text of a ledger file for ``units``, with the curated fields kept by digest."""
    lines = [f"# {line}".rstrip() for line in HEADER.format(source=source, file=file).splitlines()]
    lines.append(f"source: {source}")
    if footnotes:
        lines.append("footnotes:")
        lines += [f"  {json.dumps(n)}: {footnotes[n] or UNLISTED}" for n in sorted(footnotes, key=int)]
    lines.append("units:")
    for unit in units:
        # JSON strings are valid YAML double-quoted scalars.
        lines += [f"- unit: {unit.position}", f"  line: {unit.line}",
                  f"  opening: {json.dumps(unit.opening, ensure_ascii=False)}", f"  sha256: \"{unit.sha256}\""]
        if unit.marker is not None:
            lines.append(f"  marker: \"{unit.marker}\"")
        kept = curated.get(unit.sha256, {})
        if isinstance(kept.get("statements"), list):
            lines.append(f"  statements: [{', '.join(str(s) for s in kept['statements'])}]")
        elif isinstance(kept.get("reason"), str):
            lines.append(f"  reason: {json.dumps(kept['reason'], ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def write_ledgers(curation_dir: Path, sources_dir: Path, only: list[str] | None = None) -> list[str]:
    """Rewrite the ledgers of the sources found in ``sources_dir``; one report line per source."""
    if not sources_dir.is_dir():
        raise FileNotFoundError(f"{sources_dir}: not a folder")
    by_digest = files_by_digest(sources_dir)
    folder = curation_dir / LEDGER_FOLDER
    folder.mkdir(exist_ok=True)
    report = []
    for record in load_record_list(curation_dir / "sources.yaml"):
        ident, digest = record.fields.get("id"), record.fields.get("sha256")
        if only and ident not in only:
            continue
        text_file = by_digest.get(str(digest))
        if text_file is None:
            raise CurationError([record.problem(f"no file in {sources_dir} has the sha256 of {ident}", "sha256")])
        units = segment(text_file.read_text(encoding="utf-8"))
        path = folder / f"{ident}.yaml"
        footnotes, curated = _curated(path)
        path.write_text(render(str(ident), text_file.name, units, footnotes, curated), encoding="utf-8")
        missing = sum(1 for u in units if u.sha256 not in curated)
        report.append(f"{path}: {len(units)} unit(s), {missing} without statements or a reason")
    return report

