"""The server's own name: every request is seen as addressed to the configured public URL."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app


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


def public_root() -> str:
    """``scheme://host[:port]`` the server names itself by (what ``request.host_url`` says behind
    :class:`CanonicalHost`, without computing it from the request each time)."""
    parts = urlsplit(current_app.config["PUBLIC_URL"])
    return f"{parts.scheme}://{parts.netloc}"
