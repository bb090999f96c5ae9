"""The parse that decides what a request is: form, update, SERVICE, dataset, and UCHAR handling."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.query_shape import (
    MAX_DEPTH,
    QuerySyntaxError,
    QueryTooDeep,
    _from_tree_sitter,
    _parse,
    neutralise,
    shape_of,
)


@pytest.mark.parametrize(("text", "operation", "form"), [
    ("SELECT * {}", "query", "select"),
    ("ask {}", "query", "ask"),
    ("CONSTRUCT WHERE { ?s ?p ?o }", "query", "construct"),
    ("DESCRIBE <http://a>", "query", "describe"),
    ("SELECT * {} VALUES ?x { 1 }", "query", "select"),
    ("PREFIX insert: <http://x/> SELECT * { ?s insert:p ?o }", "query", "select"),
    ("# DROP ALL\nASK {}", "query", "ask"),
    ("INSERT DATA { <http://a> <http://b> <http://c> }", "update", None),
    ("PREFIX select: <http://x/> CLEAR ALL ; DROP GRAPH select:g", "update", None),
    ("LOAD <http://x>", "update", None),
    ("", "update", None),  # Update ::= Prologue ( Update1 ( ';' Update )? )? may be empty
    ("PREFIX : <http://example/>\n# otherwise empty", "update", None),
])
def test_operation_and_form(text: str, operation: str, form: str | None) -> None:
    shape = shape_of(text)
    assert (shape.operation, shape.form) == (operation, form)


@pytest.mark.parametrize(("text", "service", "dataset"), [
    ("SELECT * { SERVICE <http://x> {} }", True, False),
    ("SELECT * { { SELECT * { SERVICE SILENT ?e {} } } }", True, False),
    ("SELECT * FROM <http://g> {}", False, True),
    ("SELECT * FROM NAMED <http://g> {}", False, True),
    ('SELECT * { ?s ?p "SERVICE <http://x> {}" }', False, False),
    ("SELECT * { ?s ?p ?o } # SERVICE <http://x> {}", False, False),
    ("SELECT * { ?s <http://e/SERVICE> ?o }", False, False),
    ("PREFIX ex: <http://e/> SELECT * { ?s ex:a\\# ?o . SERVICE <http://x> {} }", True, False),
])
def test_service_and_dataset(text: str, service: bool, dataset: bool) -> None:
    shape = shape_of(text)
    assert (shape.uses_service, shape.names_dataset) == (service, dataset)


@pytest.mark.parametrize(("text", "base"), [
    ("# title: x\nBASE <http://b/>\nPREFIX p: <q/>\nSELECT * {}", True),
    ("PREFIX p: <http://q/> BASE <http://b/> ASK {}", True),
    ('SELECT * { ?s ?p "BASE <http://b/>" }', False),
    ("# BASE <http://b/>\nSELECT * {}", False),
    # tree-sitter-sparql 0.1 cannot read these local names: the second grammar reads the BASE
    ("BASE <http://b/>\nPREFIX : <http://e/>\nSELECT * { :a :123 :12.3 }", True),
    ("PREFIX : <http://e/>\nSELECT * { :a :123 :12.3 }", False),
])
def test_a_base_declaration_of_its_own(text: str, base: bool) -> None:
    assert shape_of(text).declares_base is base


@pytest.mark.parametrize(("text", "volatile"), [
    *[(f"SELECT ({call} AS ?x) {{}}", True) for call in ("NOW()", "now()", "Rand()", "UUID()", "struuid()",
                                                        "BNODE()", 'bnode("a")')],
    ("SELECT * { ?s ?p ?o FILTER(?o < NOW()) }", True),
    ("ASK { BIND(RAND() AS ?r) }", True),
    ("SELECT * { { SELECT (UUID() AS ?u) {} } }", True),
    ("CONSTRUCT { ?s <http://a> [] } WHERE { ?s ?p ?o }", True),
    ("CONSTRUCT { ?s <http://a> [ <http://b> ?o ] } WHERE { ?s ?p ?o }", True),
    ("CONSTRUCT { _:b <http://a> ?o } WHERE { ?s ?p ?o }", True),
    ("CONSTRUCT { ?s <http://a> (1 2) } WHERE { ?s ?p ?o }", True),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", False),
    ("CONSTRUCT WHERE { ?s ?p ?o }", False),
    ("DESCRIBE <http://a>", False),
    ("SELECT * { ?s ?p [] }", False),  # a blank node in a pattern is a variable, not a new node
    ("SELECT * { ?s ?p 'NOW()' }", False),
    ("SELECT * { ?s ?p ?o } # RAND()", False),
    ("PREFIX ex: <http://e/> SELECT * { ?s ex:NOW ?o }", False),
    ("SELECT (STR(?s) AS ?x) { ?s ?p ?o }", False),
    # Read by the second grammar only (tree-sitter-sparql 0.1 rejects these local names, prefixes spelled like
    # keywords, an empty template), which reads the same (an independent attempt found all of them called volatile).
    ("PREFIX a: <http://a/> SELECT * { ?s a:b.c ?o }", False),
    ("PREFIX now: <http://e/> SELECT * { ?s now:p ?o }", False),
    ("PREFIX rand: <http://e/> SELECT * { ?s rand:p ?o } LIMIT 1", False),
    ("CONSTRUCT {} WHERE {}", False),
    ("PREFIX a: <http://example.org/> SELECT * { ?s a:p ?o } LIMIT 1", False),
    ("PREFIX now: <http://example.org/> SELECT (now:x AS ?v) {}", False),
    ("PREFIX now: <http://e/> SELECT (NOW() AS ?x) { ?s now:p ?o }", True),
    ("PREFIX uuid: <http://e/> SELECT * { ?s uuid:p ?o BIND(STRUUID() AS ?u) }", True),
    ("PREFIX a: <http://a/> CONSTRUCT { ?s a:b.c [] } WHERE { ?s ?p ?o }", True),
    ("PREFIX a: <http://a/> CONSTRUCT { ?s a:b.c (1) } WHERE { ?s ?p ?o }", True),
])
def test_a_query_whose_answer_may_change_from_one_run_to_the_next_is_volatile(text: str, volatile: bool) -> None:
    assert shape_of(text).volatile is volatile


@pytest.mark.parametrize("text", ["SELECT * {} ; SELECT * {}", "SELEC * {}",
                                  "\\u0053ELECT * {}", 'SELECT ("\\uZZZZ" AS ?x) {}', "SELECT * { INSERT DATA {} }"])
def test_not_sparql_is_a_syntax_error(text: str) -> None:
    with pytest.raises(QuerySyntaxError):
        shape_of(text)


def test_the_second_grammar_reads_what_tree_sitter_does_not() -> None:
    text = "PREFIX z: <http://example/z#>\nPREFIX : <http://example/>\nSELECT * { :a :123 :12.3 . :: z:: :_12.3_ . }"
    assert _from_tree_sitter(_parse(text)) is None  # tree-sitter-sparql 0.1 lacks these local names
    assert shape_of(text).form == "select"


@pytest.mark.parametrize(("text", "neutral"), [
    ('"\\u0041"', '"x"'),
    ("<http://a/\\u003e>", "<http://a/x>"),
    ('"\\U0001F600"', '"x"'),
    ('"\\\\u0041"', '"\\\\u0041"'),  # an escaped backslash, then plain text
    ('"\\u004"', '"\\u004"'),  # too few digits: not a UCHAR
    ("ex:a\\' ex:b\\#", "ex:a\\' ex:b\\#"),
])
def test_neutralise(text: str, neutral: str) -> None:
    assert neutralise(text) == neutral


def test_escaped_quotes_inside_strings_do_not_end_them() -> None:
    text = 'SELECT * { ?s ?p "\\u0022 } SERVICE <http://x/> { } #" }'
    assert shape_of(text).uses_service is False  # one string to the engine, one string here


@given(st.text(alphabet=st.sampled_from(list('\\uU0041"\'<>#\n\r x')), max_size=40))
def test_neutralise_only_ever_replaces_escapes_by_a_letter_and_cr_by_lf(text: str) -> None:
    neutral = neutralise(text)
    for structural in "\"'<>#":
        assert neutral.count(structural) == text.count(structural)
    assert neutral.count("\n") == text.count("\n") + text.count("\r") and "\r" not in neutral


def test_a_bare_cr_ends_a_comment_as_in_sparql() -> None:
    assert shape_of("SELECT * { # hidden\rSERVICE <http://x/> { ?s ?p ?o } \n}").uses_service
    text = '#\rSELECT ?x { BIND("""\nINSERT DATA { <http://a> <http://b> <http://c> } #""" AS ?x) }'
    assert shape_of(text).operation == "query"


@pytest.mark.parametrize("deep", [
    "SELECT (" + "(" * 300 + "1" + ")" * 300 + " AS ?x) {}",
    "SELECT * {" + "{" * 300 + "}" * 300 + "}",
    "SELECT (" + "+".join(["1"] * 300) + " AS ?x) {}",
    "SELECT * { ?s " + "(" * 300 + "<http://p>" + ")" * 300 + " ?o }",
])
def test_deep_nesting_is_refused_before_the_engine_sees_it(deep: str) -> None:
    # Found by the independent attempt: 20,000 nested parentheses overflowed the engine's stack, killing
    # the worker on every request.
    with pytest.raises(QuerySyntaxError, match="levels deep"):
        shape_of(deep)


@pytest.mark.parametrize("items", [MAX_DEPTH + 1, 4_500, 20_000])
@pytest.mark.parametrize("where", [
    "SELECT * {{ ?s <urn:a> {collection} }}",  # read by tree-sitter
    "PREFIX a: <http://a/> SELECT * {{ ?s a:b.c {collection} }}",  # read by the second grammar only
    "SELECT * {{ ?s <urn:a> ( {collection} ) }}",  # nested in another collection
    "CONSTRUCT {{ ?s <urn:a> {collection} }} WHERE {{}}",
])
def test_a_collection_counts_a_level_for_each_item(items: int, where: str) -> None:
    """helper-48: a collection of 4,500 items (12 KB) overflowed the engine's stack, killing the worker that read it
    on every request (and 300 items took it 8.7 s on an empty store)."""
    text = where.format(collection="(" + " ".join(["1"] * items) + ")")
    with pytest.raises(QueryTooDeep):
        shape_of(text)


@pytest.mark.parametrize("where", ["SELECT * {{ ?s <urn:a> {collection} }}",
                                   "PREFIX a: <http://a/> SELECT * {{ ?s a:b.c {collection} }}"])
def test_a_collection_of_some_items_is_read(where: str) -> None:
    assert shape_of(where.format(collection="(" + " ".join(["1"] * 100) + ")")).form == "select"


def test_ordinary_nesting_is_read() -> None:
    assert shape_of("SELECT (" + "(" * 50 + "1" + ")" * 50 + " AS ?x) {}").form == "select"
