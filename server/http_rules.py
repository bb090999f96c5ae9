"""Rules every request and answer follow, whatever the route: request limits (checked before a route
runs) and CORS (added to the answers of the machine-facing routes)."""

from __future__ import annotations

from urllib.parse import parse_qsl

from flask import Response, request

from . import errors

CORS_PATHS = ("/sparql", "/queries", "/id/", "/data/", "/describe", "/ontology", "/void", "/.well-known/",
              "/context.jsonld", "/api/", "/dumps/")
EXPOSED = "Content-Type, Content-Length, ETag, Last-Modified, Link, Location, Vary"


def nosniff(response: Response) -> Response:
    """Every answer is read as the media type it says: a browser never sniffs a text/plain error (which may quote
    the request) as HTML."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def cors(response: Response) -> Response:
    """Open CORS on the machine-facing routes (the SPARQL endpoint, documents, the APIs)."""
    if request.path.startswith(CORS_PATHS):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = EXPOSED
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, HEAD, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = request.headers.get(
                "Access-Control-Request-Headers", "Accept, Content-Type")
            response.headers["Access-Control-Max-Age"] = "86400"
    return response


MAX_QUERY_STRING = 8192
MAX_PARAMETERS = 100  # per query string or form body: the protocol needs a handful


def too_many_parameters(encoded: str) -> bool:
    """Whether a query string or form body holds more than ``MAX_PARAMETERS`` (counted before it is parsed)."""
    try:
        parse_qsl(encoded, keep_blank_values=True, max_num_fields=MAX_PARAMETERS)
    except ValueError:
        return True
    return False


def request_limits() -> None:
    """Refuse a query string that is too long (414; the SPARQL endpoint has its own, larger, limit: 413)
    or holds too many parameters, before any route reads it."""
    # The SPARQL endpoint has its own, larger limit (413); elsewhere a huge query string is abuse.
    if request.path != "/sparql" and len(request.query_string) > MAX_QUERY_STRING:
        raise errors.uri_too_long(f"the query string is longer than {MAX_QUERY_STRING} bytes")
    if too_many_parameters(request.query_string.decode("latin-1")):
        raise errors.uri_too_long(f"the query string has more than {MAX_PARAMETERS} parameters")
