"""dystonia-kg server: ``create_app()`` registers the SPARQL endpoint, the query API and the UI."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

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


def _query_string_limit() -> Response | None:
    # The SPARQL endpoint has its own, larger limit (413); elsewhere a huge query string is abuse.
    if request.path != "/sparql" and len(request.query_string) > MAX_QUERY_STRING:
        from . import errors

        return errors.error(414, f"the query string is longer than {MAX_QUERY_STRING} bytes")
    return None


def _http_error(exc: HTTPException) -> Response:
    from . import errors

    if exc.code == 405:
        allowed = exc.get_response().headers.get("Allow", "GET").split(", ")
        return errors.method_not_allowed(allowed)
    if exc.code == 413:
        return errors.error(413, "the request body is too large")
    return errors.error(exc.code or 500, exc.description or exc.name)


def _internal_error(exc: Exception) -> Response:
    from flask import current_app

    from . import errors

    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    return errors.error(500, "internal error; it has been logged")


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
    app.before_request(_query_string_limit)
    app.after_request(_cors)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _internal_error)
    return app
