"""The SPARQL examples the release publishes (``graph/examples.py`` wrote them), read back from the store once per
release: the Service Description and VoID link them, and the editor lists them."""

from __future__ import annotations

import json
from dataclasses import dataclass

from graph.examples import EXAMPLES_QUERY

from .catalog import catalog
from .pool import select_rows


@dataclass(frozen=True)
class Example:
    """One ``sh:SPARQLExecutable`` of the store, and the named graph that holds it."""

    iri: str
    graph: str
    title: str
    question: str
    query: str


def published_examples() -> list[Example]:
    """The store's SPARQL examples, in the order of their IRIs (that of the query files' names)."""
    rows = json.loads(catalog().documents.get(
        ("examples",), lambda: json.dumps(select_rows(EXAMPLES_QUERY)).encode()).body)
    return [Example(row["example"], row["graph"], row["title"], row.get("question", ""), row["query"])
            for row in rows]
