"""Label and synonym search: the HTML results page (the header's search form) and the JSON API,
sharing a few slots (search runs in the server process)."""

from __future__ import annotations

import json

from flask import Blueprint, Response, render_template, request

from graph import formats
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


@bp.route("/search")
@search_slots
def search_page() -> Response:
    """Search results as HTML (the header's search form)."""
    query = request.args.get("q", "")[:MAX_QUERY_LENGTH]
    hits = catalog().search.search(query, limit=30) if query else []
    html = render_template("search.html", q=query,
                           hits=[(h, page_href(h.iri), compact(h.type) if h.type else "") for h in hits])
    return Response(html, 200, content_type=formats.utf8(formats.HTML))


@bp.route("/api/search")
@search_slots
def search_api() -> Response:
    """``/api/search?q=…&limit=…``: JSON hits with IRI, label, type, snippet, score."""
    query = request.args.get("q", "")
    if not query.strip():
        raise errors.bad_request("give a search text: /api/search?q=…")
    if len(query) > MAX_QUERY_LENGTH:
        raise errors.bad_request(f"the search text is longer than {MAX_QUERY_LENGTH} characters")
    try:
        limit = min(max(int(request.args.get("limit", str(DEFAULT_LIMIT))), 1), MAX_LIMIT)
    except ValueError:
        raise errors.bad_request("limit must be an integer") from None
    hits = catalog().search.search(query, limit=limit)
    root = public_root()
    body = {"query": query, "results": [
        {"iri": h.iri, "curie": compact(h.iri), "label": h.label, "type": h.type, "snippet": h.snippet,
         "score": h.score, "page": root + page_href(h.iri)} for h in hits]}
    return Response(json.dumps(body, ensure_ascii=False) + "\n", 200, content_type=formats.JSON)
