"""dystonia-kg core: ontology, curated statements, validation, reasoning, release and store.

This package never imports Flask; the server lives in ``server/``.
"""

__version__ = "0.1.0"
