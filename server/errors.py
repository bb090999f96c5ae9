"""Small named error constructors; every error body is short readable text or JSON, never HTML."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from flask import Response, request

from graph.executor import QueryFailed


def error(status: int, message: str, **detail: Any) -> Response:
    """An error response in JSON when the client asks for JSON, else plain text."""
    reason = HTTPStatus(status).phrase
    accept = request.headers.get("Accept", "") if request else ""
    if "json" in accept and "html" not in accept:
        body = json.dumps({"status": status, "error": reason, "message": message, **detail}) + "\n"
        response = Response(body, status, mimetype="application/json")
    else:
        extra = "".join(f"\n{k}: {v}" for k, v in detail.items())
        response = Response(f"{status} {reason}: {message}{extra}\n", status, mimetype="text/plain")
    response.headers["Vary"] = "Accept"  # the body's format follows Accept
    return response


def see_other(location: str, vary_accept: bool = False) -> Response:
    """303 See Other: the IRI names a thing; the document about it is elsewhere."""
    response = Response(f"303 See Other: {location}\n", 303, mimetype="text/plain", headers={"Location": location})
    if vary_accept:
        response.headers["Vary"] = "Accept"
    return response


def bad_request(message: str, **detail: Any) -> Response:
    """400: the request is malformed."""
    return error(400, message, **detail)


def forbidden(message: str) -> Response:
    """403: refused (for instance SPARQL Update on this read-only endpoint)."""
    return error(403, message)


def not_found(message: str) -> Response:
    """404."""
    return error(404, message)


def method_not_allowed(allowed: list[str]) -> Response:
    """405 with the Allow header."""
    response = error(405, f"method not allowed; use {', '.join(allowed)}")
    response.headers["Allow"] = ", ".join(allowed)
    return response


def not_acceptable(offered: list[str]) -> Response:
    """406 listing the media types this resource can be served as."""
    return error(406, "none of the offered media types is acceptable: " + ", ".join(offered), offered=offered)


def payload_too_large(limit: int) -> Response:
    """413: the query or body is bigger than the server accepts."""
    return error(413, f"the query is larger than the limit of {limit} bytes", limit=limit)


def unsupported_media_type(given: str | None, supported: list[str]) -> Response:
    """415: the request body's media type is missing or not one this endpoint reads."""
    what = f"media type {given!r} is not supported" if given else "the request has no Content-Type"
    return error(415, f"{what}; send one of {', '.join(supported)}", supported=supported)


def unavailable(message: str, retry_after: int | None = None, **detail: Any) -> Response:
    """503: a limit stopped the query (timeout, row, byte or memory cap, busy)."""
    response = error(503, message, **detail)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


# How each kind of failed query is answered (graph/executor.py names the kinds).
_QUERY_STATUS = {"syntax": 400, "service": 400, "error": 400, "update": 403, "not_representable": 406}
_RETRY = {"busy", "worker_died", "unavailable"}  # worth retrying at once; a query over a limit is not


def query_failed(failure: QueryFailed) -> Response:
    """The answer to a query that failed, on any route: 400/403 for the request, 503 for a limit."""
    status = _QUERY_STATUS.get(failure.kind, 503)
    if status == 503:
        return unavailable(str(failure), retry_after=1 if failure.kind in _RETRY else None, **failure.detail)
    message = f"SPARQL syntax error: {failure}" if failure.kind == "syntax" else str(failure)
    return error(status, message, **failure.detail)
