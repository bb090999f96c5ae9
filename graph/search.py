"""Label and synonym search: exact, prefix and typo-tolerant matches, ranked.

An inverted index from words to texts keeps a lookup to the words a query can match: those that
start with a query word, and, for typos, those of about its length that share its first letter.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

_WORD = re.compile(r"[\w']+", re.UNICODE)
MAX_TOKENS = 8  # distinct words of a query that are matched
MAX_TYPO_TOKEN = 24  # longer words are matched by prefix only
TYPO_BUDGET = 5000


@dataclass(frozen=True)
class Entry:
    """One searchable text (a label or a synonym) of an IRI."""

    iri: str
    text: str
    kind: str  # label | synonym | title (a statement's, graph/titles.py)
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


class SearchIndex:
    """An in-memory inverted index over labels and synonyms."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries = list(entries)
        self._postings: dict[str, set[int]] = defaultdict(set)
        self._labels: dict[str, str] = {}
        for index, entry in enumerate(self.entries):
            for word in _WORD.findall(entry.text.lower()):
                self._postings[word].add(index)
            if entry.kind == "label":
                self._labels.setdefault(entry.iri, entry.text)
        self._words = sorted(self._postings)
        self._by_initial: dict[str, list[str]] = defaultdict(list)
        for word in self._words:
            self._by_initial[word[0]].append(word)

    def _word_scores(self, token: str) -> dict[int, float]:
        """Entry index → best score of ``token`` against the entry's words."""
        scores: dict[int, float] = {}

        def credit(word: str, score: float) -> None:
            for index in self._postings[word]:
                if scores.get(index, 0.0) < score:
                    scores[index] = score

        start = bisect.bisect_left(self._words, token)
        for word in self._words[start:]:
            if not word.startswith(token):
                break
            credit(word, 1.0 if word == token else 0.8)
        if 4 <= len(token) <= MAX_TYPO_TOKEN:
            allowed = 1 if len(token) <= 5 else 2
            # Bounded work: at most TYPO_BUDGET words of the same initial are compared with a token.
            for word in self._by_initial.get(token[0], [])[:TYPO_BUDGET]:
                if abs(len(word) - len(token)) <= allowed and not word.startswith(token):
                    distance = edit_distance(token, word, allowed)
                    if distance <= allowed:
                        credit(word, 0.6 - 0.1 * distance)
        return scores

    def search(self, query: str, limit: int = 10) -> list[Hit]:
        """Best matches first; every query word must match a word of the text (prefix or typo)."""
        needle = query.strip().lower()
        tokens = list(dict.fromkeys(_WORD.findall(needle)))[:MAX_TOKENS]
        if not tokens:
            return []
        per_token = [self._word_scores(t) for t in tokens]
        candidates = set(per_token[0]).intersection(*per_token[1:])
        best: dict[str, Hit] = {}
        for index in candidates:
            entry = self.entries[index]
            text = entry.text.lower()
            if text == needle:
                score = 3.0
            elif text.startswith(needle):
                score = 2.0
            else:
                score = sum(s[index] for s in per_token) / len(tokens)
            score += 0.1 if entry.kind == "label" else 0.0
            score -= len(text) / 1000  # shorter texts first among equals
            label = self._labels.get(entry.iri, entry.text)
            snippet = entry.text if entry.kind == "synonym" else (entry.definition or "")
            hit = Hit(entry.iri, label, entry.type, snippet[:200], round(score, 4))
            if entry.iri not in best or hit.score > best[entry.iri].score:
                best[entry.iri] = hit
        return sorted(best.values(), key=lambda h: (-h.score, h.label.lower(), h.iri))[:limit]
