"""Build a release: parse, validate (SHACL + QC), reason, write dumps and the on-disk store.

A release is written to ``RELEASE/builds/<digest>/`` and published by atomically repointing the
``RELEASE/current`` symlink, so a failed or killed build never touches the release being served.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import OWL, Graph

from .assemble import Vocabulary, assemble_curated, load_ontology
from .reason import reason
from .store import EmbeddedStore, canonical_nquads, create_disk_store, open_store
from .validate import Violation, load_shapes, qc_violations, shacl_violations
from .vocab import CURATED_GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH, ONTOLOGY_IRI

DUMP_FORMATS = ("ttl", "nt", "jsonld", "rdf")
KEEP_BUILDS = 3


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

    @property
    def asserted(self) -> Graph:
        """Ontology plus curated statements."""
        return self.ontology + self.curated

    def version(self) -> str:
        """The ontology's ``owl:versionInfo``."""
        value = self.ontology.value(ONTOLOGY_IRI, OWL.versionInfo)
        return str(value) if value is not None else "unversioned"


@dataclass(frozen=True)
class Sources:
    """Where a build reads from; ``None`` means the shipped folders."""

    ontology_dir: Path | None = None
    curation_dir: Path | None = None


def assemble(progress: Progress = stderr_progress, sources: Sources = Sources()) -> Assembled:
    """Parse the ontology and the curation sources (raises ``OntologyError`` / ``CurationError``)."""
    with _step(progress, "parse ontology and curation sources"):
        ontology = load_ontology(sources.ontology_dir)
        curated = assemble_curated(Vocabulary.from_ontology(ontology), sources.curation_dir)
    return Assembled(ontology, curated)


def memory_store(parts: Assembled) -> EmbeddedStore:
    """An in-memory store holding the assembled graphs in their named graphs."""
    store = open_store("memory:")
    for graph_iri, graph in _named(parts):
        store.load(graph.serialize(format="nt", encoding="utf-8"), "nt", graph=str(graph_iri))
    return store


def _named(parts: Assembled) -> list[tuple[str, Graph]]:
    return [(str(ONTOLOGY_GRAPH), parts.ontology), (str(CURATED_GRAPH), parts.curated),
            (str(INFERRED_GRAPH), parts.inferred)]


def check(parts: Assembled, progress: Progress = stderr_progress) -> list[Violation]:
    """SHACL and QC violations of the assembled graphs (empty when valid)."""
    with _step(progress, "SHACL validation"):
        violations = shacl_violations(parts.asserted, load_shapes())
    with _step(progress, "QC checks"):
        violations += qc_violations(memory_store(parts))
    return violations


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_release(parts: Assembled, release_dir: Path, progress: Progress = stderr_progress) -> Path:
    """Write dumps, store and manifest into a new build folder and publish it as ``current``."""
    with _step(progress, "canonical N-Quads"):
        nquads = canonical_nquads((g, graph.serialize(format="nt", encoding="utf-8")) for g, graph in _named(parts))
    digest = _sha256(nquads)[:16]
    builds = release_dir / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    final = builds / digest
    if not final.exists():
        staging = builds / f".{digest}.partial-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        with _step(progress, "dumps and on-disk store"):
            (staging / "dystonia-kg.nq").write_bytes(nquads)
            quads = create_disk_store(staging / "store", nquads)
            store = open_store(f"oxigraph:{staging / 'store'}")
            files = {"dystonia-kg.nq": _sha256(nquads)}
            # Triple dumps are the union of the named graphs; the .nq keeps the graphs apart.
            union = _union_ntriples(nquads)
            (staging / "dystonia-kg.nt").write_bytes(union)
            files["dystonia-kg.nt"] = _sha256(union)
            mem = open_store("memory:")
            mem.load(union, "nt")
            for fmt in ("ttl", "jsonld", "rdf"):
                data = mem.dump(fmt)
                (staging / f"dystonia-kg.{fmt}").write_bytes(data)
                files[f"dystonia-kg.{fmt}"] = _sha256(data)
            manifest = {
                "version": parts.version(),
                "build": digest,
                "quads": quads,
                "graphs": {g: len(graph) for g, graph in _named(parts)},
                "files": files,
                "named_graphs": store.named_graphs(),
            }
            (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
            del store
        os.replace(staging, final)
    _publish(release_dir, final)
    _prune(builds, keep={final.name})
    return final


def _union_ntriples(nquads: bytes) -> bytes:
    lines = set()
    for line in nquads.decode("utf-8").splitlines():
        # Canonical N-Quads end with "<graph> ." ; drop the graph term to get the triple.
        body = line[: line.rstrip(" .").rfind(" <")]
        lines.add(body + " .\n")
    return "".join(sorted(lines)).encode("utf-8")


def _publish(release_dir: Path, build: Path) -> None:
    link = release_dir / "current"
    tmp = release_dir / f".current-{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(build.relative_to(release_dir))
    os.replace(tmp, link)  # atomic: readers see the old or the new release, never neither


def _prune(builds: Path, keep: set[str]) -> None:
    finished = sorted((p for p in builds.iterdir() if not p.name.startswith(".")), key=lambda p: p.stat().st_mtime)
    for old in finished[:-KEEP_BUILDS]:
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)


def build(release_dir: Path, progress: Progress = stderr_progress, sources: Sources = Sources()) -> Path:
    """Sources → validated, reasoned release; returns the published build folder.

    Raises ``OntologyError``, ``CurationError``, ``ValidationFailed`` or ``ReasonerError`` before
    anything is written, so the current release stays in place.
    """
    start = time.perf_counter()
    parts = assemble(progress, sources)
    violations = check(parts, progress)
    if violations:
        raise ValidationFailed(violations)
    with _step(progress, "reasoning (owlready2 + HermiT)"):
        parts.inferred = reason(parts.asserted).graph
    final = write_release(parts, release_dir, progress)
    progress(f"built {final} in {time.perf_counter() - start:.2f} s")
    return final


def current_release(release_dir: Path) -> Path:
    """The published release folder, or ``FileNotFoundError`` telling how to make one."""
    link = release_dir / "current"
    if not link.exists():
        raise FileNotFoundError(f"no release in {release_dir}: run `dystonia-kg build` first")
    return link.resolve()
