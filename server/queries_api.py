"""The named queries of ``queries/`` as an API: ``/queries/`` lists them, ``/queries/<name>`` runs one."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request, url_for

from graph.query import named_queries

from . import errors
from .sparql import ProtocolError, ProtocolRequest, run_query

bp = Blueprint("queries", __name__)


@bp.route("/queries/")
def index() -> Response:
    """Title, question and URL of every named query."""
    return jsonify([
        {"name": q.name, "title": q.title, "question": q.question,
         "url": url_for("queries.run", name=q.name, _external=True), "sparql": q.text}
        for q in named_queries()
    ])


@bp.route("/queries/<name>", methods=["GET", "HEAD"])
def run(name: str) -> Response:
    """Run one named query, with the endpoint's formats and negotiation."""
    found = {q.name: q for q in named_queries()}
    if name not in found:
        return errors.not_found(f"no named query {name!r}; see /queries/")
    try:
        return run_query(ProtocolRequest(found[name].text, None, None, request.args.get("format")))
    except ProtocolError as exc:
        return exc.response
