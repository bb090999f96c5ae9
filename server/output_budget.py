"""A bound on the answer bytes the server holds for clients that have not read them yet.

The HTTP front hands each answer over whole, so that a slow reader holds a socket and never a thread: the answer
waits in the front's buffer, which waitress spills to a temporary file beyond ``SMALL`` (``server/serve.py``).
Unbounded, that let clients that ask for large answers and read them a byte at a time fill the disk (an independent
attempt: 49 connections held 2.3 GiB, and 1,000 connections could hold 64 GiB). The front says how many bytes it holds
(``app.extensions["dkg_held_output"]``, set by ``server/serve.py``); an answer that would take the total over
``OUTPUT_BUDGET`` gets 503 with ``Retry-After`` instead, when it is large or its client has not read what it was
sent before. So the total held stays under the budget, plus the request threads times the largest answer (answers
at the same moment may each pass before the others are counted: the byte cap for a query's answer, the dump's size
for a byte range of a dump), plus ``SMALL`` per connection (one small answer to a client that had read everything
before it). Those small answers are what the front holds in memory: the rest waits in files.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, current_app, request

from . import errors

# Answers under this many bytes stay in the front's memory (waitress's outbuf_overflow, set from here); larger ones
# wait in a file. It was waitress's default, 1 MiB, uncounted for a reading client: 990 connections that each asked
# for one 1 MB answer and read nothing held 1.1 GB of the server's memory (helper-37). At 64 KiB, the 1,000
# connections the front accepts hold at most 64 MiB uncounted.
SMALL = 64 * 1024


def over_budget(length: int, unread: Callable[[], int] | None, held: Callable[[], int] | None,
                budget: int) -> int | None:
    """The bytes held for slow readers when an answer of ``length`` bytes would take them over ``budget``, or
    ``None`` when it may be sent: it is small and its client (``unread``: what its connection still holds) reads
    what it is sent, the front counts nothing (``held`` is ``None``: the test client), or it fits."""
    if held is None:
        return None
    if length < SMALL and not (unread is not None and unread()):
        # A small answer to a client that reads what it is sent: the steady client goes on, and the count over
        # every connection is left off the path of most requests.
        return None
    holding = held()
    return None if holding + length <= budget else holding


def refuse_over_budget(response: Response) -> Response:
    """``response``, or a 503 when the bytes held for slow readers are over the budget and ``response`` is large,
    or is for a client that has not read what it was sent before (it pipelines requests and reads nothing)."""
    if request.method == "HEAD" or _sent_from_its_file(response) or response.content_length is None:
        return response  # no body, or a file sent from disk as it is read
    length = response.content_length
    budget: int = current_app.config["OUTPUT_BUDGET"]
    holding = over_budget(length, request.environ.get("dkg.held_here"), current_app.extensions.get("dkg_held_output"),
                          budget)
    if holding is None:
        return response
    mib = 1024 * 1024
    return errors.response(errors.unavailable(
        f"the server holds {holding // mib} MiB of answers their clients have not read yet, and this answer "
        f"({length // mib} MiB) would take that over {budget // mib} MiB (DKG_OUTPUT_BUDGET); try again",
        retry_after=5, limit="output_budget", value=budget))


def _sent_from_its_file(response: Response) -> bool:
    """Whether the front sends ``response``'s body from its file as the client reads it (``wsgi.file_wrapper``).
    A byte range of a file is not: werkzeug wraps it in a reader of its own, which the front copies into its
    buffer (an independent attempt held 1 GiB with 40 unread ranges of a dump)."""
    wrapper = request.environ.get("wsgi.file_wrapper")
    return isinstance(wrapper, type) and isinstance(response.response, wrapper)
