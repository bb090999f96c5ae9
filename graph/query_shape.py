"""What a SPARQL request is, read from a parse by a SPARQL 1.1 grammar, never from patterns over the text.

A request is a query or an update; a query has a form (SELECT, ASK, CONSTRUCT, DESCRIBE), may name
its own dataset (FROM / FROM NAMED) and may call out (SERVICE). Strings, comments, IRIs and
local-name escapes (``ex:a\\'``, ``ex:a\\#``) are the grammar's business, so none of them can hide a
keyword or invent one.

Two grammars read the text: tree-sitter-sparql first (compiled, microseconds per query); where it
reports an error, rdflib's SPARQL grammar (pyparsing, slower, accepts constructs tree-sitter lacks).
Text neither accepts is a syntax error. Neither applies the codepoint-escape preprocessing of
SPARQL 1.1 §19.2 to the whole text, because Oxigraph 0.5, the engine that evaluates the query, does
not either: it reads ``\\u``/``\\U`` escapes (UCHAR) inside strings and IRIs only, so
``\\u0053ERVICE`` is not a keyword to it, nor here. Two things the grammars here read differently
from the engine are neutralised first (:func:`neutralise`): neither reads UCHAR, so each one becomes a
letter, which cannot end or open a string, an IRI or a comment; and both end a comment at LF only,
where SPARQL (and the engine) also end it at a bare CR, so CR becomes LF, which is the same
whitespace everywhere else and just as invalid inside short strings and IRIs. The structure the
grammars see is then the structure the engine sees.

The parse runs in the query workers (``graph/executor.py``), under their deadline and memory
limit, so a pathological text costs a worker, never the server.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import tree_sitter
import tree_sitter_sparql

Form = Literal["select", "ask", "construct", "describe"]

# tree-sitter-sparql node types: the query forms, and what may stand beside one at the top level.
_FORMS: dict[str, Form] = {"select_query": "select", "ask_query": "ask", "construct_query": "construct",
                           "describe_query": "describe"}
_BESIDE_A_QUERY = {"prologue", "comment", "values_clause"}
# rdflib's parse-tree names for the same things.
_RDFLIB_VOLATILE = {"Builtin_NOW", "Builtin_RAND", "Builtin_UUID", "Builtin_STRUUID", "Builtin_BNODE"}
_RDFLIB_FORMS: dict[str, Form] = {"SelectQuery": "select", "AskQuery": "ask", "ConstructQuery": "construct",
                                  "DescribeQuery": "describe"}


# Deeper syntax trees are refused: the engine parses and evaluates recursively, and a few thousand
# levels (``((((…))))``, ``1+1+…+1``, ``{{{{…}}}}``) overflow its stack. The competency queries reach 16.
# A collection ``( … )`` of n items counts as n levels: the engine nests its rdf:rest chain, so 4,500 items
# (helper-48: 12 KB of text) overflowed the stack too, killing the worker at each request.
MAX_DEPTH = 256


class QuerySyntaxError(ValueError):
    """The text is neither a SPARQL 1.1 query nor an update."""


class QueryTooDeep(QuerySyntaxError):
    """The text nests deeper than ``MAX_DEPTH``: not to be handed to the engine at all, not even to parse."""


@dataclass(frozen=True)
class QueryShape:
    """What the parse says a request is."""

    operation: Literal["query", "update"]
    form: Form | None  # None for an update
    uses_service: bool
    names_dataset: bool  # FROM or FROM NAMED
    declares_base: bool = False  # a BASE declaration of its own
    # Its answer may differ from one evaluation to the next (NOW, RAND, UUID, STRUUID, BNODE, or the blank nodes a
    # CONSTRUCT makes): no strong validator may be promised for it (RFC 9110 §8.8.1).
    volatile: bool = False

    @property
    def returns_graph(self) -> bool:
        """CONSTRUCT and DESCRIBE answer RDF; SELECT and ASK answer result sets."""
        return self.form in ("construct", "describe")


@cache
def _tree_sitter() -> tuple[tree_sitter.Parser, tree_sitter.Query]:
    with warnings.catch_warnings():  # tree-sitter-sparql 0.1 hands over its language as an int
        warnings.simplefilter("ignore", DeprecationWarning)
        language = tree_sitter.Language(tree_sitter_sparql.language())
    captures = tree_sitter.Query(language, "(service_graph_pattern) @service (dataset_clause) @dataset "
                                           "(base_declaration) @base "
                                           '(build_in_function ["NOW" "RAND" "UUID" "STRUUID" "BNODE"]) @volatile '
                                           "(blank_node_label) @bnode (anon) @bnode (blank_node_property_list) @bnode "
                                           "(collection) @bnode")
    return tree_sitter.Parser(language), captures


def _parse(text: str) -> tree_sitter.Node:
    parser, _ = _tree_sitter()
    return parser.parse(text.encode("utf-8", "surrogatepass")).root_node


def _depth(root: tree_sitter.Node) -> int:
    """How deep the syntax tree goes, a collection's items each a level below the one before (a walk with
    tree-sitter's cursor, no recursion)."""
    cursor, depth, deepest = root.walk(), 0, 0
    while True:
        if cursor.goto_first_child():
            depth += 1
        else:
            while not cursor.goto_next_sibling():
                if not cursor.goto_parent():
                    return deepest
                depth -= 1
        node = cursor.node
        deepest = max(deepest, depth + (node.named_child_count if node and node.type == "collection" else 0))


def _from_tree_sitter(root: tree_sitter.Node) -> QueryShape | None:
    """The shape from tree-sitter-sparql's tree, or ``None`` where its grammar reports an error."""
    _, captures = _tree_sitter()
    if root.has_error:
        return None
    # A tree of fewer nodes than MAX_DEPTH cannot be deeper (most queries): no walk needed.
    if root.descendant_count > MAX_DEPTH and (depth := _depth(root)) > MAX_DEPTH:
        raise QueryTooDeep(f"the query nests {depth} levels deep; this endpoint reads at most {MAX_DEPTH}")
    found = tree_sitter.QueryCursor(captures).captures(root)
    service, dataset, base = bool(found.get("service")), bool(found.get("dataset")), bool(found.get("base"))
    top = [child.type for child in root.children]
    forms = [_FORMS[t] for t in top if t in _FORMS]
    if len(forms) == 1 and all(t in _FORMS or t in _BESIDE_A_QUERY for t in top):
        # A CONSTRUCT's blank nodes are new at each evaluation; counted wherever they are written (the template, or
        # the pattern that is the template of CONSTRUCT WHERE), which can only call more queries volatile.
        volatile = bool(found.get("volatile")) or (forms[0] == "construct" and bool(found.get("bnode")))
        return QueryShape("query", forms[0], service, dataset, base, volatile)
    if not forms:  # the grammar's Update may be empty: a prologue, comments, nothing at all
        return QueryShape("update", None, service, dataset, base)
    return None  # a query mixed with something else: let the second grammar decide


def values_blocks(text: str) -> dict[str, tuple[int, int]]:
    """Each one-variable ``VALUES ?var { … }`` block of ``text``: variable name → the byte span (of the UTF-8
    text) of its ``{ … }``, read from tree-sitter-sparql's tree (a block in a string or a comment is no block);
    :class:`QuerySyntaxError` where the grammar reports an error. The first block of a variable wins."""
    root = _parse(text)
    if root.has_error:
        raise QuerySyntaxError("tree-sitter-sparql reports a syntax error")
    found: dict[str, tuple[int, int]] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        kinds = [child.type for child in node.children]
        if node.type == "data_block" and kinds[:2] == ["var", "{"] and kinds[-1] == "}":
            name = (node.children[0].text or b"").decode("utf-8")[1:]  # without its ? or $
            found.setdefault(name, (node.children[1].start_byte, node.children[-1].end_byte))
        stack.extend(reversed(node.children))
    return found


def _walk(node: Any) -> list[Any]:
    """Every item under ``node`` (rdflib ``CompValue``s and the terms they hold), depth-first, without recursion."""
    from rdflib.plugins.sparql.parserutils import CompValue

    items: list[Any] = []
    stack = [node]
    while stack:
        item = stack.pop()
        items.append(item)
        if isinstance(item, CompValue):
            stack.extend(item.values())
        elif isinstance(item, list | tuple) or hasattr(item, "asList"):
            stack.extend(item)
    return items


def _from_rdflib(text: str) -> QueryShape | None:
    """The shape from rdflib's SPARQL grammar (without its whole-text ``\\u`` expansion), or ``None``."""
    from pyparsing import ParseException
    from rdflib import RDF, BNode, URIRef
    from rdflib.plugins.sparql import parser
    from rdflib.plugins.sparql.parserutils import CompValue

    for grammar, operation in ((parser.Query, "query"), (parser.UpdateUnit, "update")):
        try:
            parsed = grammar.parse_string(text, parse_all=True)
        except (ParseException, RecursionError, ValueError):
            continue
        items = _walk(parsed)
        # rdflib writes a collection out as its rdf:first/rdf:rest triples: the rdf:rest links bound its length.
        if (links := sum(1 for item in items if isinstance(item, URIRef) and item == RDF.rest)) > MAX_DEPTH:
            raise QueryTooDeep(f"the query's collections chain {links} rdf:rest links; this endpoint reads at most "
                               f"{MAX_DEPTH}")
        names = [item.name for item in items if isinstance(item, CompValue)]
        service = "ServiceGraphPattern" in names
        if operation == "update":
            return QueryShape("update", None, service, False)
        forms = [_RDFLIB_FORMS[n] for n in names if n in _RDFLIB_FORMS]
        dataset = "DatasetClause" in names
        if not forms:
            return None
        volatile = any(name in _RDFLIB_VOLATILE for name in names) or (
            forms[0] == "construct" and any(isinstance(item, BNode) for item in items))
        return QueryShape("query", forms[0], service, dataset, "Base" in names, volatile)
    return None


_HEX = frozenset("0123456789abcdefABCDEF")


def neutralise(text: str) -> str:
    """``text`` with every bare CR made LF, and every UCHAR (``\\uXXXX``, ``\\UXXXXXXXX``) replaced by
    ``x``, reading backslashes as the SPARQL lexer does: a backslash and the character after it form a
    pair, so ``\\\\u0041`` (an escaped backslash, then ``u0041``) is left as it is."""
    text = text.replace("\r", "\n")  # SPARQL ends a comment at CR or LF (§19.6)
    if "\\u" not in text and "\\U" not in text:
        return text
    out: list[str] = []
    position = 0
    while (slash := text.find("\\", position)) >= 0:
        out.append(text[position:slash])
        marker = text[slash + 1:slash + 2]
        width = 4 if marker == "u" else 8 if marker == "U" else 0
        digits = text[slash + 2:slash + 2 + width]
        if width and len(digits) == width and all(c in _HEX for c in digits):
            out.append("x")
            position = slash + 2 + width
        else:
            out.append(text[slash:slash + 2])
            position = slash + 2
    out.append(text[position:])
    return "".join(out)


def shape_of(text: str) -> QueryShape:
    """Parse ``text`` and say what it is; :class:`QuerySyntaxError` when no SPARQL 1.1 grammar accepts it."""
    text = neutralise(text)
    shape = _from_tree_sitter(_parse(text)) or _from_rdflib(text)
    if shape is None:
        raise QuerySyntaxError("no SPARQL 1.1 grammar accepts the text")
    return shape
