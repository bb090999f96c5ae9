"""dystonia-kg server: ``create_app()`` registers the SPARQL endpoint, the documents, the pages and the APIs."""

from __future__ import annotations

from typing import Any

from flask import Flask

from . import errors, metrics, openapi, pages, queries_api, resources, search, sparql, ui_routes
from .config import load_config
from .host import CanonicalHost
from .http_cache import HttpCache
from .http_rules import cors, nosniff, request_limits
from .output_budget import refuse_over_budget
from .pool import release_watch


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """The Flask application factory."""
    app = Flask(__name__)
    app.config.update(load_config(test_config))
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_QUERY_BYTES"] * 4 + 4096


    app.register_blueprint(sparql.bp)
    app.register_blueprint(resources.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(search.bp)
    app.register_blueprint(queries_api.bp)
    app.register_blueprint(ui_routes.bp)
    app.register_blueprint(openapi.bp)
    metrics.init_app(app)  # before the other hooks: a request's time is counted from the first
    app.before_request(request_limits)
    app.after_request(cors)
    app.after_request(nosniff)
    app.after_request(refuse_over_budget)  # registered last, so run first: its 503 gets the headers above
    # One handler for every exception (ours, Werkzeug's, a failed query on any route, the unforeseen).
    app.register_error_handler(Exception, errors.handle)
    watch = release_watch(app)
    app.wsgi_app = CanonicalHost(HttpCache(  # type: ignore[method-assign]
        app.wsgi_app,
        served=watch.release,
        capacity=app.config["ANSWER_CACHE_BYTES"],
        observe=metrics.observe,
        held_output=lambda: app.extensions.get("dkg_held_output"),
        budget=app.config["OUTPUT_BUDGET"],
    ), app.config["PUBLIC_URL"])
    return app
