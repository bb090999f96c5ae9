"""Where the data-only folders (ontology, shapes, queries) and the curation sources live.

In a checkout they sit beside the ``graph`` package; in an installed wheel they are carried
inside it under ``graph/_resources`` (see ``pyproject.toml``).
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
CURATION_DIR = PACKAGE_DIR / "curation"


def resource_dir(name: str) -> Path:
    """Return the folder of the data resource ``name`` (``ontology``, ``shapes`` or ``queries``)."""
    packaged = PACKAGE_DIR / "_resources" / name
    if packaged.is_dir():
        return packaged
    return PACKAGE_DIR.parent / name


def default_release_dir() -> Path:
    """The release folder: ``$DKG_RELEASE_DIR`` or ``./release``."""
    return Path(os.environ.get("DKG_RELEASE_DIR", "release")).resolve()
