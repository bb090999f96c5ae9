"""dystonia-kg server: ``create_app()`` registers the SPARQL endpoint, the query API and the UI."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from graph.executor import QueryFailed
from graph.sandbox import SandboxUnavailable

from .catalog import ReleaseBaseMismatch
from .config import load_config

CORS_PATHS = ("/sparql", "/queries", "/id/", "/data/", "/describe", "/ontology", "/void", "/.well-known/",
              "/context.jsonld", "/api/", "/dumps/")
EXPOSED = "Content-Type, Content-Length, ETag, Last-Modified, Link, Location, Vary"


def _cors(response: Response) -> Response:
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


def _request_limits() -> Response | None:
    from . import errors

    # The SPARQL endpoint has its own, larger limit (413); elsewhere a huge query string is abuse.
    if request.path != "/sparql" and len(request.query_string) > MAX_QUERY_STRING:
        return errors.error(414, f"the query string is longer than {MAX_QUERY_STRING} bytes")
    if too_many_parameters(request.query_string.decode("latin-1")):
        return errors.error(414, f"the query string has more than {MAX_PARAMETERS} parameters")
    return None


def _http_error(exc: HTTPException) -> Response:
    from . import errors

    if exc.code == 405:
        allowed = exc.get_response().headers.get("Allow", "GET").split(", ")
        return errors.method_not_allowed(allowed)
    if exc.code == 413:
        return errors.error(413, "the request body is too large")
    return errors.error(exc.code or 500, exc.description or exc.name)


def _query_failed(exc: QueryFailed) -> Response:
    from . import errors

    return errors.query_failed(exc)


def _sandbox_unavailable(exc: SandboxUnavailable) -> Response:
    from . import errors

    return errors.unavailable(str(exc))


def _release_base_mismatch(exc: ReleaseBaseMismatch) -> Response:
    from . import errors

    return errors.unavailable(str(exc))


def _internal_error(exc: Exception) -> Response:
    from flask import current_app

    from . import errors

    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    return errors.error(500, "internal error; it has been logged")


class CanonicalHost:
    """WSGI middleware: every request is seen as addressed to the configured public URL.

    What the server writes about itself (IRIs, ``Link`` headers, the JSON-LD ``@context`` URL, the
    SPARQL base IRI, cache keys) comes from configuration, never from the client's ``Host``, which
    is only an input: an unknown, malformed or hostile ``Host`` gets the configured host's IRIs.
    """

    def __init__(self, app: Any, public_url: str) -> None:
        parts = urlsplit(public_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"DKG_PUBLIC_URL must be an absolute http(s) URL, not {public_url!r}")
        self.app = app
        self.scheme = parts.scheme
        self.netloc = parts.netloc
        self.port = str(parts.port or (443 if parts.scheme == "https" else 80))
        self.name = parts.hostname

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        environ.update({"HTTP_HOST": self.netloc, "SERVER_NAME": self.name, "SERVER_PORT": self.port,
                        "wsgi.url_scheme": self.scheme})
        environ.pop("HTTP_X_FORWARDED_HOST", None)
        return self.app(environ, start_response)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """The Flask application factory."""
    app = Flask(__name__)
    app.config.update(load_config(test_config))
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_QUERY_BYTES"] * 4 + 4096

    from . import pages, queries_api, resources, sparql, ui_routes

    app.register_blueprint(sparql.bp)
    app.register_blueprint(resources.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(queries_api.bp)
    app.register_blueprint(ui_routes.bp)
    app.before_request(_request_limits)
    app.after_request(_cors)
    app.register_error_handler(HTTPException, _http_error)
    # Every route that queries (endpoint, pages, documents, VoID) answers a failed query the same way.
    app.register_error_handler(QueryFailed, _query_failed)
    app.register_error_handler(SandboxUnavailable, _sandbox_unavailable)
    # A release published later under another base IRI is refused as the server refuses one at start.
    app.register_error_handler(ReleaseBaseMismatch, _release_base_mismatch)
    app.register_error_handler(Exception, _internal_error)
    app.wsgi_app = CanonicalHost(app.wsgi_app, app.config["PUBLIC_URL"])  # type: ignore[method-assign]
    return app
