"""Forms: what a request is comes from the parse, so no prefix name, string or comment changes it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.adversarial.conftest import WAYS, send

KEYWORDS = ["add", "load", "drop", "copy", "move", "clear", "create", "insert", "delete", "with", "select",
            "construct", "describe", "ask", "service", "data", "where", "from", "named", "graph"]

FORMS = {  # query text (with {k} a prefix name) → media type of its answer
    "PREFIX {k}: <http://x/> SELECT * WHERE {{ ?s {k}:p ?o }} LIMIT 1": "application/sparql-results+json",
    "PREFIX {k}: <http://x/> ASK {{ ?s {k}:p ?o }}": "application/sparql-results+json",
    "PREFIX {k}: <http://x/> CONSTRUCT {{ ?s {k}:p ?o }} WHERE {{ ?s {k}:p ?o }}": "text/turtle",
    "PREFIX {k}: <http://x/> DESCRIBE {k}:a": "text/turtle",
}


@pytest.mark.parametrize("keyword", KEYWORDS)
@pytest.mark.parametrize(("template", "media"), FORMS.items())
def test_keyword_prefixes_do_not_change_the_form(endpoint: str, keyword: str, template: str, media: str) -> None:
    response = send(endpoint, template.format(k=keyword), "get")
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].split(";")[0] == media


def test_a_select_named_like_construct_is_negotiated_as_a_select(endpoint: str) -> None:
    query = "PREFIX construct: <http://x/> SELECT * WHERE { ?s construct:a ?o }"
    response = send(endpoint, query, "get", accept="application/sparql-results+json, text/turtle;q=0.5")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/sparql-results+json")


def test_a_describe_named_like_select_gets_rdf(endpoint: str) -> None:
    query = "PREFIX select: <http://x/> DESCRIBE select:a"
    response = send(endpoint, query, "get", accept="application/sparql-results+json, text/turtle;q=0.5")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/turtle")


def test_no_acceptable_format_for_the_form_is_406_naming_that_forms_types(endpoint: str) -> None:
    select = send(endpoint, "SELECT * {} LIMIT 1", "get", accept="text/turtle")
    assert select.status_code == 406 and "application/sparql-results+json" in select.text
    construct = send(endpoint, "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "get", accept="text/csv")
    assert construct.status_code == 406 and "text/turtle" in construct.text


UPDATES = [
    "INSERT DATA { <http://a> <http://b> <http://c> }",
    "DELETE DATA { <http://a> <http://b> <http://c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "LOAD <http://127.0.0.1:9/x>",
    "CLEAR ALL",
    "CREATE GRAPH <http://g>",
    "DROP DEFAULT",
    "COPY DEFAULT TO <http://g>",
    "MOVE <http://a> TO <http://b>",
    "ADD <http://a> TO <http://b>",
    "PREFIX select: <http://x/> # SELECT * {}\ninsert data { select:a select:b select:c }",
    "CLEAR ALL ; DROP ALL",
]


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("update", UPDATES)
def test_updates_are_refused_as_updates(endpoint: str, update: str, way: str) -> None:
    response = send(endpoint, update, way)
    assert response.status_code == 403, response.text
    assert "read-only" in response.text


# Found by the independent attempt: a comment ended by a bare CR hid the real form from the parse.
CR_COMMENTS = {
    '#\rSELECT ?x { BIND("""\nINSERT DATA { <http://a> <http://b> <http://c> } #""" AS ?x) }':
        "application/sparql-results+json",
    '#\rSELECT ?x { BIND("""\nCONSTRUCT WHERE { ?s ?p ?o } #""" AS ?x) }': "application/sparql-results+json",
    '#\rCONSTRUCT { <http://a> <http://b> """\nSELECT * { } #""" } WHERE {}': "text/turtle",
}


@pytest.mark.parametrize(("query", "media"), CR_COMMENTS.items())
def test_a_comment_ends_at_a_bare_cr(endpoint: str, query: str, media: str) -> None:
    response = send(endpoint, query, "direct", accept="application/sparql-results+json, text/turtle;q=0.9")
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].split(";")[0] == media


@given(
    keyword=st.sampled_from(KEYWORDS),
    form=st.sampled_from(list(FORMS.items())),
    noise=st.sampled_from(["", "# INSERT DATA { }\n", "#DROP ALL\n", "\n\t"]),
)
def test_generated_form_confusion(endpoint: str, keyword: str, form: tuple[str, str], noise: str) -> None:
    template, media = form
    response = send(endpoint, noise + template.format(k=keyword), "direct")
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].split(";")[0] == media


# Found by the independent attempt: reads with UCHAR escapes were refused, and a FROM hidden behind a
# comment ended by a bare CR was not seen, so the query ran over the wrong dataset.
@pytest.mark.parametrize("query", ['SELECT ?x WHERE { BIND("\\u0041" AS ?x) }', "ASK { <http://a/\\u0062> ?p ?o }",
                                   'SELECT * { ?s ?p "\\U0001f46a" }'])
def test_uchar_escapes_are_read(endpoint: str, query: str) -> None:
    assert send(endpoint, query, "direct").status_code == 200


def test_a_from_behind_a_cr_comment_is_honoured(endpoint: str) -> None:
    query = "SELECT (COUNT(*) AS ?n) # x\rFROM <http://nonexistent/>\nWHERE { ?s ?p ?o }"
    response = send(endpoint, query, "direct", accept="application/sparql-results+json")
    assert response.status_code == 200
    assert response.json()["results"]["bindings"][0]["n"]["value"] == "0"
