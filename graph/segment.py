"""Cut a source text into units: the one segmenter the ledger writer and the audit share.

The rule, applied in this order (it is deterministic and reads nothing but the text):

1. The text is read line by line; blank lines are skipped. Lines are never joined: a paragraph
   is one line in the source files, and a line that breaks mid-sentence gives two units.
2. A line that starts with a list marker — a bullet (``•``, ``·``, ``-``, ``*``, ``‣``, ``◦``)
   or a number followed by ``.`` or ``)`` — and then whitespace is a *list item*: one unit, the
   marker left out, however many sentences it holds (list items and reference entries are read
   as a whole).
3. Any other line is cut into *sentences* after ``.``, ``?`` or ``!`` (and any closing quotes or
   brackets after it) when whitespace and then an upper-case letter, a digit or an opening
   quote/bracket follow. It is not cut after an abbreviation (``e.g.``, ``i.e.``, ``etc.``, ``vs.``,
   ``cf.``, ``al.``, ``Dr.``, ``Prof.``, ``Mr.``, ``Mrs.``, ``Ms.``, ``St.``, ``Fig.``, ``No.``,
   ``Vol.``, ``Suppl.``, ``pp.``, ``ed.``) or a single capital initial (``C. Besta``).

A unit's text is whitespace-normalised (every run of whitespace is one space) and identified by
its position (1-based, in document order) and the SHA-256 of that text.

A unit *carries a footnote marker* when it ends, before its final full stop, with one or two
digits written either right after a letter or a closing bracket (``dystonia1.``) or after one
space that follows a letter, a digit or a closing bracket (``culprits 1.``, ``THAP1 2.``): the
number is the source's reference, as printed. (A sentence that ends in a small number, such as
"aged 12.", would read as a marker; the ledger shows every marker for review.)
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

_SPACE = re.compile(r"\s+")
_LIST_ITEM = re.compile(r"^(?:[•·‣◦*-]|\d{1,3}[.)])\s+(?=\S)")
# A candidate sentence end: terminal punctuation, closing quotes/brackets, whitespace, then a
# character that can open a sentence.
_BOUNDARY = re.compile(r"[.?!][\"'”’)\]]*(?=\s+[\"'“‘(\[A-Z0-9])")
_ABBREVIATIONS = frozenset({"e.g", "i.e", "etc", "vs", "cf", "al", "dr", "prof", "mr", "mrs", "ms", "st", "fig", "no",
                            "vol", "suppl", "pp", "ed"})
_MARKER = re.compile(r"(?:[A-Za-z)\]]|[A-Za-z0-9)\]] )(\d{1,2})\.?$")
_WORD_END = re.compile(r"[A-Za-z.]+$")  # the word a full stop ends, after any bracket or digit
OPENING_WORDS = 5


def normalise(text: str) -> str:
    """Collapse every run of whitespace to one space and trim the ends."""
    return _SPACE.sub(" ", text).strip()


def digest(text: str) -> str:
    """The SHA-256 (hex) of a unit's normalised text."""
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Unit:
    """One unit of a source text: a sentence, or a list item."""

    position: int
    line: int
    kind: str  # "sentence" or "item"
    text: str  # normalised

    @property
    def sha256(self) -> str:
        """The digest that identifies the unit in the ledger."""
        return digest(self.text)

    @property
    def opening(self) -> str:
        """The unit's first few words, to name it in reports and in the ledger."""
        words = self.text.split(" ")
        return " ".join(words[:OPENING_WORDS]) + (" …" if len(words) > OPENING_WORDS else "")

    @property
    def marker(self) -> str | None:
        """The footnote number the unit ends with, or None."""
        match = _MARKER.search(self.text)
        return match.group(1) if match else None


def _is_abbreviation(before: str) -> bool:
    """True when the text before a full stop ends in an abbreviation or a single capital initial."""
    tail = _WORD_END.search(before)
    word = tail.group(0) if tail else ""
    if len(word) == 1 and word.isupper():
        return True
    return word.lower() in _ABBREVIATIONS


def sentences(line: str) -> list[str]:
    """Cut one (non-list) line into sentences by the rule of this module."""
    parts: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(line):
        before = line[start:match.start()]
        if line[match.start()] == "." and _is_abbreviation(before):
            continue
        parts.append(line[start:match.end()])
        start = match.end()
    parts.append(line[start:])
    return [normalise(p) for p in parts if p.strip()]


def segment(text: str) -> list[Unit]:
    """Cut ``text`` into units, in document order (see the module docstring for the rule)."""
    units: list[Unit] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        item = _LIST_ITEM.match(line)
        if item:
            pieces, kind = [normalise(line[item.end():])], "item"
        else:
            pieces, kind = sentences(line), "sentence"
        for piece in pieces:
            units.append(Unit(len(units) + 1, number, kind, piece))
    return units


def files_by_digest(sources_dir: Path) -> dict[str, Path]:
    """The files of ``sources_dir`` by the SHA-256 of their bytes (how sources are recorded)."""
    return {hashlib.sha256(p.read_bytes()).hexdigest(): p for p in sorted(sources_dir.iterdir()) if p.is_file()}
