"""The base IRI: the one setting every local IRI is minted under, and the only place it is written out.

It is ``DKG_BASE`` in the environment (``dystonia-kg build --base URL`` sets it), by default
:data:`DEFAULT_BASE`. ``graph/vocab.py`` reads it once, when first imported, and builds every
namespace from it; the ontology, shapes and queries are written with IRIs relative to it
(``@prefix dkg: <id/>``) and are read with it given to the parser or engine. This module keeps no
state, so that the command line can check a value and apply it before anything reads it.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pyoxigraph as ox

DEFAULT_BASE = "https://w3id.org/dystonia-kg/"
VARIABLE = "DKG_BASE"


def check_base(value: str) -> str:
    """Return ``value`` if it can be the base IRI, else raise ``ValueError`` naming it and what is wrong.

    The base is an absolute http(s) IRI (RFC 3987) with a host and no query or fragment, ending in
    ``/``, so that the data files' relative references (``id/``, ``ontology``) resolve under it.
    """
    try:
        ox.NamedNode(value)  # the IRI grammar, as the engines read it
    except ValueError:
        raise ValueError(f"the base IRI {value!r} is not an absolute IRI") from None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"the base IRI {value!r} is not an http(s) IRI with a host")
    if "?" in value or "#" in value:
        raise ValueError(f"the base IRI {value!r} has a query or a fragment")
    if not value.endswith("/"):
        raise ValueError(f"the base IRI {value!r} does not end in '/' (as in {value + '/'!r})")
    return value


def configured_base() -> str:
    """The base IRI of this process: ``DKG_BASE``, checked, or the default."""
    value = os.environ.get(VARIABLE)
    if value is None:
        return DEFAULT_BASE
    try:
        return check_base(value)
    except ValueError as exc:
        raise ValueError(f"{VARIABLE}: {exc}") from None
