"""Turn the ontology files and the curation records into RDF graphs.

Record keys are the ontology's own property names, so the ontology is the one place the public
query vocabulary is defined; a key or a local term it does not define is an error with file and line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF

from .ledger import Ledger, add_units, load_ledgers
from .paths import CURATION_DIR, resource_dir
from .records import CurationError, Problem, Record, load_record_list, load_statement_file
from .vocab import BASE, BIBO, DKG, FABIO, PROV, expand


class OntologyError(Exception):
    """An ontology file does not parse; the message names the file and the parser's position."""


def ontology_files(ontology_dir: Path | None = None) -> list[Path]:
    """The Turtle files that make up the ontology, imports included, in a stable order."""
    root = ontology_dir or resource_dir("ontology")
    return sorted(root.glob("*.ttl")) + sorted((root / "imports").glob("*.ttl"))


def load_ontology(ontology_dir: Path | None = None) -> Graph:
    """Parse every ontology file into one graph, its relative IRIs resolved against the base IRI."""
    graph = Graph()
    files = ontology_files(ontology_dir)
    if not files:
        raise OntologyError(f"no ontology files found in {ontology_dir or resource_dir('ontology')}")
    for path in files:
        try:
            graph.parse(path, format="turtle", publicID=BASE)
        except Exception as exc:  # rdflib raises several parser-specific types
            raise OntologyError(f"{path}: {exc}") from exc
    return graph


@dataclass(frozen=True)
class Vocabulary:
    """What the ontology defines, as the record loader needs it."""

    object_properties: frozenset[URIRef]
    literal_properties: dict[URIRef, URIRef | None]  # property -> datatype range
    statement_types: frozenset[URIRef]
    local_terms: frozenset[URIRef]

    @classmethod
    def from_ontology(cls, ontology: Graph) -> Vocabulary:
        """Read property kinds, statement classes and declared local terms."""
        objects = frozenset(p for p in ontology.subjects(RDF.type, OWL.ObjectProperty) if isinstance(p, URIRef))
        literals: dict[URIRef, URIRef | None] = {}
        for kind in (OWL.DatatypeProperty, OWL.AnnotationProperty):
            for prop in ontology.subjects(RDF.type, kind):
                if isinstance(prop, URIRef):
                    rng = ontology.value(prop, RDFS.range)
                    literals[prop] = rng if isinstance(rng, URIRef) else None
        statement_types = frozenset(
            c for c in ontology.transitive_subjects(RDFS.subClassOf, DKG.Statement) if isinstance(c, URIRef)
        )
        local = frozenset(s for s in ontology.subjects(RDF.type, None) if isinstance(s, URIRef) and s in DKG)
        return cls(objects, literals, statement_types, local)


# Keys of source and citation records that are not ontology property names.
SOURCE_KEYS: dict[str, URIRef] = {
    "label": RDFS.label, "title": DCTERMS.title, "publisher": DCTERMS.publisher,
    "creator": DCTERMS.creator, "modified": DCTERMS.modified, "url": FOAF.page,
    "fileName": DKG.fileName, "sha256": DKG.sha256, "cites": BIBO.cites, "furtherReading": DKG.furtherReading,
}
CITATION_KEYS: dict[str, URIRef] = {
    "title": DCTERMS.title, "creator": DCTERMS.creator, "date": DCTERMS.date,
    "bibliographicCitation": DCTERMS.bibliographicCitation, "doi": BIBO.doi, "pmid": BIBO.pmid,
    "url": FOAF.page, "printedDoi": DKG.printedDoi,
}
CITATION_TYPES: dict[str, URIRef] = {
    "AcademicArticle": BIBO.AcademicArticle, "ReviewArticle": FABIO.ReviewArticle, "WebPage": FABIO.WebPage,
}
LEDGER_HINT = "graph/curation/ledger/<SourceID>.yaml"
IRI_VALUED = {BIBO.cites, DKG.furtherReading, FOAF.page}
TERM_VALUED = {BIBO.cites, DKG.furtherReading}  # IRI values named by local ID
DATE_VALUED = {DCTERMS.modified}


def _values(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


class _Assembler:
    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocab = vocabulary
        self.graph = Graph()
        self.problems: list[Problem] = []
        self.ids: dict[str, Record] = {}
        self.statement_ids: set[str] = set()  # every statement ID of every file, for references ahead
        self.derived: dict[str, set[str]] = {}  # source ID -> IDs of the statements derived from it

    def claim_id(self, record: Record) -> URIRef | None:
        ident = record.fields.get("id")
        if not isinstance(ident, str) or not ident.isidentifier():
            self.problems.append(record.problem(f"missing or malformed 'id': {ident!r}", "id"))
            return None
        if DKG[ident] in self.vocab.local_terms:  # its triples would be read as the term's (the reasoner's, say)
            self.problems.append(record.problem(f"id {ident} is a term of the ontology: a record needs an id of its "
                                                "own", "id"))
            return None
        if ident in self.ids:
            first = self.ids[ident]
            self.problems.append(record.problem(f"id {ident} already used at {first.file}:{first.line}", "id"))
            return None
        self.ids[ident] = record
        return DKG[ident]

    def term(self, record: Record, key: str, text: Any) -> URIRef | None:
        if not isinstance(text, str) or not text.strip():
            self.problems.append(record.problem(f"{key}: expected a term (CURIE or local name), got {text!r}", key))
            return None
        try:
            iri = expand(text.strip())
        except ValueError as exc:
            self.problems.append(record.problem(f"{key}: {exc}", key))
            return None
        local = str(iri)[len(str(DKG)):]
        known = local in self.ids or local in self.statement_ids  # a declared record, maybe further on
        if iri in DKG and iri not in self.vocab.local_terms and not known:
            self.problems.append(record.problem(f"{key}: {text!r} is not defined in the ontology", key))
            return None
        return iri

    def literal(self, record: Record, key: str, value: Any, datatype: URIRef | None) -> Literal | None:
        if isinstance(value, (dict, list)) or value is None:
            self.problems.append(record.problem(f"{key}: expected a single value, got {value!r}", key))
            return None
        if datatype == XSD.integer:
            if not isinstance(value, int) or isinstance(value, bool):
                self.problems.append(record.problem(f"{key}: expected an integer, got {value!r}", key))
                return None
            return Literal(value)
        text = str(value).strip()
        if not text:
            self.problems.append(record.problem(f"{key}: empty value", key))
            return None
        return Literal(text)

    def add_fixed(self, record: Record, subject: URIRef, keys: dict[str, URIRef], skip: set[str]) -> None:
        for key, value in record.fields.items():
            if key in skip:
                continue
            prop = keys.get(key)
            if prop is None:
                self.problems.append(record.problem(f"unknown field {key!r} (allowed: {', '.join(sorted(keys))})", key))
                continue
            for item in _values(value):
                if prop in IRI_VALUED:
                    iri = self.term(record, key, item) if prop in TERM_VALUED else URIRef(str(item))
                    if iri is not None:
                        self.graph.add((subject, prop, iri))
                elif prop in DATE_VALUED:
                    self.graph.add((subject, prop, Literal(str(item), datatype=XSD.date)))
                else:
                    lit = self.literal(record, key, item, None)
                    if lit is not None:
                        self.graph.add((subject, prop, lit))

    def add_source(self, record: Record) -> None:
        subject = self.claim_id(record)
        if subject is None:
            return
        self.graph.add((subject, RDF.type, DKG.SourceDocument))
        self.add_fixed(record, subject, SOURCE_KEYS, {"id"})

    def add_citation(self, record: Record) -> None:
        subject = self.claim_id(record)
        if subject is None:
            return
        self.graph.add((subject, RDF.type, DKG.Citation))
        kind = record.fields.get("type")
        if kind not in CITATION_TYPES:
            allowed = ", ".join(CITATION_TYPES)
            self.problems.append(record.problem(f"type: expected one of {allowed}, got {kind!r}", "type"))
        else:
            self.graph.add((subject, RDF.type, CITATION_TYPES[kind]))
        self.add_fixed(record, subject, CITATION_KEYS, {"id", "type"})

    def add_statement(self, record: Record, defaults: dict[str, Any]) -> None:
        subject = self.claim_id(record)
        if subject is None:
            return
        fields = {**defaults, **record.fields}
        kind = fields.get("type")
        type_iri = expand(kind) if isinstance(kind, str) and ":" not in kind else None
        if type_iri not in self.vocab.statement_types:
            self.problems.append(record.problem(f"type: {kind!r} is not a statement class of the ontology", "type"))
        else:
            self.graph.add((subject, RDF.type, type_iri))
        for key, value in fields.items():
            if key in ("id", "type"):
                continue
            if key == "source":
                for item in _values(value):
                    iri = self.term(record, key, item)
                    if iri is not None:
                        self.graph.add((subject, PROV.wasDerivedFrom, iri))
                        self.derived.setdefault(str(item), set()).add(str(record.fields["id"]))
                continue
            prop = DKG[key]
            if prop in self.vocab.object_properties:
                for item in _values(value):
                    iri = self.term(record, key, item)
                    if iri is not None:
                        self.graph.add((subject, prop, iri))
            elif prop in self.vocab.literal_properties:
                for item in _values(value):
                    lit = self.literal(record, key, item, self.vocab.literal_properties[prop])
                    if lit is not None:
                        self.graph.add((subject, prop, lit))
            else:
                self.problems.append(record.problem(f"unknown field {key!r}: not a property of the ontology", key))


    def retire(self, header: Record, retired: object) -> None:
        """Keep retired statement IDs claimed (never reused), marked deprecated with the reason."""
        if not isinstance(retired, list):
            self.problems.append(header.problem("retired: expected a list of {id, reason}", "retired"))
            return
        for item in retired:
            reason = item.get("reason") if isinstance(item, dict) else None
            if not isinstance(item, dict) or set(item) != {"id", "reason"} or not isinstance(reason, str):
                self.problems.append(header.problem(f"retired: expected {{id, reason}}, got {item!r}", "retired"))
                continue
            subject = self.claim_id(Record(header.file, header.field_lines["retired"], item))
            if subject is not None:
                self.graph.add((subject, OWL.deprecated, Literal(True)))
                self.graph.add((subject, RDFS.comment, Literal(reason.strip(), lang="en")))

    def add_ledger(self, ledger: Ledger) -> None:
        """Cross-check a ledger with the statements (IDs, sources, citations) and add its units."""
        where = Record(ledger.path, 1, {})
        if (DKG[ledger.source], RDF.type, DKG.SourceDocument) not in self.graph:
            self.problems.append(where.problem(f"source: {ledger.source} is not a declared source document"))
            return
        derived = self.derived.get(ledger.source, set())
        listed = ledger.listed()
        for ident, entries in sorted(listed.items()):
            if ident not in derived:
                self.problems.append(entries[0].record.problem(
                    f"statements: {ident} is not a statement derived from {ledger.source}", "statements"))
        for ident in sorted(derived - set(listed)):
            self.problems.append(where.problem(f"{ident} (derived from {ledger.source}) is listed by no unit: "
                                               "give the unit its quote is in"))
        for number, citation in ledger.footnotes.items():
            if citation is not None and (citation not in self.ids or
                                         (DKG[citation], RDF.type, DKG.Citation) not in self.graph):
                self.problems.append(Record(ledger.path, ledger.footnotes_line, {}).problem(
                    f"footnotes: {number}: {citation} is not a declared citation"))
        add_units(self.graph, ledger)


def statement_files(curation_dir: Path | None = None) -> list[Path]:
    """The statement files, in a stable order."""
    return sorted(((curation_dir or CURATION_DIR) / "statements").glob("*.yaml"))


def assemble_curated(vocabulary: Vocabulary, curation_dir: Path | None = None) -> Graph:
    """Read sources, citations and statements into one graph, or raise ``CurationError``."""
    root = curation_dir or CURATION_DIR
    asm = _Assembler(vocabulary)
    try:
        sources = load_record_list(root / "sources.yaml")
        citations = load_record_list(root / "citations.yaml")
        files = [load_statement_file(path) for path in statement_files(root)]
        ledgers = load_ledgers(root)
    except CurationError:
        raise
    except FileNotFoundError as exc:
        raise CurationError([Problem(Path(exc.filename or root), 1, "file not found")]) from exc
    # Citations, then sources (which cite them), then statements (which refer to both).
    for record in citations:
        asm.add_citation(record)
    for record in sources:
        asm.add_source(record)
    asm.statement_ids = {str(r.fields.get("id")) for _, statements in files for r in statements}
    for header, statements in files:
        unknown = set(header.fields) - {"source", "retired"}
        for key in sorted(unknown):
            asm.problems.append(header.problem(f"unknown header field {key!r} (allowed: source, retired)", key))
        if "retired" in header.fields:
            asm.retire(header, header.fields["retired"])
        for record in statements:
            asm.add_statement(record, {k: v for k, v in header.fields.items() if k == "source"})
    for record in sources:
        ident = record.fields.get("id")
        if isinstance(ident, str) and ident not in ledgers:
            asm.problems.append(record.problem(
                f"{ident} has no sentence ledger ({LEDGER_HINT}): write its skeleton with "
                "`dystonia-kg ledger --sources DIR` and account for every unit", "id"))
    for ledger in ledgers.values():
        asm.add_ledger(ledger)
    if asm.problems:
        raise CurationError(asm.problems)
    return asm.graph

