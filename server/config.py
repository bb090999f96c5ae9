"""Server settings: defaults, then ``DKG_*`` environment variables, then ``test_config``."""

from __future__ import annotations

import os
from typing import Any

from graph.paths import default_release_dir

DEFAULTS: dict[str, Any] = {
    "RELEASE_DIR": None,  # default: $DKG_RELEASE_DIR or ./release
    "STORE": None,  # store selector; default: the current release's on-disk store
    "QUERY_TIMEOUT": 10.0,  # seconds
    "MAX_ROWS": 100_000,
    "MAX_BYTES": 64 * 1024 * 1024,
    "MAX_QUERY_BYTES": 64 * 1024,
    "WORKERS": 2,  # query worker processes
    "WORKER_MEMORY": 1024 * 1024 * 1024,  # bytes of heap per query worker (RLIMIT_DATA)
    "WORKER_RECYCLE": 64 * 1024 * 1024,  # a query worker holding more after a query is replaced (not file-backed)
    "LONG_QUERY_AFTER": 0.5,  # seconds after which a running query is kept to half the cores (graph/cores.py)
    "QUERY_QUEUE": 8,  # requests that may wait for a busy query worker; beyond, 503 with Retry-After
    "SANDBOX": "required",  # required: refuse queries unless the workers are denied the network; warn: log
    "SPARQL_MAX_AGE": 60,  # seconds a client or proxy may reuse a GET query's answer (Cache-Control max-age)
    "ANSWER_CACHE_BYTES": 16 * 1024 * 1024,  # bytes of GET answers the HTTP cache keeps per server process
    "DOCUMENT_CACHE_BYTES": 16 * 1024 * 1024,  # bytes of rendered pages and descriptions kept per server process
    "OUTPUT_BUDGET": 1024 * 1024 * 1024,  # bytes of answers held for clients still reading them, all told
    "PUBLIC_URL": "http://localhost",  # scheme and host the server names itself by (never the Host header)
}
# A setting's type is its default's: a number read from the environment is parsed as one.
_TYPES = {name: type(value) for name, value in DEFAULTS.items() if type(value) in (int, float)}


class ConfigError(ValueError):
    """A ``DKG_*`` setting the server cannot take; the message names it and its value."""


def load_config(test_config: dict[str, Any] | None = None) -> dict[str, Any]:
    """Merge defaults, ``DKG_<NAME>`` variables and ``test_config``; raise :class:`ConfigError` for a bad value."""
    config = dict(DEFAULTS)
    for name in DEFAULTS:
        value = os.environ.get(f"DKG_{name}")
        if value is not None:
            kind = _TYPES.get(name, str)
            try:
                config[name] = kind(value)
            except ValueError:
                raise ConfigError(f"DKG_{name} must be a number ({kind.__name__}), not {value!r}") from None
            if kind is not str and not config[name] >= 0:  # every number here is a size, a count or seconds; NaN too
                raise ConfigError(f"DKG_{name} must be a number of at least 0, not {value!r}")
    config.update(test_config or {})
    if config["SANDBOX"] not in ("required", "warn"):
        raise ConfigError(f"DKG_SANDBOX must be 'required' or 'warn', not {config['SANDBOX']!r}")
    if config["RELEASE_DIR"] is None:
        config["RELEASE_DIR"] = str(default_release_dir())
    # An explicit store (DKG_STORE, e.g. a remote sparql:URL) is served as is; otherwise the server
    # follows the published release, switching when `current` is repointed.
    config["STORE_FROM_RELEASE"] = config["STORE"] is None
    return config
