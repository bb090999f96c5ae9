"""A synthetic curated layer for the cost curve: the shipped curation plus generated sources that copy its structure.

``synthesize(folder, factor)`` writes into ``folder`` a copy of ``graph/curation`` plus ``factor - 1`` synthetic
sources, so that the curated layer has ``factor`` times the shipped statements. Each synthetic source is one
generated text (``folder/texts``) that mirrors the shipped sentence ledgers, unit for unit and in their order:

- every shipped ledger unit becomes one line of text, a sentence drawn from a small template vocabulary (nothing of
  the shipped source texts is copied: the project does not even keep them), ending with the unit's footnote marker
  (renumbered, one number per shipped source and footnote) where the shipped unit has one;
- every shipped statement becomes a record of the same type with the same fields and terms (external terms,
  local terms, citations, evidence), a new ID (``Syn017S0201`` for S0201 in synthetic source 17), the references
  between statements (``hedgeRepresentedOn``) following their copies, and as its quote the text of the units that
  list it, verbatim; its curation note says whose copy it is;
- the unit's curated ledger fields follow the shipped ones (the statements' copies, or the same kind of reason);
  the generated fields are written by the project's own ledger writer from the text (``write_ledgers``).

The sentences carry no hedge word (the QC check of hedge words would want a qualifier), no full stop but the last
and never end in a number unless it is a footnote marker, so the segmenter cuts each line into one unit. The
sources are marked in their label, title and publisher as synthetic, with the SHA-256 of their text.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from graph.assemble import statement_files
from graph.ledger import UNLISTED, Entry, Ledger, load_ledgers
from graph.ledger_writer import write_ledgers
from graph.paths import CURATION_DIR
from graph.records import load_record_list, load_statement_file
from graph.segment import digest

# The template vocabulary: none of these is a hedge, frequency, certainty or scope word.
ADJECTIVES = ("amber", "brisk", "calm", "dense", "even", "faint", "gentle", "hollow", "ivory", "jagged", "keen",
              "level", "muted", "narrow", "oblique", "placid", "quiet", "round", "steady", "tidy")
NOUNS = ("signal", "pattern", "tract", "circuit", "marker", "response", "profile", "reading", "sample", "record",
         "channel", "contour", "rhythm", "segment", "trace", "layer", "motif", "field", "wave", "thread")
VERBS = ("precedes", "follows", "mirrors", "accompanies", "outlines", "frames", "echoes", "shadows", "crosses",
         "joins", "borders", "tracks")
NO_CLAIM = "no-claim: a generated filler sentence of a synthetic source (bench/scale.py)"


@dataclass(frozen=True)
class Shipped:
    """What the synthetic sources copy: the shipped ledgers (in source order) and statements by ID."""

    ledgers: list[Ledger]
    statements: dict[str, dict[str, Any]]  # ID -> the record's fields, the header's source included
    cites: list[str]  # every citation a shipped source cites, in order

    @classmethod
    def read(cls, curation: Path = CURATION_DIR) -> Shipped:
        """Read the shipped curation (sources, statements, ledgers)."""
        ledgers = load_ledgers(curation)
        sources = load_record_list(curation / "sources.yaml")
        order = [str(r.fields["id"]) for r in sources]
        statements = {}
        for path in statement_files(curation):
            header, records = load_statement_file(path)
            for record in records:
                statements[str(record.fields["id"])] = {"source": header.fields["source"], **record.fields}
        cites: list[str] = []
        for record in sources:
            cites += [c for c in record.fields.get("cites", []) if c not in cites]
        return cls([ledgers[s] for s in order if s in ledgers], statements, cites)

    def units(self) -> list[tuple[Ledger, Entry]]:
        """Every ledger unit of every shipped source, in order: the units of one synthetic text."""
        return [(ledger, entry) for ledger in self.ledgers for entry in ledger.entries]

    def footnotes(self) -> dict[tuple[str, str], str]:
        """(shipped source, footnote number) -> the synthetic text's number for it (1, 2, ...)."""
        numbers: dict[tuple[str, str], str] = {}
        for ledger in self.ledgers:
            for number in sorted(ledger.footnotes, key=int):
                numbers[(ledger.source, number)] = str(len(numbers) + 1)
        return numbers


def source_id(k: int) -> str:
    """The ID of synthetic source ``k`` (1-based)."""
    return f"SyntheticSource{k:03d}"


def statement_id(k: int, shipped: str) -> str:
    """The ID of synthetic source ``k``'s copy of the shipped statement ``shipped``."""
    return f"Syn{k:03d}{shipped}"


def sentence(k: int, position: int, marker: str | None) -> str:
    """The generated sentence of unit ``position`` of synthetic source ``k`` (unique within the text)."""
    pick = random.Random(k * 100_003 + position)
    words = [f"Synthetic report {k} item {position}", pick.choice(ADJECTIVES), pick.choice(NOUNS),
             pick.choice(VERBS), "the", pick.choice(ADJECTIVES), pick.choice(NOUNS), "near the",
             pick.choice(ADJECTIVES), pick.choice(NOUNS)]
    return " ".join(words) + (f" {marker}." if marker else ".")


def _body(line: str) -> str:
    """A sentence without its final full stop and footnote marker: the quote of one unit."""
    text = line.removesuffix(".")
    last = text.rsplit(" ", 1)
    return last[0] if last[-1].isdigit() else text


def _reason(entry: Entry, offset: int) -> str:
    kind = entry.reason_kind
    if kind == "repeats":
        assert entry.reason is not None
        units = [int(n) + offset for n in entry.reason.removeprefix("repeats ").split(", ")]
        return "repeats " + ", ".join(str(n) for n in units)
    return NO_CLAIM if kind == "no-claim" else str(entry.reason)


def write_source(shipped: Shipped, k: int, curation: Path, texts: Path) -> int:
    """Write synthetic source ``k``: its text, its sources.yaml entry, its statements and the curated part of its
    ledger (``write_ledgers`` adds the generated part). Returns its number of statements."""
    ident = source_id(k)
    numbers = shipped.footnotes()
    units = shipped.units()
    offsets, seen = {}, 0
    for ledger in shipped.ledgers:
        offsets[ledger.source] = seen
        seen += len(ledger.entries)
    lines = [sentence(k, n, numbers[(ledger.source, e.marker)] if e.marker else None)
             for n, (ledger, e) in enumerate(units, start=1)]
    text = "\n".join(lines) + "\n"
    name = f"synthetic-{k:03d}.txt"
    (texts / name).write_text(text, encoding="utf-8")
    # The units that list each shipped statement (one, or consecutive ones when its quote spans them).
    listing: dict[str, list[int]] = {}
    for n, (_, entry) in enumerate(units, start=1):
        for shipped_id in entry.statements:
            listing.setdefault(shipped_id, []).append(n)
    renamed = {s: statement_id(k, s) for s in listing}
    records = []
    for shipped_id, positions in listing.items():
        assert positions == list(range(positions[0], positions[-1] + 1)), f"{shipped_id}: units not consecutive"
        quote = " ".join([*(lines[p - 1] for p in positions[:-1]), _body(lines[positions[-1] - 1])])
        fields = shipped.statements[shipped_id]
        record: dict[str, Any] = {"id": renamed[shipped_id]}
        for key, value in fields.items():
            if key in ("id", "source"):
                continue
            if key == "quote":
                record[key] = quote
            elif key == "curationNote":
                record[key] = f"synthetic copy of {shipped_id} (bench/scale.py)"
            elif isinstance(value, list):
                record[key] = [renamed.get(v, v) if isinstance(v, str) else v for v in value]
            else:
                record[key] = renamed.get(value, value) if isinstance(value, str) else value
        records.append(record)
    header = f"# Synthetic source {k} (bench/scale.py): copies of the shipped statements, quoting {name}.\n"
    body = yaml.safe_dump({"source": ident, "statements": records}, sort_keys=False, allow_unicode=True, width=10**6)
    (curation / "statements" / f"synthetic-{k:03d}.yaml").write_text(header + body, encoding="utf-8")
    footnotes = {numbers[(ledger.source, n)]: c or UNLISTED for ledger in shipped.ledgers
                 for n, c in ledger.footnotes.items()}
    entries = []
    for n, (ledger, entry) in enumerate(units, start=1):
        curated: dict[str, Any] = {"sha256": digest(lines[n - 1])}
        if entry.statements:
            curated["statements"] = [renamed[s] for s in entry.statements]
        else:
            curated["reason"] = _reason(entry, offsets[ledger.source])
        entries.append(curated)
    seed = yaml.safe_dump({"source": ident, "footnotes": footnotes, "units": entries}, sort_keys=False)
    (curation / "ledger" / f"{ident}.yaml").write_text(seed, encoding="utf-8")
    entry_lines = [f"- id: {ident}", f"  label: {json.dumps(f'Synthetic source {k} (bench/scale.py, not a document)')}",
                   f"  title: {json.dumps(f'Synthetic report {k}')}",
                   "  publisher: synthetic (generated by bench/scale.py)",
                   f"  fileName: {name}", f"  sha256: {hashlib.sha256(text.encode()).hexdigest()}",
                   f"  cites: [{', '.join(shipped.cites)}]"]
    with (curation / "sources.yaml").open("a", encoding="utf-8") as sources:
        sources.write("\n".join(entry_lines) + "\n")
    return len(records)


def synthesize(folder: Path, factor: int, curation: Path = CURATION_DIR) -> tuple[Path, Path, int]:
    """Write the shipped curation plus ``factor - 1`` synthetic sources into ``folder``.

    Returns the curation folder, the folder of the synthetic texts, and the number of statements in all.
    """
    target, texts = folder / "curation", folder / "texts"
    shutil.copytree(curation, target)
    texts.mkdir()
    shipped = Shipped.read(curation)
    count = len(shipped.statements)
    with (target / "sources.yaml").open("a", encoding="utf-8") as sources:
        sources.write("# Synthetic sources (bench/scale.py): generated texts, not documents.\n")
    for k in range(1, factor):
        count += write_source(shipped, k, target, texts)
    if factor > 1:
        write_ledgers(target, texts, [source_id(k) for k in range(1, factor)])
    return target, texts, count
