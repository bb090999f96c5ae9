"""SPARQL JSON results as the worker writes them: read back by a real parser (pyoxigraph's) to the same terms, and
written as ``json.dumps`` writes the results object (the text the endpoint has always sent), for every kind of term."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.results import XSD_STRING, Caps, ResultTooLarge, serialize_solutions

# Text as literals carry it: any Unicode scalar value (no lone surrogates: they are not characters).
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=30)
IRIS = st.sampled_from(["http://example.org/a", "https://example.org/ü/ö?x=1#f", "urn:x:\u00e9\u4e2d",
                        "http://example.org/a%22b%5Cc", "tag:example.org,2026:\U0001F600"])
LANGS = st.sampled_from(["en", "de-CH", "zh-Hant-TW"])
TERMS = st.one_of(
    IRIS.map(ox.NamedNode),
    st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,8}", fullmatch=True).map(ox.BlankNode),
    TEXT.map(ox.Literal),
    st.tuples(TEXT, LANGS).map(lambda t: ox.Literal(t[0], language=t[1])),
    st.tuples(TEXT, IRIS).map(lambda t: ox.Literal(t[0], datatype=ox.NamedNode(t[1]))),
)
INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
ROWS = st.lists(st.tuples(st.one_of(st.none(), TERMS), st.one_of(st.none(), TERMS)), max_size=6)


def _solutions(rows: list[tuple[ox.NamedNode | ox.BlankNode | ox.Literal | None, ...]]) -> ox.QuerySolutions:
    """A SELECT answer with exactly these rows, in order (unbound where ``None``): each row a resource of a store."""
    store, ex = ox.Store(), "http://example.org/test/"
    for index, row in enumerate(rows):
        subject = ox.NamedNode(f"{ex}row{index}")
        store.add(ox.Quad(subject, ox.NamedNode(ex + "index"), ox.Literal(str(index), datatype=INTEGER)))
        for name, term in zip("ab", row, strict=True):
            if term is not None:
                store.add(ox.Quad(subject, ox.NamedNode(ex + name), term))
    result = store.query(f"SELECT ?a ?b WHERE {{ ?r <{ex}index> ?i OPTIONAL {{ ?r <{ex}a> ?a }} "
                         f"OPTIONAL {{ ?r <{ex}b> ?b }} }} ORDER BY ?i")
    assert isinstance(result, ox.QuerySolutions)
    return result


def _reference(rows: list[tuple[object, ...]]) -> str:
    """The results object as ``json.dumps`` writes it, one binding per line (the endpoint's text so far)."""
    def term(t: ox.NamedNode | ox.BlankNode | ox.Literal) -> dict[str, str]:
        if isinstance(t, ox.NamedNode):
            return {"type": "uri", "value": t.value}
        if isinstance(t, ox.BlankNode):
            return {"type": "bnode", "value": t.value}
        out = {"type": "literal", "value": t.value}
        if t.language:
            out["xml:lang"] = t.language
        elif t.datatype.value != XSD_STRING:
            out["datatype"] = t.datatype.value
        return out

    bindings = [json.dumps({n: term(t) for n, t in zip("ab", row, strict=True) if t is not None}, ensure_ascii=False)
                for row in rows]
    return '{"head": {"vars": ["a", "b"]}, "results": {"bindings": [' + ",\n".join(bindings) + "]}}\n"


@settings(max_examples=300, deadline=None)
@given(ROWS)
def test_json_results_read_back_to_the_same_terms_and_text(rows: list[tuple[object, ...]]) -> None:
    written = serialize_solutions(_solutions(rows), "json", Caps())
    assert written.decode("utf-8") == _reference(rows)
    read = ox.parse_query_results(written, format=ox.QueryResultsFormat.JSON)
    assert isinstance(read, ox.QuerySolutions)
    again = [tuple(s[v] for v in ("a", "b")) for s in read]
    assert len(again) == len(rows)
    for got, want in zip(again, rows, strict=True):
        for g, w in zip(got, want, strict=True):
            assert (g is None) == (w is None)
            assert g == w


def test_the_caps_still_hold_with_the_json_writer() -> None:
    rows = [(ox.Literal("é" * 10), None)] * 5
    assert serialize_solutions(_solutions(rows), "json", Caps(max_rows=5))
    with pytest.raises(ResultTooLarge, match="row limit of 4"):
        serialize_solutions(_solutions(rows), "json", Caps(max_rows=4))
    size = len(serialize_solutions(_solutions(rows), "json", Caps()))
    assert serialize_solutions(_solutions(rows), "json", Caps(max_bytes=size))
    with pytest.raises(ResultTooLarge, match="byte limit"):  # bytes of UTF-8, not characters: é is two
        serialize_solutions(_solutions(rows), "json", Caps(max_bytes=size - 1))
