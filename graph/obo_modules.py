"""The UBERON, MONDO and ChEBI modules: the terms the graphs use, with all their ancestors, as OWL for the
release's named graphs ``…/graph/uberon``, ``…/graph/mondo`` and ``…/graph/chebi``.

Each module term gets, from its release file (``graph.obo_release``): ``owl:Class``, ``oboInOwl:id``,
``rdfs:label``, its definition (IAO:0000115) and exact synonyms (the file keeps only exact ones), and its
hierarchy as ``dkg:isaPartofParent`` (ancestors at distance 1) and ``dkg:isaPartofAncestor`` (all of them).
The file mixes is_a and part_of ancestors without saying which is which, so the hierarchy is never
published as ``rdfs:subClassOf`` (see the two properties in ``ontology/dystonia-kg.ttl``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef

from .hpo import OIO, OWL_NS, RDF_TYPE, RDFS_NS, SYNONYM_IRIS, nt_literal, obo_iri
from .obo_release import SPECS, OboRelease, ReleaseSpec, default_release_file, load_release, package_version
from .vocab import DKG, IAO_DEFINITION, compact

OBO_PREFIX = "http://purl.obolibrary.org/obo/"
DECLARED = "the ontology's declaration of it"  # the user named for a term only declared (external-terms.ttl)
Uses = dict[str, dict[str, set[str]]]  # module name → term CURIE → who uses it (CURIEs, or DECLARED)


def _module_of(iri: str) -> tuple[str, str] | None:
    """``(module name, CURIE)`` of an IRI in one of the modules' OBO namespaces, else ``None``."""
    if not iri.startswith(OBO_PREFIX):
        return None
    prefix, sep, local = iri[len(OBO_PREFIX):].partition("_")
    for spec in SPECS.values():
        if sep and prefix == spec.prefix and local:
            return spec.name, f"{prefix}:{local}"
    return None


def term_uses(graphs: Iterable[Graph], ntriples: Iterable[bytes] = ()) -> Uses:
    """Every UBERON, MONDO and ChEBI term the graphs and N-Triples documents mention, with the subjects that
    mention it; a term only ever in subject position (a declaration) is used by :data:`DECLARED`."""
    uses: Uses = {name: defaultdict(set) for name in SPECS}

    def note(subject: str, subject_iri: str | None, obj: str | None) -> None:
        if obj is not None and (found := _module_of(obj)) is not None:
            uses[found[0]][found[1]].add(subject)
        if subject_iri is not None and (found := _module_of(subject_iri)) is not None:
            uses[found[0]].setdefault(found[1], set())  # mentioned: it gets an entry, users or not

    for graph in graphs:
        for s, _, o in graph:
            iri = str(s) if isinstance(s, URIRef) else None
            note(compact(iri) if iri else "an OWL axiom", iri, str(o) if isinstance(o, URIRef) else None)
    for document in ntriples:
        for quad in ox.parse(document, format=ox.RdfFormat.N_TRIPLES):
            s, o = quad.subject, quad.object
            iri = s.value if isinstance(s, ox.NamedNode) else None
            note(compact(iri) if iri else "a blank node", iri, o.value if isinstance(o, ox.NamedNode) else None)
    result: Uses = {}
    for name, found in uses.items():
        result[name] = {curie: users or {DECLARED} for curie, users in found.items()}
    return result


@dataclass(frozen=True)
class Module:
    """One ontology's module: the release it comes from, the terms used, and the module as N-Triples."""

    release: OboRelease
    used: frozenset[str]

    @property
    def spec(self) -> ReleaseSpec:
        """Which ontology."""
        return self.release.spec

    @cached_property
    def terms(self) -> list[str]:
        """The module's terms: those used that the release has (and does not deprecate), with their ancestors."""
        return self.release.closure(self.used)

    @cached_property
    def ntriples(self) -> bytes:
        """The module as N-Triples (no rdfs:subClassOf: see the module docstring)."""
        lines: list[str] = []
        add = lines.append
        parent, ancestor = f"<{DKG['isaPartofParent']}>", f"<{DKG['isaPartofAncestor']}>"
        exact = SYNONYM_IRIS["EXACT"]
        for curie in self.terms:
            term = self.release.terms[curie]
            s = obo_iri(curie)
            add(f"{s} {RDF_TYPE} <{OWL_NS}Class> .")
            add(f"{s} <{OIO}id> {nt_literal(curie)} .")
            if term.label:
                add(f"{s} <{RDFS_NS}label> {nt_literal(term.label, 'en')} .")
            if term.definition:
                add(f"{s} <{IAO_DEFINITION}> {nt_literal(term.definition, 'en')} .")
            for synonym in sorted(set(term.synonyms)):
                add(f"{s} {exact} {nt_literal(synonym, 'en')} .")
            for other, distance in term.ancestors:
                if distance == 1:
                    add(f"{s} {parent} {obo_iri(other)} .")
                add(f"{s} {ancestor} {obo_iri(other)} .")
        return ("\n".join(lines) + "\n").encode("utf-8")

    def metadata(self) -> dict[str, object]:
        """What the release manifest records of this module: version, source, licence, file, counts."""
        return {
            "merged": True,
            "title": self.spec.title,
            "version": self.release.version,
            "file": self.release.path.name,
            "source": self.release.source,
            "licence": self.spec.licence,
            "licence_name": self.spec.licence_name,
            "via": f"cellxgene-ontology-guide {package_version()} (label, definition, exact synonyms, "
                   "deprecation, is_a and part_of ancestors)",
            "terms_used": len([c for c in self.used if self.release.term(c) is not None]),
            "terms": len(self.terms),
        }


def load_modules(uses: Uses, files: Mapping[str, Path | None]) -> dict[str, Module]:
    """The three modules for the terms ``uses`` names, each from ``files[name]`` or the packaged release."""
    modules = {}
    for name, spec in SPECS.items():
        used = frozenset(uses.get(name, {}))
        path = files.get(name) or default_release_file(spec)
        modules[name] = Module(load_release(spec, path, used), used)
    return modules
