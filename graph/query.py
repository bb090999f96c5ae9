"""Run SPARQL against a release and format the answer for a terminal or a pipe."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .formats import QUERY_OUTPUTS, rdf_format, results_format
from .paths import resource_dir
from .query_shape import Form, shape_of, values_blocks
from .store import QueryResult
from .vocab import BASE, compact, expand, sparql_prefixes

Term = ox.NamedNode | ox.BlankNode | ox.Literal
_HEADER_FIELD = re.compile(r"^#\s*(\w+):\s*(.*)$")


@dataclass(frozen=True)
class NamedQuery:
    """A ``.rq`` file of ``queries/``, with the fields of its header comment."""

    name: str
    path: Path
    title: str
    question: str
    parameters: dict[str, str] = field(default_factory=dict)  # variable → description

    @property
    def text(self) -> str:
        """The SPARQL text, bound to the base IRI (see :func:`with_base`): what is run and what is shown."""
        return with_base(self.path.read_text(encoding="utf-8"))


def with_base(sparql: str) -> str:
    """``sparql`` with a ``BASE <base IRI>`` declaration after its header comment.

    The query files write local IRIs relative to the base (``PREFIX dkg: <id/>``); the declaration
    makes the text self-contained, so any SPARQL client (the store, the endpoint, a copy pasted into
    another tool) resolves them as the build does. Whole-line comments cannot hold an open string,
    so the declaration after them is the first thing the parser reads.
    """
    lines = sparql.splitlines(keepends=True)
    header = 0
    while header < len(lines) and lines[header].lstrip().startswith("#"):
        header += 1
    comment = "".join(lines[:header])
    if comment and not comment.endswith(("\n", "\r")):
        comment += "\n"  # a comment runs to the end of its line
    return comment + f"BASE <{BASE}>\n" + "".join(lines[header:])


def named_query(path: Path) -> NamedQuery:
    """Read a ``.rq`` file's ``# title:`` and ``# question:`` header lines."""
    header: dict[str, str] = {}
    parameters: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER_FIELD.match(line)
        if match and match.group(1).lower() == "parameters":
            variable, _, description = match.group(2).partition(" ")
            parameters[variable.lstrip("?")] = description.strip(" —-")
        elif match:
            header[match.group(1).lower()] = match.group(2).strip()
    name = path.name.removesuffix(".rq")
    return NamedQuery(name, path, header.get("title", name), header.get("question", ""), parameters)


class ParameterError(ValueError):
    """A named query's parameter is unknown or its value is not an IRI."""


def parameter_iri(variable: str, value: str) -> str:
    """The IRI a parameter value names: an absolute IRI (bare or in ``<…>``) or a CURIE of the project's prefixes;
    anything else (empty, an unknown prefix, a prefix with no local part, a text the IRI grammar rejects) is a
    :class:`ParameterError` naming the parameter."""
    text = value.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    if not text:
        raise ParameterError(f"{variable}: an empty value; give an IRI or a CURIE (HP:0000643)")
    try:
        iri = str(expand(text))
    except ValueError as exc:
        raise ParameterError(f"{variable}: {exc}") from None
    _, colon, local = text.partition(":")
    if colon and not local:
        raise ParameterError(f"{variable}: {value[:80]!r} names a prefix and no term")
    try:
        ox.NamedNode(iri)  # the IRI grammar (RFC 3987), as the engine reads it
    except ValueError:
        raise ParameterError(f"{variable}: {value[:80]!r} is not an IRI") from None
    if not iri.startswith(("http://", "https://")):
        raise ParameterError(f"{variable}: {value[:80]!r} is not an http(s) IRI")
    return iri


def parameter_iris(query: NamedQuery, values: dict[str, list[str]]) -> dict[str, list[str]]:
    """The IRIs the given values name, by parameter: each name must be one of the query's parameters, and each value
    an IRI or a CURIE of the project's prefixes (:func:`parameter_iri`); anything else is a :class:`ParameterError`."""
    for variable in values:
        if variable not in query.parameters:
            known = ", ".join(sorted(query.parameters)) or "none"
            raise ParameterError(f"{query.name} has no parameter {variable!r} (parameters: {known})")
    return {variable: [parameter_iri(variable, value) for value in given] for variable, given in values.items()}


def bind_parameters(query: NamedQuery, iris: dict[str, list[str]]) -> str:
    """The query text with each parameter's ``VALUES ?var { … }`` block replaced by its IRIs (from
    :func:`parameter_iris`). The blocks are found by a parse (:func:`graph.query_shape.values_blocks`)."""
    blocks = values_blocks(query.text)
    replacements: list[tuple[tuple[int, int], str]] = []
    for variable, given in iris.items():
        if variable not in blocks:
            raise ParameterError(f"{query.name}: no VALUES block for ?{variable}")
        replacements.append((blocks[variable], "{ " + " ".join(f"<{iri}>" for iri in given) + " }"))
    data = query.text.encode("utf-8")
    for (start, end), block in sorted(replacements, reverse=True):  # from the end: earlier spans stay valid
        data = data[:start] + block.encode("utf-8") + data[end:]
    return data.decode("utf-8")


def query_form(query: NamedQuery) -> Form:
    """SELECT, ASK, CONSTRUCT or DESCRIBE, read from a parse of the query's text (``graph/query_shape.py``)."""
    form = shape_of(query.text).form
    if form is None:
        raise ValueError(f"{query.path}: a named query must be a query, not an update")
    return form


def parameter_defaults(query: NamedQuery) -> dict[str, list[str]]:
    """The IRIs each parameter's ``VALUES`` block holds (what runs when the parameter is not given), read from the
    query's algebra (rdflib's SPARQL parser resolves the prefixed names and the base); a declared parameter without
    a block has none."""
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    found: dict[str, list[str]] = {name: [] for name in query.parameters}
    if not found:
        return found  # nothing to look for: spare the parse (rdflib's grammar is slow)
    stack: list[object] = [prepareQuery(query.text).algebra]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            if node.name == "values":
                for row in node["res"]:
                    for variable, term in row.items():
                        if str(variable) in found and term is not None:
                            found[str(variable)].append(str(term))
            stack.extend(node.values())
        elif isinstance(node, list | tuple):
            stack.extend(node)
    return found


def named_queries(queries_dir: Path | None = None) -> list[NamedQuery]:
    """The competency questions (QC ``*-violation.rq`` checks excluded), sorted by name."""
    root = queries_dir or resource_dir("queries")
    return [named_query(p) for p in sorted(root.glob("*.rq")) if not p.name.endswith("-violation.rq")]


def resolve_query(argument: str) -> str:
    """SPARQL text from an ``.rq`` path, the name of a query in ``queries/``, or the text itself."""
    candidate = Path(argument)
    if argument.endswith(".rq") and candidate.is_file():
        return candidate.read_text(encoding="utf-8")
    named = resource_dir("queries") / f"{argument}.rq"
    if "\n" not in argument and " " not in argument and named.is_file():
        return named.read_text(encoding="utf-8")
    if argument.endswith(".rq"):
        raise FileNotFoundError(f"no query file {argument}")
    return argument


def with_prefixes(sparql: str) -> str:
    """Prepend the base IRI and the project's PREFIX declarations, so short names and the query
    files' relative IRIs work in ad-hoc queries."""
    return f"BASE <{BASE}>\n" + sparql_prefixes() + sparql


def term_value(term: Term) -> str:
    """The IRI, blank node label or lexical form of a term, as SPARQL JSON's ``value`` gives it."""
    return term.value


def compact_term(term: Term) -> str:
    """A term as the terminal table and the golden files show it: IRIs as CURIEs, blank nodes as ``_:b``."""
    if isinstance(term, ox.NamedNode):
        return compact(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def solution_rows(result: QueryResult, cell: Callable[[Term], str] = term_value) -> list[dict[str, str]]:
    """A SELECT answer as rows: one dict per solution, variable name → ``cell(term)``; unbound variables are
    left out (``row.get(name, "")``)."""
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError("not a SELECT result")
    if cell is term_value:
        # The engine writes SPARQL JSON (without holding the GIL) and the C parser reads it: three times faster
        # than a Python call per term, on the build's and the catalog's large answers.
        data = result.serialize(format=ox.QueryResultsFormat.JSON)
        assert data is not None  # pyoxigraph returns None only when writing to a given output
        return json_rows(data)
    names = [v.value for v in result.variables]
    rows = []
    for solution in result:
        rows.append({name: cell(term) for name in names if (term := solution[name]) is not None})
    return rows


def json_rows(data: bytes) -> list[dict[str, str]]:
    """A SPARQL 1.1 JSON SELECT answer as rows of variable name → ``value`` (as :func:`solution_rows`)."""
    bindings = json.loads(data)["results"]["bindings"]
    return [{name: term["value"] for name, term in binding.items()} for binding in bindings]


def _text(data: bytes | None) -> str:
    assert data is not None  # pyoxigraph returns None only when writing to a given output
    return data.decode("utf-8")


def format_result(result: QueryResult, fmt: str) -> str:
    """Render a query result as ``table``, ``csv``, ``tsv`` or ``json``."""
    if fmt not in QUERY_OUTPUTS:
        raise ValueError(f"unknown format {fmt!r} (choose from {', '.join(QUERY_OUTPUTS)})")
    if isinstance(result, ox.QueryBoolean):
        if fmt == "table":
            return "true" if bool(result) else "false"
        return _text(result.serialize(format=results_format(fmt)))
    if not isinstance(result, ox.QuerySolutions):
        if fmt in ("csv", "tsv"):  # tables of solutions: a graph has none
            raise ValueError(f"--format {fmt} is for SELECT and ASK; a CONSTRUCT or DESCRIBE prints as Turtle "
                             "(table) or JSON-LD (json)")
        return _text(ox.serialize(result, format=rdf_format("jsonld" if fmt == "json" else "ttl")))
    if fmt != "table":
        return _text(result.serialize(format=results_format(fmt)))
    names = [v.value for v in result.variables]
    rows = [[row.get(name, "") for name in names] for row in solution_rows(result, compact_term)]
    return render_table(names, rows)


def render_table(header: list[str], rows: list[list[str]]) -> str:
    """A plain aligned text table with a row count."""
    widths = [len(h) for h in header]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    out = io.StringIO()
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()
    out.write(line + "\n" + "  ".join("-" * w for w in widths) + "\n")
    for row in rows:
        out.write("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n")
    out.write(f"({len(rows)} row{'s' if len(rows) != 1 else ''})\n")
    return out.getvalue()
