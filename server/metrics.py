"""Operations metrics at ``/metrics``, in the Prometheus text format (``prometheus-client``).

Requests by route (the URL rule, never the raw path: the label's values are as few as the routes) and status,
latency histograms by route, queries stopped by each limit, requests turned away for want of a slot, query
worker restarts, and the release in service.

One process answers HTTP: ``dystonia-kg serve`` runs waitress, one process with many threads; the query workers
are processes of the server's pool that never answer HTTP, and what befalls them (a deadline, a memory limit, a
restart) is seen by the pool in the server process. So the client's registry in that process holds the whole
count, and no multiprocess mode is needed (a deployment running several server processes would need it: each
process answers ``/metrics`` for itself).
"""

from __future__ import annotations

import time
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, g, request
from prometheus_client import REGISTRY, Counter, Gauge, Histogram, Info
from prometheus_client.exposition import choose_encoder

from graph.executor import QueryFailed
from graph.release import Release

bp = Blueprint("metrics", __name__)

REQUESTS = Counter("dkg_http_requests", "HTTP requests answered, by route (the URL rule), method and status",
                   ["route", "method", "status"])
LATENCY = Histogram("dkg_http_request_duration_seconds", "Time from a request's arrival at the app to its answer "
                    "being ready, by route (the URL rule)", ["route"],
                    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
STOPPED = Counter("dkg_queries_stopped", "Queries stopped by a limit: deadline (DKG_QUERY_TIMEOUT, or waiting that "
                  "long for a worker), rows (DKG_MAX_ROWS), bytes (DKG_MAX_BYTES), memory (DKG_WORKER_MEMORY), queue "
                  "(DKG_QUERY_QUEUE full)", ["limit"])
BUSY = Counter("dkg_busy_refusals", "Requests turned away because every slot of their kind was taken (search and "
               "describe run in the server process, a few at a time)", ["what"])
RESTARTS = Counter("dkg_worker_restarts", "Query workers replaced (killed at a deadline or over memory, died, or "
                   "stopped because their client went away)")
RELEASE = Info("dkg_release", "The release in service: its build and ontology version")
BUILT = Gauge("dkg_release_built_timestamp_seconds", "When the release in service was built")

# QueryFailed.detail["limit"] (graph/executor.py) → the limit's name here.
_LIMITS = {"timeout": "deadline", "max_rows": "rows", "max_bytes": "bytes", "memory": "memory", "queue": "queue"}
_METHODS = {"GET", "HEAD", "POST", "OPTIONS", "PUT", "DELETE", "PATCH"}  # any other method counts as "other"
for _limit in _LIMITS.values():
    STOPPED.labels(_limit)  # every limit is shown from the start, at 0


def query_stopped(failure: QueryFailed) -> None:
    """Count ``failure`` when a limit stopped it (other failures are the query's own: syntax, a client gone...)."""
    limit = _LIMITS.get(str(failure.detail.get("limit")))
    if limit is not None:
        STOPPED.labels(limit).inc()


def busy(what: str) -> None:
    """Count a request of kind ``what`` turned away because its slots were taken."""
    BUSY.labels(what).inc()


def worker_restarted() -> None:
    """Count a query worker replaced."""
    RESTARTS.inc()


def _start() -> None:
    g.dkg_started = time.perf_counter()


def observe(route: str, method: str, status: str, seconds: float | None) -> None:
    """Count one answer of ``route`` (the URL rule) to ``method``, with its status and the time it took."""
    REQUESTS.labels(route, method if method in _METHODS else "other", status).inc()
    if seconds is not None:
        LATENCY.labels(route).observe(seconds)


def _record(response: Response) -> Response:
    route = request.url_rule.rule if request.url_rule is not None else "unmatched"
    request.environ["dkg.route"] = route  # for the HTTP cache, which counts the answers it gives again as this route's
    started = g.get("dkg_started")
    seconds = None if started is None else time.perf_counter() - started
    observe(route, request.method, str(response.status_code), seconds)
    return response


@bp.route("/metrics")
def metrics() -> Response:
    """The metrics, in the format the scraper asks for (the Prometheus text format by default)."""
    if current_app.config["STORE_FROM_RELEASE"]:
        release = Release.published(Path(current_app.config["RELEASE_DIR"]))  # what requests are answered from
        if release is not None:
            RELEASE.info({"build": release.build, "version": release.version})
            BUILT.set(release.built_at.timestamp())
    else:
        RELEASE.info({"build": "remote", "version": "remote"})  # a configured store, no release
    encoder, content_type = choose_encoder(request.headers.get("Accept", ""))
    return Response(encoder(REGISTRY), 200, content_type=content_type)


def init_app(app: Flask) -> None:
    """Serve ``/metrics`` and time every request (register before the other hooks, so that timing starts first)."""
    app.register_blueprint(bp)
    app.before_request(_start)
    app.after_request(_record)
