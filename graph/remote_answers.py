"""A remote engine's answer read into pyoxigraph's types, with what engines write differently for the same
answer made the same (the seam's ``sparql:URL`` backend reads every answer through here).

Each difference handled here is a way of writing one value, never a different value:

- an ASK answered as a one-row table (Virtuoso 7.2 writes ``{"vars": ["__ASK_RETVAL"]}`` with ``1``, or no
  row for false) is read as the boolean it encodes;
- an ``xsd:boolean`` written ``1``/``0`` (Virtuoso stores booleans as integers) gets its canonical form
  ``true``/``false``, as the embedded store writes it;
- a blank node whose label the SPARQL JSON format does not allow (Virtuoso's ``nodeID://b10013``) gets a
  label that it allows, the same one wherever it occurs in the answer.

Answers that hold none of these are handed to pyoxigraph's parser as they came.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pyoxigraph as ox

from .formats import rdf_format, results_format

XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
_CANONICAL_BOOLEAN = {"1": "true", "0": "false"}


class UnreadableAnswer(ValueError):
    """The remote engine's answer does not hold what the query asks for (a table for an ASK without a boolean)."""


def read_solutions(body: bytes, *, ask: bool = False) -> ox.QuerySolutions | ox.QueryBoolean:
    """A SPARQL 1.1 JSON answer; ``ask`` when the query is an ASK (so a table answer is read as its boolean)."""
    if not ask and b"XMLSchema#boolean" not in body and b'"bnode"' not in body:
        return _parse_results(body)  # nothing to make the same: no JSON pass in Python
    data = json.loads(body)
    if "boolean" not in data:
        bindings: list[dict[str, Any]] = data.get("results", {}).get("bindings", [])
        for binding in bindings:
            for term in binding.values():
                _normalise_term(term)
        if ask:
            data = {"head": {}, "boolean": _table_boolean(bindings)}
    return _parse_results(json.dumps(data).encode())


def read_triples(body: bytes) -> list[ox.Triple]:
    """An N-Triples answer (of a CONSTRUCT or DESCRIBE), booleans in their canonical form."""
    triples = list(ox.parse(body, format=rdf_format("nt")))
    if b"XMLSchema#boolean" not in body:
        return triples
    return [ox.Triple(t.subject, t.predicate, _canonical_literal(t.object)) for t in triples]


def _parse_results(body: bytes) -> ox.QuerySolutions | ox.QueryBoolean:
    result = ox.parse_query_results(body, format=results_format("json"))
    assert not isinstance(result, ox.QueryTriples)  # the JSON results format holds solutions or a boolean
    return result


def _normalise_term(term: dict[str, Any]) -> None:
    """Make one SPARQL JSON term's writing canonical, in place."""
    if term.get("type") in ("literal", "typed-literal") and term.get("datatype") == XSD_BOOLEAN:
        term["value"] = _CANONICAL_BOOLEAN.get(term["value"], term["value"])
    elif term.get("type") == "bnode":
        term["value"] = blank_node_label(term["value"])


def _canonical_literal(term: Any) -> Any:
    if isinstance(term, ox.Literal) and term.datatype.value == XSD_BOOLEAN and term.value in _CANONICAL_BOOLEAN:
        return ox.Literal(_CANONICAL_BOOLEAN[term.value], datatype=term.datatype)
    return term


def blank_node_label(label: str) -> str:
    """``label`` when it is a valid blank node label, else one made from its digest (same label, same result)."""
    try:
        ox.BlankNode(label)
    except ValueError:
        return "r" + hashlib.sha256(label.encode()).hexdigest()[:32]
    return label


def _table_boolean(bindings: list[dict[str, Any]]) -> bool:
    """The boolean an ASK answered as a table encodes: no row is false, else its one value says."""
    if not bindings:
        return False
    values = [term.get("value") for term in bindings[0].values()]
    if len(bindings) != 1 or len(values) != 1 or values[0] not in ("1", "0", "true", "false"):
        raise UnreadableAnswer(f"the remote endpoint answered an ASK with a table holding no boolean: {bindings[:2]}")
    return values[0] in ("1", "true")
