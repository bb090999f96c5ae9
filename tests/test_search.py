"""Search against the live server: identifiers in every form people type, accents and case, synonyms, the kind
facet and its counts. Every expectation is read from the release's catalog (what the build wrote), never typed in."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import requests

from graph.catalog import KINDS
from graph.release import Release
from graph.store import EmbeddedStore
from graph.vocab import DKG, OBO, PREFIX_ALIASES, PREFIXES, compact


@pytest.fixture(scope="module")
def catalog(release_dir: Path) -> dict[str, Any]:
    """The catalog the build wrote into the session's release."""
    data = Release.current(release_dir).catalog
    assert data is not None
    return data


def search(server: Any, **params: str) -> dict[str, Any]:
    response = requests.get(f"{server.url}/api/search", params=params, timeout=30)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def unaccented(text: str) -> str | None:
    """``text`` without its accents, when that leaves ASCII (``Kienböck`` → ``Kienbock``; not ``Ørsted``)."""
    bare = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    return bare if bare.isascii() else None


ACUTE = {"a": "á", "e": "é", "i": "í", "o": "ó", "u": "ú"}


def label_of(catalog: dict[str, Any], iri: str) -> str:
    return next(text for s, text, field in catalog["texts"] if s == iri and field == "label")


def _first_of(catalog: dict[str, Any], kind: str, namespace: str) -> str:
    return next(iri for iri, k in catalog["kinds"].items() if k == kind and iri.startswith(namespace))


@pytest.mark.parametrize(("kind", "namespace"), [("dystonia-type", PREFIXES["HP"]), ("statement", str(DKG)),
                                                 ("gene", PREFIXES["NCBIGene"]), ("disease", PREFIXES["MONDO"]),
                                                 ("lesion-site", PREFIXES["UBERON"])])
def test_an_identifier_in_any_form_finds_its_term_first(live_server, catalog: dict[str, Any], kind: str,  # type: ignore[no-untyped-def]
                                                        namespace: str) -> None:
    iri = _first_of(catalog, kind, namespace)
    curie = compact(iri)
    prefix, _, local = curie.partition(":")
    forms = {curie, f"{prefix}_{local}", iri, f"<{iri}>", curie.lower(), f"  {curie}  "}
    if iri.startswith(str(DKG)):
        forms.add(iri[len(str(DKG)):])  # the bare local ID: S0010
    for form in sorted(forms):
        first = search(live_server, q=form)["results"][0]
        assert (first["iri"], first["matched"], first["kind"]) == (iri, "id", kind), form


@pytest.mark.parametrize(("kind", "prefix"), [("disease", "Orphanet"), ("disease", "OMIM"), ("dystonia-type", "HP"),
                                              ("gene", "NCBIGene")])
def test_an_identifier_under_any_prefix_and_iri_form_tools_write_finds_its_term_first(  # type: ignore[no-untyped-def]
        live_server, catalog: dict[str, Any], kind: str, prefix: str) -> None:
    """The prefixes other tools write for a namespace (HPO's ``ORPHA:``, ``MIM:``, ``EntrezGene:``), in any case;
    ``obo:`` with the OBO local name; the IRI over https; identifiers.org's ``prefix:id`` and ``prefix/id``; a
    lone ``<`` or ``>``."""
    iri = _first_of(catalog, kind, PREFIXES[prefix])
    local = iri[len(PREFIXES[prefix]):]
    names = [prefix, *(alias for alias, name in PREFIX_ALIASES.items() if name == prefix)]
    forms = {f"{name}:{local}" for name in names} | {f"{name.upper()}:{local}" for name in names}
    forms |= {f"{name.lower()}_{local}" for name in names}
    forms |= {f"https://identifiers.org/{name.lower()}:{local}" for name in names}
    forms |= {f"http://identifiers.org/{name.lower()}/{local}" for name in names}
    forms |= {"https://" + iri.removeprefix("http://"), f"<{iri}", f"{iri}>"}
    if iri.startswith(str(OBO)):
        forms.add(f"obo:{iri[len(str(OBO)):]}")
    for form in sorted(forms):
        first = search(live_server, q=form)["results"][0]
        assert (first["iri"], first["matched"], first["kind"]) == (iri, "id", kind), form


def test_typographic_apostrophes_and_invisible_characters_are_folded(  # type: ignore[no-untyped-def]
        live_server, catalog: dict[str, Any]) -> None:
    """A real text with an apostrophe typed with U+2019 finds what it finds typed with ASCII's; a quote that spells
    one typographically is found by the ASCII spelling; a zero-width space inside a label's word is not there."""
    owners: dict[str, set[str]] = defaultdict(set)
    for iri, text, field in catalog["texts"]:
        if field != "quote":
            owners[text].add(iri)
    apostrophe = sorted(t for t in owners if "'" in t.strip("'") and len(t) < 60)
    assert apostrophe, "the release has labels or synonyms with an apostrophe (HPO's eponyms: Parkinson's...)"
    for text in apostrophe[:3]:
        typed = search(live_server, q=text.replace("'", "\u2019"), limit="100")
        assert typed["results"][0]["iri"] in owners[text], (text, typed["results"][0])
        assert typed == {**search(live_server, q=text, limit="100"), "query": typed["query"]}, text
    quotes = [(iri, text) for iri, text, field in catalog["texts"] if field == "quote" and "\u2019" in text]
    assert quotes, "the release has quotes that spell an apostrophe typographically"
    iri, quote = quotes[0]
    words = quote.split()
    at = next(i for i, word in enumerate(words) if "\u2019" in word)
    phrase = " ".join(words[max(at - 1, 0):at + 2])
    ascii_hits = [hit["iri"] for hit in search(live_server, q=phrase.replace("\u2019", "'"), limit="100")["results"]]
    assert iri in ascii_hits, phrase
    assert [hit["iri"] for hit in search(live_server, q=phrase, limit="100")["results"]] == ascii_hits, phrase
    label = label_of(catalog, _first_of(catalog, "dystonia-type", PREFIXES["HP"]))
    word = max(label.split(), key=len)
    typed_label = label.replace(word, word[:len(word) // 2] + "\u200b" + word[len(word) // 2:], 1)
    first = search(live_server, q=typed_label)["results"][0]
    assert first["label"] == label and first["matched"] == "label", (typed_label, first)


def test_total_counts_the_hits_of_the_kinds_asked_for(live_server, catalog: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    label = label_of(catalog, PREFIXES["HP"] + "0001332")
    counts = search(live_server, q=label)["counts"]
    for kind in sorted(KINDS):
        kept = search(live_server, q=label, limit="100", type=kind)
        assert kept["total"] == counts.get(kind, 0), kind
        if kept["total"] <= 100:
            assert kept["total"] == len(kept["results"]), kind
    small = [kind for kind, count in counts.items() if count <= 50][:2]
    both = search(live_server, q=label, limit="100", type=",".join(small))
    assert both["total"] == len(both["results"]) == sum(counts[kind] for kind in small)


def test_accents_and_case_are_folded_both_ways(live_server, catalog: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    texts: dict[str, set[str]] = defaultdict(set)
    for iri, text, field in catalog["texts"]:
        if field != "quote":
            texts[text].add(iri)
    # A real accented text of the release, typed without its accents.
    accented = sorted(t for t in texts if not t.isascii() and unaccented(t) is not None and len(t) < 60)
    assert accented, "the release has accented labels or synonyms (HPO's, e.g. of eponymous diseases)"
    for text in accented[:3]:
        first = search(live_server, q=unaccented(text) or "")["results"][0]
        assert first["iri"] in texts[text], (text, first)
    # A plain label typed with an accent and in capitals: the search reads it as the label.
    label = label_of(catalog, _first_of(catalog, "dystonia-type", PREFIXES["HP"]))
    vowel = next(i for i, c in enumerate(label) if c in ACUTE)
    typed = (label[:vowel] + ACUTE[label[vowel]] + label[vowel + 1:]).upper()
    first = search(live_server, q=typed)["results"][0]
    assert first["label"].casefold() == label.casefold() and first["matched"] == "label", (typed, first)


def test_a_synonym_finds_its_term(live_server, catalog: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    """A synonym no other term has (as a label or a synonym) finds its term first, saying it matched a synonym:
    one of an HPO term, one of a module term (UBERON, MONDO, ChEBI) and one of a local or gene term."""
    owners: dict[str, set[str]] = defaultdict(set)
    for iri, text, field in catalog["texts"]:
        if field != "quote":
            owners[text.casefold()].add(iri)
    labels = {text.casefold() for _, text, field in catalog["texts"] if field == "label"}
    unique = [(iri, text) for iri, text, field in catalog["texts"] if field == "synonym"
              and len(owners[text.casefold()]) == 1 and text.casefold() not in labels and len(text) < 60]
    namespaces = [(PREFIXES["HP"],), (PREFIXES["UBERON"], PREFIXES["MONDO"], PREFIXES["CHEBI"]),
                  (str(DKG), PREFIXES["NCBIGene"])]
    for group in namespaces:
        iri, text = next((iri, text) for iri, text in unique if iri.startswith(group))
        first = search(live_server, q=text)["results"][0]
        assert (first["iri"], first["matched"], first["snippet"]) == (iri, "synonym", text), first


def test_the_type_facet_filters_and_its_counts_agree_with_the_unfiltered_answer(  # type: ignore[no-untyped-def]
        live_server, catalog: dict[str, Any], release_store: EmbeddedStore) -> None:
    # Dystonia's own label (HP:0001332, the root of the dystonia types): it is in terms of many kinds.
    label = label_of(catalog, PREFIXES["HP"] + "0001332")
    everything = search(live_server, q=label, limit="100")
    counts = everything["counts"]
    assert len(counts) >= 3 and set(counts) <= set(KINDS), counts
    assert sum(counts.values()) == everything["total"]
    assert {hit["kind"] for hit in everything["results"]} <= set(counts)
    for kind, count in counts.items():
        kept = search(live_server, q=label, limit="100", type=kind)
        assert kept["counts"] == counts and kept["type"] == [kind]  # the counts are of every kind, always
        assert {hit["kind"] for hit in kept["results"]} == {kind}
        assert len(kept["results"]) == min(count, 100), kind
        unfiltered_of_kind = [hit["iri"] for hit in everything["results"] if hit["kind"] == kind]
        assert [hit["iri"] for hit in kept["results"]][:len(unfiltered_of_kind)] == unfiltered_of_kind, kind
    two = sorted(counts, key=counts.get)[:2]  # type: ignore[arg-type]
    both = search(live_server, q=label, limit="100", type=",".join(two))
    assert {hit["kind"] for hit in both["results"]} == set(two)
    assert len(both["results"]) == min(counts[two[0]] + counts[two[1]], 100)
    # The kinds come from the graph: a statement hit has a quote, a dystonia type is under Dystonia.
    for hit in search(live_server, q=label, limit="5", type="statement")["results"]:
        assert release_store.query(f"ASK {{ <{hit['iri']}> <{DKG.quote}> ?q }}")
    for hit in search(live_server, q=label, limit="5", type="dystonia-type")["results"]:
        assert release_store.query(f"ASK {{ <{hit['iri']}> <http://www.w3.org/2000/01/rdf-schema#subClassOf>* "
                                   f"<{PREFIXES['HP']}0001332> }}")
    unknown = requests.get(f"{live_server.url}/api/search", params={"q": label, "type": "gnee"}, timeout=30)
    assert unknown.status_code == 400 and "gnee" in unknown.text and "gene" in unknown.text
    page = requests.get(f"{live_server.url}/search", params={"q": label, "type": two[0]}, timeout=30)
    assert page.status_code == 200 and f"{two[0]} ({counts[two[0]]})" in page.text
