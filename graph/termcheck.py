"""Checks of the external terms the curated graph uses against their releases (HPO here).

Every HPO IRI used must exist in the release, not be obsolete (the error suggests its replacement),
and carry the release's label and definition (the import module copies them; a release merged with a
stale module would otherwise hold two of each). A failure names the term and every statement or class
that uses it.
"""

from __future__ import annotations

from collections import defaultdict

from rdflib import RDFS, Graph, URIRef

from .hpo import HpoRelease
from .validate import Violation
from .vocab import DKG, IAO_DEFINITION, compact

HP_PREFIX = "http://purl.obolibrary.org/obo/HP_"


def _hp_uses(graph: Graph) -> dict[str, set[str]]:
    """HPO IRI → the local subjects that refer to it."""
    uses: dict[str, set[str]] = defaultdict(set)
    for s, _, o in graph:
        if isinstance(o, URIRef) and str(o).startswith(HP_PREFIX) and isinstance(s, URIRef) and s in DKG:
            uses[str(o)].add(compact(str(s)))
    return uses


def hpo_term_violations(ontology: Graph, curated: Graph, hpo: HpoRelease) -> list[Violation]:
    """Problems with the HPO terms the ontology's local terms and the statements use."""
    problems: list[Violation] = []
    uses = _hp_uses(ontology + curated)
    for iri in sorted(uses):
        curie = compact(iri)
        users = ", ".join(sorted(uses[iri])[:8]) + (" …" if len(uses[iri]) > 8 else "")
        term = hpo.term(curie)
        if term is None:
            problems.append(Violation("hpo-term", curie, "", f"not in HPO {hpo.version}; used by {users}"))
            continue
        if term.obsolete:
            replacements = ", ".join(f"{r.id} ({r.name})" for r in term.replaced_by) or "no replacement given"
            problems.append(Violation(
                "hpo-term", curie, "", f"obsolete in HPO {hpo.version}; replaced by {replacements}; used by {users}"))
            continue
        released = {RDFS.label: term.name, IAO_DEFINITION: str(term.definition) if term.definition else None}
        for field, value in released.items():
            declared = ontology.value(URIRef(iri), field)
            if declared is not None and str(declared) != value:
                name = "label" if field == RDFS.label else "definition"
                problems.append(Violation(
                    "hpo-term", curie, compact(str(field)),
                    f"{name} {str(declared)[:80]!r} differs from HPO {hpo.version} ({(value or '')[:80]!r}); "
                    f"run `dystonia-kg refresh-imports`; used by {users}"))
    return problems
