"""The SPARQL 1.1 Protocol endpoint (https://www.w3.org/TR/sparql11-protocol/), queries only.

GET, POST form-encoded and POST ``application/sparql-query``; ``default-graph-uri`` and
``named-graph-uri``; every result format by content negotiation or a ``format`` parameter.
Without a query, the endpoint answers its Service Description (or the query editor for browsers).
SPARQL Update is refused: the endpoint is read-only.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, current_app, request, url_for

from graph.executor import QueryFailed, QueryJob
from graph.results import GRAPH_TYPES, SOLUTION_TYPES

from . import MAX_PARAMETERS, errors, too_many_parameters
from .negotiation import content_negotiation
from .pool import run_job

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
ALLOWED_METHODS = ["GET", "POST", "HEAD", "OPTIONS"]

# Media types accepted as aliases, mapped onto a served format key.
SOLUTION_ALIASES = {"application/json": "json", "application/xml": "xml", "text/xml": "xml"}
GRAPH_ALIASES = {"text/plain": "nt", "application/json": "jsonld", "application/x-turtle": "ttl"}
FORMAT_KEYS = {**{k: k for k in SOLUTION_TYPES}, **{k: k for k in GRAPH_TYPES}, "turtle": "ttl",
               "ntriples": "nt", "rdfxml": "rdf", "nquads": "nq", "json-ld": "jsonld"}


@dataclass(frozen=True)
class ProtocolRequest:
    """What a protocol request asks for, once parsed."""

    query: str
    default_graphs: list[str] | None
    named_graphs: list[str] | None
    format: str | None


class ProtocolError(Exception):
    """A malformed protocol request, with its response."""

    def __init__(self, response: Response) -> None:
        self.response = response
        super().__init__(response.status)


def _single(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        raise ProtocolError(errors.bad_request(f"the {name!r} parameter is given {len(values)} times; give it once"))
    return values[0] if values else None


def parse_request() -> ProtocolRequest | None:
    """Read query and dataset from GET or POST, as the protocol allows; ``None`` when there is no query."""
    limit = current_app.config["MAX_QUERY_BYTES"]
    args = request.args
    if request.method == "POST":
        media = (request.mimetype or "").lower()
        if media == FORM:
            if (request.content_length or 0) > limit * 4:
                raise ProtocolError(errors.payload_too_large(limit))
            if too_many_parameters(request.get_data(cache=True).decode("latin-1")):
                raise ProtocolError(errors.error(413, f"the form has more than {MAX_PARAMETERS} parameters"))
            form = request.form
            if form.getlist("update"):
                raise ProtocolError(errors.forbidden("this endpoint is read-only: SPARQL Update is not accepted"))
            query = _single(form.getlist("query"), "query")
            defaults = form.getlist("default-graph-uri") or args.getlist("default-graph-uri")
            named = form.getlist("named-graph-uri") or args.getlist("named-graph-uri")
            fmt = _single(form.getlist("format") or args.getlist("format"), "format")
            if query is None:
                raise ProtocolError(errors.bad_request("a form-encoded POST needs a 'query' parameter"))
        elif media == DIRECT:
            if (request.content_length or 0) > limit:
                raise ProtocolError(errors.payload_too_large(limit))
            if args.getlist("query"):
                raise ProtocolError(errors.bad_request("a direct POST carries the query in its body, not in 'query'"))
            charset = request.mimetype_params.get("charset", "utf-8").lower()
            if charset not in ("utf-8", "utf8"):
                # The protocol fixes the encoding of a direct POST to UTF-8.
                raise ProtocolError(errors.unsupported_media_type(
                    f"{DIRECT}; charset={charset}", [f"{DIRECT}; charset=utf-8"]))
            try:
                query = request.get_data(cache=False).decode("utf-8")
            except UnicodeDecodeError:
                raise ProtocolError(errors.bad_request("the query body is not valid UTF-8")) from None
            defaults, named = args.getlist("default-graph-uri"), args.getlist("named-graph-uri")
            fmt = _single(args.getlist("format"), "format")
        elif media == UPDATE:
            raise ProtocolError(errors.forbidden("this endpoint is read-only: SPARQL Update is not accepted"))
        else:
            raise ProtocolError(errors.unsupported_media_type(request.mimetype or None, [FORM, DIRECT]))
    else:
        if args.getlist("update"):
            raise ProtocolError(errors.forbidden("this endpoint is read-only: SPARQL Update is not accepted"))
        query = _single(args.getlist("query"), "query")
        if query is None:
            return None
        defaults, named = args.getlist("default-graph-uri"), args.getlist("named-graph-uri")
        fmt = _single(args.getlist("format"), "format")
    if len(query.encode("utf-8")) > limit:
        raise ProtocolError(errors.payload_too_large(limit))
    return ProtocolRequest(query, defaults or None, named or None, fmt)


def choose_format(kind: str, accept: str | None, override: str | None) -> str | None:
    """The result-format key for a query of ``kind`` (``graph`` or ``solutions``), or ``None`` when
    neither the ``format`` override nor the Accept header allows one."""
    served = GRAPH_TYPES if kind == "graph" else SOLUTION_TYPES
    aliases = GRAPH_ALIASES if kind == "graph" else SOLUTION_ALIASES
    if override is not None:
        key = FORMAT_KEYS.get(override.lower()) or _key_for_media(override.lower(), served, aliases)
        return key if key in served else None
    chosen = content_negotiation(accept, list(served.values()) + list(aliases))
    return None if chosen is None else _key_for_media(chosen, served, aliases)


def _unavailable_format(kind: str, override: str | None) -> Response:
    served = GRAPH_TYPES if kind == "graph" else SOLUTION_TYPES
    if override is not None:
        return errors.bad_request(f"format {override!r} is not available for this query; "
                                  f"use one of {', '.join(served)}")
    return errors.not_acceptable(list(served.values()))


def _key_for_media(media: str, served: dict[str, str], aliases: dict[str, str]) -> str | None:
    media = media.split(";")[0].strip()
    for key, value in served.items():
        if value == media:
            return key
    return aliases.get(media)


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
    try:
        answer = run_job(job)
    except QueryFailed as failure:
        if failure.kind == "not_acceptable":
            return _unavailable_format(str(failure), parsed.format)
        raise  # the app's handler answers every other failure, on every route
    response = Response(answer.body, 200, content_type=f"{answer.media_type}; charset=utf-8")
    response.headers["Vary"] = "Accept"
    return response


@bp.route("/sparql", methods=ALLOWED_METHODS)
def endpoint() -> Response:
    """The SPARQL endpoint."""
    if request.method == "OPTIONS":
        return Response(status=204, headers={"Allow": ", ".join(ALLOWED_METHODS)})
    try:
        parsed = parse_request()
        if parsed is None:
            from .description import service_description_response

            return service_description_response()
        return run_query(parsed)
    except ProtocolError as exc:
        return exc.response


@bp.route("/sparql", methods=["PUT", "DELETE", "PATCH"])
def wrong_method() -> Response:
    """Anything but GET/POST is a 405."""
    return errors.method_not_allowed(ALLOWED_METHODS)
