"""Search: the HTML results page (the header's search form) and the JSON API, sharing a few slots (search runs
in the server process). What it finds and how it ranks: ``graph/search.py``; the kinds: ``graph/catalog.py``."""

from __future__ import annotations

import json

from flask import Blueprint, Response, render_template, request

from graph import formats
from graph.catalog import KINDS
from graph.vocab import compact

from . import errors
from .busy import at_most
from .catalog import catalog
from .documents import page_href
from .host import public_root

bp = Blueprint("search", __name__)
search_slots = at_most(2, "search")  # shared by the HTML and the JSON search
# The bounds of a search request (the OpenAPI document states them from here).
MAX_QUERY_LENGTH = 200  # characters of the search text
DEFAULT_LIMIT = 10
MAX_LIMIT = 100  # hits


def requested_kinds() -> list[str] | None:
    """The kinds ``type=`` asks for (repeated, or separated by commas), ``None`` for every kind; 400 naming the
    kinds there are when one is unknown."""
    asked = [kind.strip() for value in request.args.getlist("type") for kind in value.split(",") if kind.strip()]
    unknown = [kind for kind in asked if kind not in KINDS]
    if unknown:
        raise errors.bad_request(f"unknown type {unknown[0][:40]!r}; use one of {', '.join(KINDS)}",
                                 types=list(KINDS))
    return asked or None


@bp.route("/search")
@search_slots
def search_page() -> Response:
    """Search results as HTML (the header's search form), with the counts per kind as links that filter."""
    query = request.args.get("q", "")[:MAX_QUERY_LENGTH]
    kinds = requested_kinds()
    found = catalog().search.find(query, limit=30, kinds=kinds) if query else None
    hits = [(h, page_href(h.iri), compact(h.type) if h.type else "") for h in found.hits] if found else []
    html = render_template("search.html", q=query, hits=hits, counts=found.counts if found else {},
                           kinds=kinds or [])
    return Response(html, 200, content_type=formats.utf8(formats.HTML))


@bp.route("/api/search")
@search_slots
def search_api() -> Response:
    """``/api/search?q=…&limit=…&type=…``: JSON hits (IRI, CURIE, label, type, kind, snippet, matched field,
    score, page), the counts of matching terms per kind (whatever ``type=`` keeps) and ``total``, how many terms of
    the kinds ``type=`` keeps match (the results are the best ``limit`` of them)."""
    query = request.args.get("q", "")
    if not query.strip():
        raise errors.bad_request("give a search text: /api/search?q=…")
    if len(query) > MAX_QUERY_LENGTH:
        raise errors.bad_request(f"the search text is longer than {MAX_QUERY_LENGTH} characters")
    try:
        limit = min(max(int(request.args.get("limit", str(DEFAULT_LIMIT))), 1), MAX_LIMIT)
    except ValueError:
        raise errors.bad_request("limit must be an integer") from None
    kinds = requested_kinds()
    found = catalog().search.find(query, limit=limit, kinds=kinds)
    root = public_root()
    body = {"query": query, "type": kinds or [], "total": found.total, "counts": found.counts, "results": [
        {"iri": h.iri, "curie": compact(h.iri), "label": h.label, "type": h.type, "kind": h.kind,
         "snippet": h.snippet, "matched": h.matched, "score": h.score, "page": root + page_href(h.iri)}
        for h in found.hits]}
    return Response(json.dumps(body, ensure_ascii=False) + "\n", 200, content_type=formats.JSON)
