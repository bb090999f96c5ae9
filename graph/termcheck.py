"""Checks of the external terms the graphs use against their releases: HPO, UBERON, MONDO and ChEBI.

Every HPO IRI used must exist in the release, not be obsolete (the error suggests its replacement),
and carry the release's label and definition (the import module copies them; a release merged with a
stale module would otherwise hold two of each). Likewise every UBERON, MONDO and ChEBI term the ontology,
the statements or the annotation layer use: in its release, not deprecated, and any label or definition
the ontology gives it the release's (the modules carry the release's; two would be one too many). A
failure names the term and every statement or class that uses it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from rdflib import RDFS, Graph, URIRef

from .hpo import HpoRelease
from .obo_modules import Module, Uses
from .validate import Violation
from .vocab import DKG, IAO_DEFINITION, compact, expand

HP_PREFIX = "http://purl.obolibrary.org/obo/HP_"


def _hp_uses(graph: Graph) -> dict[str, set[str]]:
    """HPO IRI → the local subjects that refer to it."""
    uses: dict[str, set[str]] = defaultdict(set)
    for s, _, o in graph:
        if isinstance(o, URIRef) and str(o).startswith(HP_PREFIX) and isinstance(s, URIRef) and s in DKG:
            uses[str(o)].add(compact(str(s)))
    return uses


def _names(users: Iterable[str]) -> str:
    listed = sorted(users)
    return ", ".join(listed[:8]) + (" …" if len(listed) > 8 else "")


def hpo_term_violations(ontology: Graph, curated: Graph, hpo: HpoRelease) -> list[Violation]:
    """Problems with the HPO terms the ontology's local terms and the statements use."""
    problems: list[Violation] = []
    uses = _hp_uses(ontology + curated)
    for iri in sorted(uses):
        curie = compact(iri)
        users = _names(uses[iri])
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


def module_term_violations(graphs: Iterable[Graph], uses: Uses, modules: Mapping[str, Module]) -> list[Violation]:
    """Problems with the UBERON, MONDO and ChEBI terms ``uses`` names: absent from the release, deprecated
    there, or given a label or definition in ``graphs`` (the ontology, the statements) other than the release's."""
    parts = list(graphs)
    problems: list[Violation] = []
    for name, module in modules.items():
        release, check = module.release, f"{name}-term"
        where = f"{release.spec.prefix} {release.version}"
        for curie, users in sorted(uses.get(name, {}).items()):
            used_by = f"used by {_names(users)}"
            term = release.term(curie)
            if term is None:
                problems.append(Violation(check, curie, "", f"not in {where}; {used_by}"))
                continue
            if term.deprecated:
                problems.append(Violation(check, curie, "", f"deprecated in {where}; {_replacement(module, curie)}; "
                                                            f"{used_by}"))
                continue
            iri = URIRef(expand(curie))
            for field, value in ((RDFS.label, term.label), (IAO_DEFINITION, term.definition)):
                for declared in sorted({str(v) for part in parts for v in part.objects(iri, field)}):
                    if declared != value:
                        what = "label" if field == RDFS.label else "definition"
                        problems.append(Violation(
                            check, curie, compact(str(field)),
                            f"{what} {declared[:80]!r} differs from {where} ({(value or '')[:80]!r}); the {name} "
                            f"module carries the release's {what}: remove this one or correct it; {used_by}"))
    return problems


def _replacement(module: Module, curie: str) -> str:
    """The replacement a release names for a deprecated term (with its label when the release has it), or
    the terms it suggests considering."""
    term = module.release.terms[curie]
    if term.replaced_by:
        replacement = module.release.term(term.replaced_by)
        label = f" ({replacement.label})" if replacement is not None and replacement.label else ""
        return f"replaced by {term.replaced_by}{label}"
    if term.consider:
        return "no replacement given; consider " + ", ".join(term.consider)
    return "no replacement given"
