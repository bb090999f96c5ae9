"""A bound on the answer bytes the server holds for clients that have not read them yet.

The HTTP front hands each answer over whole, so that a slow reader holds a socket and never a thread: the answer
waits in the front's buffer, which waitress spills to a temporary file beyond 1 MiB. Unbounded, that let clients
that ask for large answers and read them a byte at a time fill the disk (an independent attempt: 49 connections
held 2.3 GiB, and 1,000 connections could hold 64 GiB). The front says how many bytes it holds
(``app.extensions["dkg_held_output"]``, set by ``server/serve.py``); an answer that would take the total over
``OUTPUT_BUDGET`` gets 503 with ``Retry-After`` instead. Requests answered at the same moment may each pass before
the others are counted, so the total can exceed the budget by at most the request threads times the byte cap.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, current_app, request

from . import errors

SMALL = 1024 * 1024  # answers this small stay in memory in the front (waitress's outbuf_overflow): not counted


def refuse_over_budget(response: Response) -> Response:
    """``response``, or a 503 when its body would take the bytes held for slow readers over the budget."""
    held: Callable[[], int] | None = current_app.extensions.get("dkg_held_output")
    if held is None or response.direct_passthrough or request.method == "HEAD":
        return response  # no buffering front (the test client), a file sent from disk as it is read, or no body
    length = response.content_length
    if length is None or length < SMALL:
        return response
    budget: int = current_app.config["OUTPUT_BUDGET"]
    holding = held()
    if holding + length <= budget:
        return response
    mib = 1024 * 1024
    return errors.response(errors.unavailable(
        f"the server holds {holding // mib} MiB of answers their clients have not read yet, and this answer "
        f"({length // mib} MiB) would take that over {budget // mib} MiB (DKG_OUTPUT_BUDGET); try again",
        retry_after=5, limit="output_budget", value=budget))
