"""The named queries of ``queries/`` as an API: ``/queries/`` lists them, ``/queries/<name>`` runs one."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request, url_for

from graph.query import ParameterError, bind_parameters, named_queries

from . import errors
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
    try:
        text = bind_parameters(found[name], given)
    except ParameterError as exc:
        raise errors.bad_request(str(exc)) from None
    return run_query(ProtocolRequest(text, None, None, request.args.get("format")))
