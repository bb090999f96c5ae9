"""Label and synonym search: exact, prefix and typo-tolerant matches, ranked."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_WORD = re.compile(r"[\w']+", re.UNICODE)


@dataclass(frozen=True)
class Entry:
    """One searchable text (a label or a synonym) of an IRI."""

    iri: str
    text: str
    kind: str  # label | synonym
    type: str
    definition: str


@dataclass(frozen=True)
class Hit:
    """A ranked search result."""

    iri: str
    label: str
    type: str
    snippet: str
    score: float


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, giving up (returning ``limit + 1``) once it exceeds ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def _token_score(token: str, words: list[str]) -> float:
    best = 0.0
    allowed = 1 if len(token) <= 5 else 2
    for word in words:
        if word == token:
            return 1.0
        if word.startswith(token):
            best = max(best, 0.8)
        elif len(token) >= 4:
            distance = edit_distance(token, word[: len(token) + allowed], allowed)
            if distance <= allowed:
                best = max(best, 0.6 - 0.1 * distance)
    return best


class SearchIndex:
    """An in-memory index over labels and synonyms."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries = list(entries)
        self._words = [_WORD.findall(e.text.lower()) for e in self.entries]
        self._labels: dict[str, str] = {}
        for entry in self.entries:
            if entry.kind == "label":
                self._labels.setdefault(entry.iri, entry.text)

    def search(self, query: str, limit: int = 10) -> list[Hit]:
        """Best matches first; every query word must match a word of the text (prefix or typo)."""
        needle = query.strip().lower()
        tokens = _WORD.findall(needle)
        if not tokens:
            return []
        best: dict[str, Hit] = {}
        for entry, words in zip(self.entries, self._words, strict=True):
            text = entry.text.lower()
            if text == needle:
                score = 3.0
            elif text.startswith(needle):
                score = 2.0
            else:
                scores = [_token_score(t, words) for t in tokens]
                if min(scores) == 0:
                    continue
                score = sum(scores) / len(scores)
            score += 0.1 if entry.kind == "label" else 0.0
            score -= len(text) / 1000  # shorter texts first among equals
            label = self._labels.get(entry.iri, entry.text)
            snippet = entry.text if entry.kind == "synonym" else (entry.definition or "")
            hit = Hit(entry.iri, label, entry.type, snippet[:200], round(score, 4))
            if entry.iri not in best or hit.score > best[entry.iri].score:
                best[entry.iri] = hit
        return sorted(best.values(), key=lambda h: (-h.score, h.label.lower(), h.iri))[:limit]
