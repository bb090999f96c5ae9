"""dystonia-kg server: ``create_app()`` registers the SPARQL endpoint, the query API and the UI."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from .config import load_config

CORS_PATHS = ("/sparql", "/queries")
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


def _http_error(exc: HTTPException) -> Response:
    from . import errors

    if exc.code == 405:
        allowed = exc.get_response().headers.get("Allow", "GET").split(", ")
        return errors.method_not_allowed(allowed)
    if exc.code == 413:
        return errors.error(413, "the request body is too large")
    return errors.error(exc.code or 500, exc.description or exc.name)


def _internal_error(exc: Exception) -> Response:
    from . import errors

    return errors.error(500, "internal error; it has been logged")


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """The Flask application factory."""
    app = Flask(__name__)
    app.config.update(load_config(test_config))
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_QUERY_BYTES"] * 4 + 4096

    from . import queries_api, sparql, ui_routes

    app.register_blueprint(sparql.bp)
    app.register_blueprint(queries_api.bp)
    app.register_blueprint(ui_routes.bp)
    app.after_request(_cors)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _internal_error)
    return app
