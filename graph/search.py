"""Search over what people type: identifiers, labels, synonyms and quotes; ranked, and faceted by kind.

An identifier in any of its usual forms (``HP:0000643``, ``HP_0000643``, ``obo:HP_0000643``, the full IRI over http
or https, an identifiers.org IRI, ``dkg:S0010``; under any prefix tools write for its namespace: ``ORPHA:306734``,
``graph.vocab.PREFIX_ALIASES``) finds its term first; a bare local ID (``S0010``) ranks as an exact label (some are
words: ``Disease``). Texts are matched word by word after folding (:func:`fold`: case, accents, typographic
apostrophes and dashes, invisible characters), so ``dystonía``, ``DYSTONIA`` and ``dys\u200btonia`` match
"dystonia", and ``writer’s`` matches "writer's". An inverted index from words to texts keeps a lookup to the words a
query can match: those that start with a query word (of two letters or more), and, for typos, those that share its
first letter and are within one or two edits of it (rapidfuzz's Levenshtein distance, bounded by ``TYPO_BUDGET``
words per query word). A label or synonym equal to the query ranks first, then one it begins, then texts matched
word by word, the closer the whole text (rapidfuzz's ratio) the higher; quotes (whole sentences) last among equals.
Every hit has a kind (the catalog decides it: see ``graph.catalog.KIND_QUERIES``); a search may keep some kinds
only, and counts the matching terms of every kind.
"""

from __future__ import annotations

import bisect
import heapq
import re
import unicodedata
from array import array
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from .vocab import DKG, PREFIX_ALIASES, PREFIXES, compact

_WORD = re.compile(r"[\w']+", re.UNICODE)  # words of free text (labels, synonyms, quotes), not of syntax
MAX_TOKENS = 8  # distinct words of a query that are matched
MAX_TYPO_TOKEN = 24  # longer words are matched by prefix only
MIN_PREFIX = 2  # shorter query words match whole words only ("c" of "hepatitis C", "1" of "type 1")
TYPO_BUDGET = 5000  # words of the same initial compared with one query word, at most
SNIPPET = 200  # characters of a snippet

# How each field's match ranks against the others: a label first, a quote (whole sentences) last.
_FIELD_BONUS = {"label": 0.1, "title": 0.0, "synonym": 0.0, "quote": -0.5}
_CLOSENESS = 0.3  # weight of a text's closeness to the query (rapidfuzz's ratio) among texts matched word by word
_ID_SCORE = 10.0  # an identifier names one term: above any text match
# A bare local ID (``S0010``) ranks as an exact label: some are words too (``Disease``, ``Bilateral``), and a term
# labelled with the word comes as high.
_LOCAL_ID_SCORE = 3.0


# Typographic apostrophes, quotes and dashes as ASCII: sources and keyboards write "writers’" and "writer's", "–"
# and "-" for the same words (NFKD leaves them be).
_TYPOGRAPHIC = str.maketrans({**dict.fromkeys("\u2018\u2019\u201a\u201b\u02bc\u2032", "'"),
                              **dict.fromkeys("\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033", '"'),
                              **dict.fromkeys("\u2010\u2012\u2013\u2014\u2015\u2212", "-")})


def fold(text: str) -> str:
    """``text`` folded for matching (texts and queries alike): NFKD, combining marks and invisible format
    characters (category Cf: zero-width spaces and joiners, soft hyphens) dropped, typographic apostrophes, quotes
    and dashes as ASCII, casefolded."""
    decomposed = unicodedata.normalize("NFKD", text).translate(_TYPOGRAPHIC)
    return "".join(c for c in decomposed
                   if not unicodedata.combining(c) and unicodedata.category(c) != "Cf").casefold()


def words(text: str) -> list[str]:
    """The folded words of ``text``, in order; an apostrophe is part of a word inside it only (``writer's``; the
    possessive ``writers'`` is ``writers``)."""
    return [word for word in (w.strip("'") for w in _WORD.findall(fold(text))) if word]


# Each prefix an ID may be typed with, folded (IDs are matched case-insensitively), to its name in PREFIXES.
_PREFIX_NAMES = {fold(p): p for p in PREFIXES} | {fold(alias): p for alias, p in PREFIX_ALIASES.items()}
_IDENTIFIERS_ORG = "identifiers.org"  # resolves prefix:id, and its older form prefix/id


def _expanded(prefix: str, local: str) -> str | None:
    """The IRI of ``prefix:local`` when ``prefix`` (any case, or an alias) is a known prefix, else ``None``."""
    name = _PREFIX_NAMES.get(fold(prefix.strip()))
    return PREFIXES[name] + local.strip() if name is not None and local.strip() else None


def typed_iris(text: str) -> list[str]:
    """The IRIs an identifier as typed may stand for, spelled as the release writes IRIs: a CURIE or its underscore
    form under a known prefix or alias (``ORPHA:306734``, ``obo:HP_0000643``, ``mim_…``), an IRI over http or https
    (both, as a base may be either), an identifiers.org IRI. Empty when ``text`` is none of these."""
    try:
        url = urlsplit(text)
    except ValueError:  # an unbalanced "[" in what looked like a host: not an IRI
        return []
    if url.scheme.lower() in ("http", "https") and url.netloc:
        if url.netloc.lower().removeprefix("www.") == _IDENTIFIERS_ORG:
            path = url.path.lstrip("/")
            prefix, _, local = path.partition(":" if ":" in path else "/")
            iri = _expanded(prefix, local)
            return [iri] if iri is not None else []
        return [urlunsplit(url._replace(scheme=scheme)) for scheme in ("http", "https")]
    for separator in ":_":  # HP:0000643, then HP_0000643 (the OBO local name)
        prefix, found, local = text.partition(separator)
        if found and (iri := _expanded(prefix, local)) is not None:
            return [iri]
    return []


def id_forms(iri: str) -> set[str]:
    """The folded forms people type for ``iri``: the IRI, its CURIE (``HP:0000643``, ``dkg:S0010``) and the CURIE
    with an underscore (``HP_0000643``, the OBO local name)."""
    forms = {iri}
    curie = compact(iri)
    if curie != iri:
        prefix, _, local = curie.partition(":")
        forms |= {curie, f"{prefix}_{local}"}
    return {fold(form) for form in forms}


@dataclass(frozen=True, slots=True)  # slots: a server holds tens of thousands
class Entry:
    """One searchable text of an IRI: its label, a synonym or a quote (``field``); or the IRI alone
    (``field="id"``, found by its identifier only)."""

    iri: str
    text: str
    field: str  # label | title (a statement's, graph/titles.py) | synonym | quote | id
    type: str  # its rdf:type (one, the least)
    definition: str
    kind: str = "other"  # the facet (graph.catalog.KINDS)


@dataclass(frozen=True)
class Hit:
    """A ranked search result."""

    iri: str
    label: str
    type: str
    snippet: str
    score: float
    kind: str = "other"
    matched: str = "label"  # the field that matched: id | label | title | synonym | quote


@dataclass(frozen=True)
class Found:
    """A search's answer: the best hits (of the kinds asked for), how many terms of each kind match (whatever kinds
    were asked for), and how many terms of the kinds asked for match (``hits`` are the best ``limit`` of them)."""

    hits: list[Hit]
    counts: dict[str, int]
    total: int


class SearchIndex:
    """An in-memory index over identifiers, labels, synonyms and quotes."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries = list(entries)
        # Each word's entries, in order, as a packed array: a set of ints costs ten times the memory.
        self._postings: dict[str, array[int]] = defaultdict(lambda: array("I"))
        self._normal: list[str] = []  # each entry's folded words, joined by one space
        self._labels: dict[str, str] = {}
        self._snippets: dict[str, str] = {}  # an IRI's definition, else its quote
        self._first: dict[str, int] = {}  # an IRI's first entry (its type, kind and definition)
        self._ids: dict[str, str] = {}  # folded identifier → IRI
        self._local_ids: dict[str, str] = {}  # folded bare local ID → IRI
        for index, entry in enumerate(self.entries):
            found = words(entry.text) if entry.field != "id" else []
            self._normal.append(" ".join(found))
            for word in found:
                indexes = self._postings[word]
                if not indexes or indexes[-1] != index:  # a word twice in a text: its entry once
                    indexes.append(index)
            self._first.setdefault(entry.iri, index)
            if entry.field in ("label", "title"):  # a statement has no label: its title names it
                self._labels.setdefault(entry.iri, entry.text)
            snippet = entry.definition or (entry.text if entry.field == "quote" else "")
            if snippet:
                self._snippets.setdefault(entry.iri, snippet)
        self._kinds = {iri: self.entries[index].kind for iri, index in self._first.items()}
        # Among equal scores: by label, then IRI.
        self._order = {iri: ((self._labels.get(iri) or iri).lower(), iri) for iri in self._first}
        for iri in sorted(self._first):  # sorted: a form two IRIs share goes to the same one in every run
            for form in id_forms(iri):
                self._ids.setdefault(form, iri)
            if iri.startswith(str(DKG)):
                self._local_ids.setdefault(fold(iri[len(str(DKG)):]), iri)
        self._postings = dict(self._postings)  # a missing word must not be added by a lookup
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

        if len(token) < MIN_PREFIX:  # one letter begins a tenth of the words: it stands for itself only
            if token in self._postings:
                credit(token, 1.0)
        else:
            start = bisect.bisect_left(self._words, token)
            for word in self._words[start:]:
                if not word.startswith(token):
                    break
                credit(word, 1.0 if word == token else 0.8)
        if 4 <= len(token) <= MAX_TYPO_TOKEN:
            allowed = 1 if len(token) <= 5 else 2
            # Bounded work: at most TYPO_BUDGET words of the same initial are compared with a token.
            bucket = self._by_initial.get(token[0], [])[:TYPO_BUDGET]
            for word, distance, _ in process.extract(token, bucket, scorer=Levenshtein.distance,
                                                     score_cutoff=allowed, limit=None):
                if not word.startswith(token):
                    credit(word, 0.6 - 0.1 * distance)
        return scores

    def entry(self, iri: str) -> Entry | None:
        """The first entry of ``iri`` (its type, kind and definition), or ``None`` when the index has none."""
        index = self._first.get(iri)
        return self.entries[index] if index is not None else None

    def _identified(self, query: str) -> tuple[str, float] | None:
        """The IRI ``query`` names by one of its identifiers (see :func:`id_forms` and :func:`typed_iris`), or by
        its bare local ID, with the score that gives it; ``None`` when it names none."""
        # An IRI as SPARQL and Turtle write it, or half of that as pasted.
        text = query.strip().removeprefix("<").removesuffix(">").strip()
        key = fold(text)
        for form in (key, *(fold(iri) for iri in typed_iris(text))):
            if form in self._ids:
                return self._ids[form], _ID_SCORE
        if key in self._local_ids:
            return self._local_ids[key], _LOCAL_ID_SCORE
        return None

    def _hit(self, iri: str, index: int | None, score: float) -> Hit:
        first = self.entries[self._first[iri]]
        entry = self.entries[index] if index is not None else None
        label = self._labels.get(iri) or compact(iri)
        snippet = entry.text if entry is not None and entry.field in ("synonym", "quote") \
            else self._snippets.get(iri, "")
        return Hit(iri, label, first.type, snippet[:SNIPPET], round(score, 4), first.kind,
                   entry.field if entry is not None else "id")

    def find(self, query: str, limit: int = 10, kinds: Collection[str] | None = None) -> Found:
        """The best ``limit`` matches of the ``kinds`` asked for (every kind when ``None``), best first, and the
        counts per kind of every term that matches. A term its identifier names comes first; otherwise every
        query word must match a word of one of the term's texts (exactly, as a prefix, or within a typo)."""
        best: dict[str, tuple[float, int | None]] = {}  # IRI → (score, the entry that scored it)
        named = self._identified(query)
        if named is not None:
            best[named[0]] = (named[1], None)
        typed = words(query)
        tokens = list(dict.fromkeys(typed))[:MAX_TOKENS]
        if tokens:
            needle = " ".join(typed)
            per_token = [self._word_scores(t) for t in tokens]
            for index in set(per_token[0]).intersection(*per_token[1:]):
                entry = self.entries[index]
                text = self._normal[index]
                whole = entry.field != "quote"  # a sentence is matched by its words only
                if whole and text == needle:
                    score = 3.0
                elif whole and text.startswith(needle):
                    score = 2.0
                else:  # word by word, then the closer the whole text is to the query's the better
                    score = sum(s[index] for s in per_token) / len(tokens) + _CLOSENESS * fuzz.ratio(needle, text) / 100
                score += _FIELD_BONUS[entry.field]
                score -= len(text) / 1000  # shorter texts first among equals
                if entry.iri not in best or score > best[entry.iri][0]:
                    best[entry.iri] = (score, index)
        kind_of = self._kinds
        counts = Counter(kind_of[iri] for iri in best)
        wanted = list(best) if kinds is None else [iri for iri in best if kind_of[iri] in kinds]
        order = self._order
        top = heapq.nsmallest(limit, wanted, key=lambda iri: (-best[iri][0], order[iri]))
        return Found([self._hit(iri, best[iri][1], best[iri][0]) for iri in top], dict(sorted(counts.items())),
                     len(wanted))

    def search(self, query: str, limit: int = 10) -> list[Hit]:
        """The best ``limit`` matches of every kind (see :meth:`find`)."""
        return self.find(query, limit).hits
