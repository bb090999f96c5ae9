"""The named queries of ``queries/`` as an API: ``/queries/`` lists them, ``/queries/<name>`` runs one."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request, url_for

from graph.describe import sparql_iri
from graph.query import ParameterError, bind_parameters, named_queries, parameter_iris

from . import errors
from .pool import select_rows
from .sparql import ProtocolRequest, run_query

bp = Blueprint("queries", __name__)


@bp.route("/queries/")
def index() -> Response:
    """Title, question and URL of every named query."""
    return jsonify([
        {"name": q.name, "title": q.title, "question": q.question, "parameters": q.parameters,
         "url": url_for("queries.run", name=q.name, _external=True), "sparql": q.text}
        for q in named_queries()
    ])


@bp.route("/queries/<name>", methods=["GET", "HEAD"])
def run(name: str) -> Response:
    """Run one named query, with the endpoint's formats and negotiation."""
    found = {q.name: q for q in named_queries()}
    if name not in found:
        raise errors.not_found(f"no named query {name!r}; see /queries/")
    given = {k: request.args.getlist(k) for k in request.args if k != "format"}
    count = sum(len(values) for values in given.values())
    if count > MAX_VALUES:
        raise errors.bad_request(f"at most {MAX_VALUES} parameter values, not {count}")
    try:
        iris = parameter_iris(found[name], given)
        text = bind_parameters(found[name], iris)
    except ParameterError as exc:
        raise errors.bad_request(str(exc)) from None
    _refuse_unknown_terms(given, iris)
    return run_query(ProtocolRequest(text, None, None, request.args.get("format")))


MAX_VALUES = 50  # parameter values a request may give, all told (each is looked up in the graph)


def _refuse_unknown_terms(given: dict[str, list[str]], iris: dict[str, list[str]]) -> None:
    """400 naming the first value that names no term of the graph: a well-formed IRI the graph does not mention
    (``HP_0000643``, read as a local name; a typo) would otherwise answer an empty 200, as if the term had no rows.
    ``iris`` holds what each of ``given``'s values names, in the same order."""
    named = [(variable, value, iri) for variable, values in given.items()
             for value, iri in zip(values, iris[variable], strict=True)]
    if not named:
        return
    listed = " ".join(sparql_iri(iri) for _, _, iri in named)
    rows = select_rows(f"SELECT ?x WHERE {{ VALUES ?x {{ {listed} }} "
                       "FILTER NOT EXISTS { { ?x ?p ?o } UNION { ?s ?p ?x } } }")
    unknown = {row["x"] for row in rows}
    for variable, value, iri in named:
        if iri in unknown:
            raise errors.bad_request(f"{variable}: {value[:80]!r} ({iri}) is not a term of this graph; give one IRI "
                                     "or CURIE a value (repeat the parameter for several), e.g. HP:0000643")
