"""The seam reads every engine's way of writing an answer as the embedded store writes it (``graph/remote_answers.py``).

The bodies are written as Virtuoso 7.2.5 writes them (SPARQL 1.0's ``typed-literal``, a tab before commas);
``tests/test_backends.py`` checks the same through a real Virtuoso."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from graph.remote_answers import XSD_BOOLEAN, UnreadableAnswer, blank_node_label, read_solutions, read_triples

XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"


def _table(variables: list[str], *rows: dict[str, dict[str, str]]) -> bytes:
    body = {"head": {"link": [], "vars": variables},
            "results": {"distinct": False, "ordered": True, "bindings": list(rows)}}
    return json.dumps(body).replace(",", "\t,").encode()


def _integer(value: str) -> dict[str, str]:
    return {"type": "typed-literal", "datatype": XSD_INTEGER, "value": value}


def test_an_ask_answered_as_a_table_is_its_boolean() -> None:
    true = read_solutions(_table(["__ASK_RETVAL"], {"__ASK_RETVAL": _integer("1")}), ask=True)
    false = read_solutions(_table(["__ASK_RETVAL"]), ask=True)
    assert isinstance(true, ox.QueryBoolean) and bool(true) is True
    assert isinstance(false, ox.QueryBoolean) and bool(false) is False
    zero = read_solutions(_table(["__ASK_RETVAL"], {"__ASK_RETVAL": _integer("0")}), ask=True)
    assert bool(zero) is False


def test_an_ask_answered_as_a_boolean_is_read_as_it_is() -> None:
    assert bool(read_solutions(b'{"head": {}, "boolean": true}', ask=True)) is True


def test_a_table_that_holds_no_boolean_is_no_ask_answer() -> None:
    two = _table(["a", "b"], {"a": _integer("1"), "b": _integer("1")})
    with pytest.raises(UnreadableAnswer, match="holding no boolean"):
        read_solutions(two, ask=True)


def test_a_select_is_never_read_as_a_boolean() -> None:
    result = read_solutions(_table(["n"], {"n": _integer("1")}))
    assert isinstance(result, ox.QuerySolutions)
    assert [s["n"] for s in result] == [ox.Literal("1", datatype=ox.NamedNode(XSD_INTEGER))]


def test_booleans_get_their_canonical_form() -> None:
    rows = [{"b": {"type": "typed-literal", "datatype": XSD_BOOLEAN, "value": value}} for value in ("1", "0", "true")]
    result = read_solutions(_table(["b"], *rows))
    assert isinstance(result, ox.QuerySolutions)
    assert [s["b"].value for s in result] == ["true", "false", "true"]  # type: ignore[union-attr]


def test_booleans_in_triples_get_their_canonical_form() -> None:
    body = (f'<urn:a> <urn:p> "1"^^<{XSD_BOOLEAN}> .\n<urn:a> <urn:p> "0"^^<{XSD_BOOLEAN}> .\n'
            '<urn:a> <urn:p> "1" .\n').encode()
    assert [t.object.value for t in read_triples(body)] == ["true", "false", "1"]


def test_blank_node_labels_json_does_not_allow_are_made_valid_consistently() -> None:
    rows = [{"r": {"type": "bnode", "value": label}} for label in ("nodeID://b10013", "nodeID://b10023",
                                                                   "nodeID://b10013", "b1")]
    result = read_solutions(_table(["r"], *rows))
    assert isinstance(result, ox.QuerySolutions)
    labels = [s["r"].value for s in result]  # type: ignore[union-attr]
    assert labels[0] == labels[2] != labels[1]
    assert labels[3] == "b1", "a valid label is kept"
    assert blank_node_label("nodeID://b10013") == labels[0]
