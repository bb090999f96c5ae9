"""Serialize query answers in every SPARQL 1.1 result format, counting rows as they are written.

SELECT/ASK: SPARQL 1.1 Query Results JSON (https://www.w3.org/TR/sparql11-results-json/),
XML (https://www.w3.org/TR/rdf-sparql-XMLres/), CSV and TSV (https://www.w3.org/TR/sparql11-results-csv-tsv/).
CONSTRUCT/DESCRIBE: the RDF formats pyoxigraph writes. The caps are enforced here so that a
too-large answer is known before any byte reaches a client.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from json.encoder import encode_basestring as _json_string  # what json.dumps(ensure_ascii=False) uses
from xml.parsers import expat
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from .formats import rdf_format
from .store import QueryResult

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


class ResultTooLarge(Exception):
    """The answer exceeds the row or byte cap."""

    def __init__(self, limit: str, value: int) -> None:
        self.limit = limit
        self.value = value
        super().__init__(f"the answer exceeds the {limit} limit of {value}")


class NotRepresentable(ValueError):
    """The answer holds characters the chosen format cannot carry (XML 1.0 has no C0 controls)."""


# Characters XML 1.0 cannot carry, even escaped (https://www.w3.org/TR/xml/#charsets), as UTF-8 bytes.
_NOT_XML = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")


def _xml_checked(data: bytes, fmt: str) -> bytes:
    """``data`` if an XML parser reads it as well-formed; :class:`NotRepresentable` naming why not."""
    if (found := _NOT_XML.search(data)) is not None:
        raise NotRepresentable(f"the answer holds a character XML 1.0 cannot carry ({found.group()!r}); "
                               f"ask for a format other than {fmt}")
    try:
        expat.ParserCreate(namespace_separator=" ").Parse(data, True)
    except expat.ExpatError as exc:
        # The engine writes a predicate whose IRI has no XML name at its end (it ends in '/' or '#', or its last
        # segment starts with a digit) as an element named 'oxprefix:' (helper-48): RDF/XML cannot carry it.
        raise NotRepresentable(f"the answer cannot be written as well-formed {fmt} ({expat.errors.messages[exc.code]}"
                               f" at line {exc.lineno}; in RDF/XML, a predicate IRI must end in an XML name); ask "
                               "for another format") from None
    return data


@dataclass(frozen=True)
class Caps:
    """Row and byte caps of one answer."""

    max_rows: int = 100_000
    max_bytes: int = 64 * 1024 * 1024


def kind_of(result: QueryResult) -> str:
    """``solutions``, ``boolean`` or ``graph``."""
    if isinstance(result, ox.QueryBoolean):
        return "boolean"
    if isinstance(result, ox.QuerySolutions):
        return "solutions"
    return "graph"


def _json_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    """The term as a SPARQL JSON results object, written as ``json.dumps(..., ensure_ascii=False)`` writes it (its
    own string encoder; a dict and a ``dumps`` call per term cost the light query four times its engine time)."""
    if isinstance(term, ox.NamedNode):
        return '{"type": "uri", "value": ' + _json_string(term.value) + "}"
    if isinstance(term, ox.BlankNode):
        return '{"type": "bnode", "value": ' + _json_string(term.value) + "}"
    head = '{"type": "literal", "value": ' + _json_string(term.value)
    if term.language:
        return head + ', "xml:lang": ' + _json_string(term.language) + "}"
    if term.datatype.value != XSD_STRING:
        return head + ', "datatype": ' + _json_string(term.datatype.value) + "}"
    return head + "}"


def _xml_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype.value != XSD_STRING:
        return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


def _csv_field(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str:
    if term is None:
        return ""
    value = f"_:{term.value}" if isinstance(term, ox.BlankNode) else term.value
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _tsv_field(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str:
    # TSV cells are terms in SPARQL/Turtle syntax; pyoxigraph's str() gives N-Triples syntax.
    return "" if term is None else str(term)


class _Budget:
    def __init__(self, caps: Caps) -> None:
        self.caps = caps
        self.bytes = 0
        self.rows = 0

    def row(self) -> None:
        self.rows += 1
        if self.rows > self.caps.max_rows:
            raise ResultTooLarge("row", self.caps.max_rows)

    def add(self, chunk: str, parts: list[str]) -> None:
        # The cap counts the bytes sent, not characters (an emoji is 4 bytes of UTF-8).
        self.bytes += len(chunk) if chunk.isascii() else len(chunk.encode("utf-8"))
        if self.bytes > self.caps.max_bytes:
            raise ResultTooLarge("byte", self.caps.max_bytes)
        parts.append(chunk)


def serialize_solutions(result: ox.QuerySolutions, fmt: str, caps: Caps) -> bytes:
    """SELECT answer in ``json``, ``xml``, ``csv`` or ``tsv``."""
    names = [v.value for v in result.variables]
    budget = _Budget(caps)
    parts: list[str] = []
    if fmt == "json":
        budget.add(json.dumps({"head": {"vars": names}})[:-1] + ', "results": {"bindings": [', parts)
        first = True
        keys = [(n, _json_string(n) + ": ") for n in names]
        for solution in result:
            budget.row()
            members = [key + _json_term(term) for n, key in keys if (term := solution[n]) is not None]
            budget.add(("{" if first else ",\n{") + ", ".join(members) + "}", parts)
            first = False
        budget.add("]}}\n", parts)
    elif fmt == "xml":
        budget.add('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>'
                   + "".join(f"<variable name={quoteattr(n)}/>" for n in names) + "</head>\n<results>\n", parts)
        for solution in result:
            budget.row()
            cells = "".join(
                f"<binding name={quoteattr(n)}>{_xml_term(solution[n])}</binding>"
                for n in names if solution[n] is not None
            )
            budget.add(f"<result>{cells}</result>\n", parts)
        budget.add("</results>\n</sparql>\n", parts)
    elif fmt == "csv":
        budget.add(",".join(names) + "\r\n", parts)
        for solution in result:
            budget.row()
            budget.add(",".join(_csv_field(solution[n]) for n in names) + "\r\n", parts)
    elif fmt == "tsv":
        budget.add("\t".join(f"?{n}" for n in names) + "\n", parts)
        for solution in result:
            budget.row()
            budget.add("\t".join(_tsv_field(solution[n]) for n in names) + "\n", parts)
    else:
        raise ValueError(f"not a result format for SELECT: {fmt}")
    return "".join(parts).encode("utf-8")


def serialize_boolean(value: bool, fmt: str) -> bytes:
    """ASK answer in ``json``, ``xml``, ``csv`` or ``tsv``."""
    text = "true" if value else "false"
    if fmt == "json":
        return (json.dumps({"head": {}, "boolean": value}) + "\n").encode()
    if fmt == "xml":
        return (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'
            f"<head/>\n<boolean>{text}</boolean>\n</sparql>\n"
        ).encode()
    if fmt in ("csv", "tsv"):
        return f"_askResult\r\n{text}\r\n".encode() if fmt == "csv" else f"?_askResult\n{text}\n".encode()
    raise ValueError(f"not a result format for ASK: {fmt}")


def serialize_triples(triples: Iterable[ox.Triple], fmt: str, caps: Caps) -> bytes:
    """CONSTRUCT/DESCRIBE answer in an RDF format (quad formats put it in the default graph)."""
    budget = _Budget(caps)
    collected: list[ox.Triple] = []
    for triple in triples:
        budget.row()
        collected.append(triple)
    chosen = rdf_format(fmt)
    items: list[ox.Triple] | list[ox.Quad] = collected
    if chosen.supports_datasets:
        items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in collected]
    data = ox.serialize(items, format=chosen)
    assert data is not None
    if len(data) > caps.max_bytes:
        raise ResultTooLarge("byte", caps.max_bytes)
    return data


def serialize(result: QueryResult, fmt: str, caps: Caps) -> bytes:
    """Serialize any query answer in the format key ``fmt``."""
    if isinstance(result, ox.QueryBoolean):
        return serialize_boolean(bool(result), fmt)
    if isinstance(result, ox.QuerySolutions):
        data = serialize_solutions(result, fmt, caps)
    else:
        data = serialize_triples(result, fmt, caps)
    return _xml_checked(data, fmt) if fmt in ("xml", "rdf") else data
