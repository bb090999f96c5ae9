"""The SPARQL 1.1 Protocol endpoint (https://www.w3.org/TR/sparql11-protocol/), queries only.

GET, POST form-encoded and POST ``application/sparql-query``; ``default-graph-uri`` and
``named-graph-uri``; every result format by content negotiation or a ``format`` parameter.
Without a query, the endpoint answers its Service Description (or the query editor for browsers).
SPARQL Update is refused: the endpoint is read-only.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

from flask import Blueprint, Response, current_app, request, url_for

from graph.executor import QueryFailed, QueryJob
from graph.formats import FORM, SPARQL_GRAPHS, SPARQL_QUERY, SPARQL_SOLUTIONS, SPARQL_UPDATE, Offer, utf8

from . import errors
from .http_rules import MAX_PARAMETERS, too_many_parameters
from .negotiation import negotiate
from .pool import current_release, run_job

bp = Blueprint("sparql", __name__)

ALLOWED_METHODS = ["GET", "POST", "HEAD", "OPTIONS"]


@dataclass(frozen=True)
class ProtocolRequest:
    """What a protocol request asks for, once parsed."""

    query: str
    default_graphs: list[str] | None
    named_graphs: list[str] | None
    format: str | None


def _single(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        raise errors.bad_request(f"the {name!r} parameter is given {len(values)} times; give it once")
    return values[0] if values else None


def parse_request() -> ProtocolRequest | None:
    """Read query and dataset from GET or POST, as the protocol allows; ``None`` when there is no query."""
    limit = current_app.config["MAX_QUERY_BYTES"]
    args = request.args
    if request.method == "POST":
        media = (request.mimetype or "").lower()
        if media == FORM:
            if (request.content_length or 0) > limit * 4:
                raise errors.payload_too_large(limit)
            if too_many_parameters(request.get_data(cache=True).decode("latin-1")):
                raise errors.content_too_large(f"the form has more than {MAX_PARAMETERS} parameters")
            form = request.form
            if form.getlist("update"):
                raise errors.forbidden("this endpoint is read-only: SPARQL Update is not accepted")
            query = _single(form.getlist("query"), "query")
            defaults = form.getlist("default-graph-uri") or args.getlist("default-graph-uri")
            named = form.getlist("named-graph-uri") or args.getlist("named-graph-uri")
            fmt = _single(form.getlist("format") or args.getlist("format"), "format")
            if query is None:
                raise errors.bad_request("a form-encoded POST needs a 'query' parameter")
        elif media == SPARQL_QUERY:
            if (request.content_length or 0) > limit:
                raise errors.payload_too_large(limit)
            if args.getlist("query"):
                raise errors.bad_request("a direct POST carries the query in its body, not in 'query'")
            charset = request.mimetype_params.get("charset", "utf-8").lower()
            if charset not in ("utf-8", "utf8"):
                # The protocol fixes the encoding of a direct POST to UTF-8.
                raise errors.unsupported_media_type(
                    f"{SPARQL_QUERY}; charset={charset}", [f"{SPARQL_QUERY}; charset=utf-8"])
            try:
                query = request.get_data(cache=False).decode("utf-8")
            except UnicodeDecodeError:
                raise errors.bad_request("the query body is not valid UTF-8") from None
            defaults, named = args.getlist("default-graph-uri"), args.getlist("named-graph-uri")
            fmt = _single(args.getlist("format"), "format")
        elif media == SPARQL_UPDATE:
            raise errors.forbidden("this endpoint is read-only: SPARQL Update is not accepted")
        else:
            raise errors.unsupported_media_type(request.mimetype or None, [FORM, SPARQL_QUERY])
    else:
        if args.getlist("update"):
            raise errors.forbidden("this endpoint is read-only: SPARQL Update is not accepted")
        query = _single(args.getlist("query"), "query")
        if query is None:
            return None
        defaults, named = args.getlist("default-graph-uri"), args.getlist("named-graph-uri")
        fmt = _single(args.getlist("format"), "format")
    if len(query.encode("utf-8")) > limit:
        raise errors.payload_too_large(limit)
    return ProtocolRequest(query, defaults or None, named or None, fmt)


def _offer(kind: str) -> Offer:
    return SPARQL_GRAPHS if kind == "graph" else SPARQL_SOLUTIONS


def choose_format(kind: str, accept: str | None, override: str | None) -> str | None:
    """The result-format key for a query of ``kind`` (``graph`` or ``solutions``), or ``None`` when
    neither the ``format`` override nor the Accept header allows one."""
    offer = _offer(kind)
    if override is not None:
        return offer.key_for_word(override)
    return negotiate(accept, offer)


def _unavailable_format(kind: str, override: str | None) -> errors.HttpError:
    offer = _offer(kind)
    if override is not None:
        return errors.bad_request(f"format {override!r} is not available for this query; "
                                  f"use one of {', '.join(offer.keys)}")
    return errors.not_acceptable(offer.canonical_media_types)


def run_query(parsed: ProtocolRequest) -> Response:
    """Run under the limits and answer; the status is known before the body is sent.

    Which form the query has (and so which of the two negotiated formats applies) is decided by the
    worker's parse, not here: the server never reads the query text itself.
    """
    accept = request.headers.get("Accept")
    job = QueryJob(
        parsed.query,
        solution_format=choose_format("solutions", accept, parsed.format),
        graph_format=choose_format("graph", accept, parsed.format),
        default_graphs=parsed.default_graphs,
        named_graphs=parsed.named_graphs,
        base_iri=url_for("sparql.endpoint", _external=True),
    )
    tag = answer_tag(job) if request.method in ("GET", "HEAD") else None
    # If-None-Match compares weakly (RFC 9110 §13.1.2), and applies only where the answer would be a 200 (§13.2.1):
    # before any query runs for a tag this server has given with a 200 (the release cannot have changed its answer),
    # else once the query has answered.
    if tag is not None and GIVEN_TAGS.has(tag) and request.if_none_match.contains_weak(tag):
        return _cacheable(Response(status=304), tag)
    try:
        answer = run_job(job)
    except QueryFailed as failure:
        if failure.kind == "not_acceptable":
            raise _unavailable_format(str(failure), parsed.format) from None
        raise  # the app's handler answers every other failure, on every route
    response = Response(answer.body, 200, content_type=utf8(answer.media_type))
    if answer.volatile:  # NOW(), RAND(), a CONSTRUCT's blank nodes...: no tag, and no copy to be given again
        response.headers["Cache-Control"] = "no-store"
        return _vary(response)
    if tag is None:
        return _vary(response)
    GIVEN_TAGS.add(tag)
    if request.if_none_match.contains_weak(tag):
        return _cacheable(Response(status=304), tag)
    return _cacheable(response, tag)


class GivenTags:
    """The tags of the last ``capacity`` answers given as a 200 (32 characters each, the build in them)."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._tags: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def has(self, tag: str) -> bool:
        """Whether ``tag`` was given with a 200 (and is still remembered)."""
        return tag in self._tags

    def add(self, tag: str) -> None:
        """Remember ``tag``, forgetting the oldest beyond the capacity."""
        with self._lock:
            self._tags[tag] = None
            self._tags.move_to_end(tag)
            while len(self._tags) > self.capacity:
                self._tags.popitem(last=False)


GIVEN_TAGS = GivenTags(8_192)  # 1.6 MB when full, as tracemalloc counts the tags and their ordered slots


def _vary(response: Response) -> Response:
    response.headers["Vary"] = "Accept"
    return response


def _cacheable(response: Response, tag: str) -> Response:
    response.set_etag(tag)
    response.headers["Cache-Control"] = f"public, max-age={current_app.config['SPARQL_MAX_AGE']}"
    return _vary(response)


def answer_tag(job: QueryJob) -> str | None:
    """The strong entity tag of ``job``'s answer in the release being served (its formats included, both of them:
    which one applies depends on the query's form, known only once a worker has parsed it); ``None`` when the store
    is not the release's own (a remote engine: what it holds is not pinned by the release)."""
    release = current_release() if current_app.config["STORE_FROM_RELEASE"] else None
    if release is None:
        return None
    return hashlib.sha256(f"{release.build}\n".encode() + job.digest()).hexdigest()[:32]


@bp.route("/sparql", methods=ALLOWED_METHODS)
def endpoint() -> Response:
    """The SPARQL endpoint."""
    if request.method == "OPTIONS":
        return Response(status=204, headers={"Allow": ", ".join(ALLOWED_METHODS)})
    parsed = parse_request()
    if parsed is None:
        from .description import service_description_response

        return service_description_response()
    return run_query(parsed)


@bp.route("/sparql", methods=["PUT", "DELETE", "PATCH"])
def wrong_method() -> Response:
    """Anything but GET/POST is a 405."""
    raise errors.method_not_allowed(ALLOWED_METHODS)
