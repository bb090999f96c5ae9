"""Serve the app with waitress: ``python -m server --host H --port P --threads N`` (``server/__main__.py``).

Why waitress: its asynchronous front reads every request completely (line, headers, body) before
a handler thread sees it (``server/request_framing.py``: in linear time, fields and chunks bounded),
and buffers every response (spilling to a temporary file past 64 KiB, within ``DKG_OUTPUT_BUDGET`` in
all: ``server/output_budget.py``) so a thread hands the answer over and is free; slow senders and
slow readers hold a socket, never a thread. Its limits are enforced while reading, before any
parsing: an oversized request line or header block gets 431, an oversized body (chunked or not)
413, a malformed one 400; idle connections are closed after ``channel_timeout``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable

from waitress.buffers import ReadOnlyFileBasedBuffer
from waitress.channel import HTTPChannel
from waitress.server import create_server
from waitress.task import ErrorTask, WSGITask

from graph.allocator import missing_allocator_settings, with_allocator_settings
from graph.release import BaseMismatch, NoRelease
from graph.sandbox import SandboxUnavailable

from . import create_app
from .catalog import catalog
from .config import ConfigError
from .output_budget import SMALL
from .pool import current_release, query_pool
from .request_framing import RequestParser

CHANNEL_TIMEOUT = 30  # seconds a connection may stay silent, in either direction
CONNECTION_LIMIT = 1000
# Seconds a thread holding the interpreter keeps it while another waits (Python's default: 0.005). A request passes
# the interpreter between threads several times (network thread, handler, pool), and behind a thread rendering or
# serializing it waited the whole interval at each pass (helper-47: a crawl of pages by one client, 4-6.5x p99).
SWITCH_INTERVAL = 0.0005


class CountingTask(WSGITask):
    """Waitress's task, which also tells the app what its connection still holds unsent
    (``environ["dkg.held_here"]``, read by ``server/output_budget.py``)."""

    def get_environment(self) -> dict[str, object]:
        environ: dict[str, object] = super().get_environment()
        channel = self.channel
        environ["dkg.held_here"] = lambda: channel.total_outbufs_len
        return environ


class ClosingErrorTask(ErrorTask):
    """Waitress's answer to a request it cannot read (a 400, 413 or 431), which closes the connection, saying so in
    one ``Connection`` header: waitress added ``Keep-Alive`` beside its ``close`` when the request asked to keep the
    connection alive in a version it answers as HTTP/1.0 (found by an independent attempt)."""

    def execute(self) -> None:
        self.request.headers["CONNECTION"] = "close"
        super().execute()


class NoWaitChannel(HTTPChannel):
    """Waitress's connection, except that a handler thread never waits for a client to read.

    Waitress makes a thread wait, without limit, until the client has read what is queued beyond
    ``outbuf_high_watermark`` before it answers the client's next pipelined request: a client that
    pipelines requests for large answers and never reads held that thread for good (found by the
    independent attempt). Here such a client's further pipelined requests are dropped instead, and the
    connection closes once what is queued has been sent (or when it times out): HTTP/1.1 clients retry
    unanswered pipelined requests on a new connection (RFC 9112 §9.3.2).
    """

    parser_class = RequestParser
    task_class = CountingTask
    error_task_class = ClosingErrorTask

    def _flush_outbufs_below_high_watermark(self) -> None:
        if self.total_outbufs_len <= self.adj.outbuf_high_watermark:
            return
        with self.requests_lock:
            for request in self.requests[1:]:
                request.close()
            del self.requests[1:]
            self.close_when_flushed = True


def held_output(channels: Iterable[object]) -> int:
    """Bytes of answers waiting in the channels' buffers for their clients to read; a file sent as it is read
    (``wsgi.file_wrapper``: the dumps) takes no buffer and is not counted."""
    total = 0
    for channel in channels:
        if isinstance(channel, HTTPChannel):
            # A copy: the server's thread adds and drops buffers while a request thread counts them.
            total += sum(len(buffer) for buffer in list(channel.outbufs)
                         if not isinstance(buffer, ReadOnlyFileBasedBuffer))
    return total


def main() -> None:
    """Parse the bind options (``sys.argv``) and serve until stopped, in a process started with the allocator
    settings (``graph/allocator.py``)."""
    options = argparse.ArgumentParser(prog="python -m server")
    options.add_argument("--host", default="127.0.0.1")
    options.add_argument("--port", type=int, default=8000)
    options.add_argument("--threads", type=int, default=16)
    args = options.parse_args()
    if missing_allocator_settings(os.environ):  # glibc reads them only at start: start again with them
        os.execve(sys.executable, [sys.executable, "-m", "server", *sys.argv[1:]], with_allocator_settings(os.environ))
    os.environ.setdefault("DKG_PUBLIC_URL", f"http://{args.host}:{args.port}")
    sys.setswitchinterval(SWITCH_INTERVAL)
    try:
        app = create_app()
    except ConfigError as exc:
        raise SystemExit(f"error: {exc}") from None
    with app.app_context():
        try:
            catalog()  # read the release's catalog now, refusing a release built under another base IRI
        except (BaseMismatch, NoRelease) as exc:
            raise SystemExit(f"error: {exc}") from None
        try:  # and start the workers: a machine that cannot confine them, or a store they cannot open, fails here
            query_pool()
        except SandboxUnavailable as exc:
            raise SystemExit(f"error: {exc}") from None
        release = current_release()
        served = release.folder if release is not None else app.config["STORE"]
    query_bytes = app.config["MAX_QUERY_BYTES"]
    server = create_server(
        app,
        host=args.host,
        port=args.port,
        threads=args.threads,
        ident="dystonia-kg",
        # A GET query travels percent-encoded in the request line (up to 3 bytes per byte).
        max_request_header_size=3 * query_bytes + 16 * 1024,
        max_request_body_size=app.config["MAX_CONTENT_LENGTH"],
        channel_timeout=CHANNEL_TIMEOUT,
        connection_limit=CONNECTION_LIMIT,
        asyncore_use_poll=True,  # select() stops at 1024 descriptors
        # Keep reading each connection while its request runs, so that a client that hangs up is noticed
        # (waitress.client_disconnected) and its query stopped. A client that only half-closes (shuts its
        # sending side and waits) looks the same and loses its answer: HTTP clients do not do that.
        channel_request_lookahead=1,
        # An answer within the byte cap is handed over whole: the handler thread never waits for the reader.
        outbuf_high_watermark=app.config["MAX_BYTES"] + 1024 * 1024,
        outbuf_overflow=SMALL,  # larger answers wait for their readers in a file, not in memory
        expose_tracebacks=False,
    )
    server.channel_class = NoWaitChannel
    app.extensions["dkg_held_output"] = lambda: held_output(list(server._map.values()))  # the front's connections
    # Said only now: the socket listens, the catalog is read and the workers are up (waitress's own line is logged
    # at INFO, which nothing shows).
    print(f"serving {served} at http://{args.host}:{args.port}/sparql", file=sys.stderr, flush=True)
    server.run()

