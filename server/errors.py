"""One error type, small named constructors, and the one place that turns an error into a response.

Routes ``raise`` what a constructor returns (``raise errors.not_found(...)``), as Oxigraph's server
builds its errors with ``bad_request``, ``unsupported_media_type``...; the app registers :func:`handle`
for every exception, and it answers ours, Werkzeug's, a failed query and anything unforeseen alike.
The body is short readable text, or JSON when the client prefers it by the project's content
negotiation (``server/negotiation.py``); never HTML.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from flask import Response, current_app, has_request_context, request
from werkzeug.exceptions import HTTPException

from graph.executor import QueryFailed, WorkerStartFailed
from graph.formats import ERROR_MEDIA_TYPES, JSON, PLAIN_TEXT
from graph.release import BaseMismatch, NoRelease
from graph.sandbox import SandboxUnavailable

from .metrics import query_stopped
from .negotiation import content_negotiation
from .pool import ReleaseChanged


class HttpError(Exception):
    """An error answer: status, message, details for the body, and headers of its own."""

    def __init__(self, status: int, message: str, detail: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.message = message
        self.detail = detail or {}
        self.headers = headers or {}
        super().__init__(f"{status} {message}")


def response(error: HttpError) -> Response:
    """The response for ``error``: plain text, or JSON when the Accept header prefers it; ``Vary: Accept``."""
    reason = HTTPStatus(error.status).phrase
    accept = request.headers.get("Accept") if has_request_context() else None
    # Errors are never 406: a client that accepts neither format gets plain text.
    media = content_negotiation(accept, list(ERROR_MEDIA_TYPES)) or PLAIN_TEXT
    if media == JSON:
        body = json.dumps({"status": error.status, "error": reason, "message": error.message, **error.detail}) + "\n"
    else:
        extra = "".join(f"\n{k}: {v}" for k, v in error.detail.items())
        body = f"{error.status} {reason}: {error.message}{extra}\n"
    answer = Response(body, error.status, mimetype=media)
    answer.headers.update(error.headers)
    answer.headers["Vary"] = "Accept"  # the body's format follows Accept
    return answer


def handle(exc: Exception) -> Response:
    """The app's one error handler: any exception, answered by :func:`response`."""
    return response(as_http_error(exc))


def as_http_error(exc: Exception) -> HttpError:
    """What an exception is answered with: ours as raised, Werkzeug's and failed queries by their kind, the
    unforeseen as a logged 500."""
    if isinstance(exc, HttpError):
        return exc
    if isinstance(exc, QueryFailed):
        return query_failed(exc)
    if isinstance(exc, WorkerStartFailed):
        return unavailable(str(exc), retry_after=1)
    if isinstance(exc, SandboxUnavailable | BaseMismatch | NoRelease):
        return unavailable(str(exc))
    if isinstance(exc, ReleaseChanged):
        return unavailable(str(exc), retry_after=1)
    if isinstance(exc, HTTPException):
        if exc.code == 405:
            return method_not_allowed(exc.get_response().headers.get("Allow", "GET").split(", "))
        if exc.code == 413:
            return content_too_large("the request body is too large")
        return HttpError(exc.code or 500, exc.description or exc.name)
    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    return HttpError(500, "internal error; it has been logged")


def see_other(location: str, vary_accept: bool = False) -> Response:
    """303 See Other: the IRI names a thing; the document about it is elsewhere (not an error)."""
    answer = Response(f"303 See Other: {location}\n", 303, mimetype=PLAIN_TEXT, headers={"Location": location})
    if vary_accept:
        answer.headers["Vary"] = "Accept"
    return answer


def bad_request(message: str, **detail: Any) -> HttpError:
    """400: the request is malformed."""
    return HttpError(400, message, detail)


def forbidden(message: str) -> HttpError:
    """403: refused (for instance SPARQL Update on this read-only endpoint)."""
    return HttpError(403, message)


def not_found(message: str) -> HttpError:
    """404."""
    return HttpError(404, message)


def method_not_allowed(allowed: list[str]) -> HttpError:
    """405 with the Allow header."""
    return HttpError(405, f"method not allowed; use {', '.join(allowed)}", headers={"Allow": ", ".join(allowed)})


def not_acceptable(offered: list[str]) -> HttpError:
    """406 listing the media types this resource can be served as."""
    return HttpError(406, "none of the offered media types is acceptable: " + ", ".join(offered), {"offered": offered})


def payload_too_large(limit: int) -> HttpError:
    """413: the query is bigger than the server accepts."""
    return HttpError(413, f"the query is larger than the limit of {limit} bytes", {"limit": limit})


def content_too_large(message: str) -> HttpError:
    """413: the request body (or form) is bigger than the server reads."""
    return HttpError(413, message)


def uri_too_long(message: str) -> HttpError:
    """414: the query string is longer, or has more parameters, than the server reads."""
    return HttpError(414, message)


def unsupported_media_type(given: str | None, supported: list[str]) -> HttpError:
    """415: the request body's media type is missing or not one this endpoint reads."""
    what = f"media type {given!r} is not supported" if given else "the request has no Content-Type"
    return HttpError(415, f"{what}; send one of {', '.join(supported)}", {"supported": supported})


def unavailable(message: str, retry_after: int | None = None, **detail: Any) -> HttpError:
    """503: a limit stopped the query (timeout, row, byte or memory cap, busy)."""
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    return HttpError(503, message, detail, headers)


# How each kind of failed query is answered (graph/executor.py names the kinds).
_QUERY_STATUS = {"syntax": 400, "service": 400, "error": 400, "update": 403, "not_representable": 406}
_RETRY = {"busy", "worker_died", "unavailable"}  # worth retrying at once; a query over a limit is not


def query_failed(failure: QueryFailed) -> HttpError:
    """A query that failed, on any route: 400/403 for the request, 503 for a limit."""
    query_stopped(failure)  # counted when a limit stopped it
    status = _QUERY_STATUS.get(failure.kind, 503)
    if status == 503:
        return unavailable(str(failure), retry_after=1 if failure.kind in _RETRY else None, **failure.detail)
    message = f"SPARQL syntax error: {failure}" if failure.kind == "syntax" else str(failure)
    return HttpError(status, message, failure.detail)
