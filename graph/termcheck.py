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
from urllib.parse import urlsplit

from rdflib import RDFS, SKOS, Graph, Literal, URIRef

from .hpo import HpoRelease
from .obo_modules import Module, Uses
from .obo_release import SPECS
from .validate import Violation
from .vocab import DKG, IAO_DEFINITION, compact, expand

HP_PREFIX = "http://purl.obolibrary.org/obo/HP_"


def _hp_uses(graphs: Iterable[Graph]) -> dict[str, set[str]]:
    """HPO IRI → the local subjects that refer to it (read from each graph: their union would be a copy)."""
    uses: dict[str, set[str]] = defaultdict(set)
    for graph in graphs:
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
    uses = _hp_uses((ontology, curated))
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
            fields = ((RDFS.label, "label", term.label), (SKOS.prefLabel, "label", term.label),
                      (IAO_DEFINITION, "definition", term.definition))
            for field, what, value in fields:
                # The module writes the release's text in English: any other text, or the same text in another
                # language or without one, is a second label the graph would hold (found by the independent attempt).
                declared = {(str(v), v.language if isinstance(v, Literal) else None)
                            for part in parts for v in part.objects(iri, field)}
                for text, language in sorted(declared, key=str):
                    if text != value or language != "en":
                        tag = "" if language == "en" else f"@{language}" if language else " (no language tag)"
                        problems.append(Violation(
                            check, curie, compact(str(field)),
                            f"{what} {text[:80]!r}{tag} differs from {where} ({(value or '')[:80]!r}); the "
                            f"{name} module carries the release's {what}: remove this one or correct it; {used_by}"))
    return problems


def module_iri_violations(graphs: Iterable[Graph]) -> list[Violation]:
    """IRIs that name a UBERON, MONDO or ChEBI term in another form than its OBO PURL
    (``http://purl.obolibrary.org/obo/UBERON_0001897``): another scheme, case or resolver. The term checks and
    the modules know a term by its PURL only, so a term written otherwise would escape both (found by the
    independent attempt: an https PURL, a lower-case prefix and an identifiers.org IRI of a deprecated term)."""
    prefixes = {spec.prefix.upper(): spec.prefix for spec in SPECS.values()}
    problems: list[Violation] = []
    seen: set[str] = set()
    for graph in graphs:
        for triple in graph:
            for node in triple:
                if not isinstance(node, URIRef) or str(node) in seen:
                    continue
                seen.add(str(node))
                canonical = _obo_purl(str(node), prefixes)
                if canonical is not None and canonical != str(node):
                    problems.append(Violation(
                        "module-term-iri", str(node), "",
                        f"names {canonical.rsplit('/', 1)[-1].replace('_', ':', 1)} in a form the term checks and "
                        f"the modules do not read: write <{canonical}>"))
    return problems


def _obo_purl(iri: str, prefixes: Mapping[str, str]) -> str | None:
    """The OBO PURL of the UBERON, MONDO or ChEBI term ``iri`` names (as a PURL of any scheme or case, or an
    identifiers.org IRI), else ``None``."""
    parts = urlsplit(iri)
    host, segments = parts.netloc.lower(), [s for s in parts.path.split("/") if s]
    if host == "purl.obolibrary.org" and len(segments) == 2 and segments[0].lower() == "obo":
        local = segments[1]
    elif host == "identifiers.org" and segments:
        local = segments[-1]
    else:
        return None
    for separator in ("_", ":"):
        prefix, found, number = local.partition(separator)
        if found and prefix.upper() in prefixes and number:
            return f"http://purl.obolibrary.org/obo/{prefixes[prefix.upper()]}_{number}"
    return None


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
