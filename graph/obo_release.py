"""UBERON, MONDO and ChEBI releases as the ``cellxgene-ontology-guide`` package ships them.

Each release is one zstd-compressed JSON object, ``{CURIE: term}``, where a term has ``label``,
``description`` (the IAO:0000115 definition), ``synonyms`` (the exact synonyms), ``deprecated``,
``replaced_by`` or ``consider`` for deprecated terms, and ``ancestors``: ``{CURIE: distance}``, the
closure over the release's asserted ``is_a`` and ``part_of`` (BFO:0000050) axioms, breadth first, without
saying which of the two links a term to each ancestor. The version is in the file name
(``UBERON-ontology-v2026-04-01.json.zst``, the package's naming) and in the package's
``latest_ontology_info.json``, which also gives the upstream release each file was built from.

Only the terms a build uses, their ancestors, and the replacements of deprecated ones are kept: a first
pass decodes the file a member at a time and keeps the used terms and every member's position; a second
decodes only their ancestors (``graph.json_stream``). No rdflib here: this module reads data.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import zstandard

from .json_stream import JsonStreamError, members, open_text, values_at

PACKAGE = "cellxgene-ontology-guide"
SUFFIXES = (".json.zst", ".json")


@dataclass(frozen=True)
class ReleaseSpec:
    """One of the ontologies the build merges: its CURIE prefix (the package's name for it) and licence."""

    name: str  # the build's name for it: the --option, the manifest key and the named graph's last segment
    prefix: str  # CURIE prefix, also the package's file-name prefix
    title: str
    licence: str
    licence_name: str


SPECS: dict[str, ReleaseSpec] = {
    spec.name: spec for spec in (
        # UBERON declares CC BY 3.0 in its header (uberon-edit.obo: dcterms-license); MONDO and ChEBI CC BY 4.0.
        ReleaseSpec("uberon", "UBERON", "Uberon multi-species anatomy ontology",
                    "https://creativecommons.org/licenses/by/3.0/", "CC BY 3.0"),
        ReleaseSpec("mondo", "MONDO", "Mondo Disease Ontology", "https://creativecommons.org/licenses/by/4.0/",
                    "CC BY 4.0"),
        ReleaseSpec("chebi", "CHEBI", "Chemical Entities of Biological Interest (ChEBI)",
                    "https://creativecommons.org/licenses/by/4.0/", "CC BY 4.0"),
    )
}


class ReleaseFileError(ValueError):
    """A release file is missing, misnamed or not of the expected shape; names the file."""


@dataclass(frozen=True)
class Term:
    """One term of a release, as the file gives it."""

    curie: str
    label: str
    definition: str | None
    synonyms: tuple[str, ...]
    deprecated: bool
    replaced_by: str | None
    consider: tuple[str, ...]
    ancestors: tuple[tuple[str, int], ...]  # (CURIE, distance), nearest first, then by CURIE

    @classmethod
    def from_json(cls, curie: str, entry: Any, where: str) -> Term:
        """Read one member of the release object; raises :class:`ReleaseFileError` on another shape."""
        if not isinstance(entry, dict) or not isinstance(entry.get("label"), str) \
                or not isinstance(entry.get("ancestors", {}), dict):
            raise ReleaseFileError(f"{where}: {curie}: expected an object with a 'label' string and an 'ancestors' "
                                   f"object, got {str(entry)[:120]}")
        ancestors = entry.get("ancestors", {})
        if not all(isinstance(d, int) and d >= 1 for d in ancestors.values()):
            raise ReleaseFileError(f"{where}: {curie}: ancestor distances must be integers from 1")
        for key in ("synonyms", "consider"):
            listed = entry.get(key, [])
            if not isinstance(listed, list) or not all(isinstance(item, str) for item in listed):
                raise ReleaseFileError(f"{where}: {curie}: '{key}' must be a list of strings")
        return cls(
            curie=curie,
            label=entry["label"],
            definition=entry.get("description") or None,
            synonyms=tuple(entry.get("synonyms", [])),
            deprecated=bool(entry.get("deprecated", False)),
            replaced_by=entry.get("replaced_by") or None,
            consider=tuple(entry.get("consider", [])),
            ancestors=tuple(sorted(ancestors.items(), key=lambda kv: (kv[1], kv[0]))),
        )


@dataclass(frozen=True)
class OboRelease:
    """The part of a release a build needs: the terms asked for (when the release has them), their
    ancestors, and the replacements of deprecated ones."""

    spec: ReleaseSpec
    version: str
    path: Path
    source: str  # the upstream release file the package built this one from
    terms: Mapping[str, Term]

    def term(self, curie: str) -> Term | None:
        """The term, or ``None`` when the release has no such id (or it was not asked for)."""
        return self.terms.get(curie)

    def closure(self, curies: Iterable[str]) -> list[str]:
        """The given terms the release has and is not deprecating, with all their ancestors, sorted."""
        found: set[str] = set()
        for curie in curies:
            term = self.terms.get(curie)
            if term is not None and not term.deprecated:
                found.add(curie)
                found.update(a for a, _ in term.ancestors)
        return sorted(found)


def package_data_dir() -> Path:
    """The data folder of the installed ``cellxgene-ontology-guide``."""
    return Path(str(resources.files("cellxgene_ontology_guide"))) / "data"


def package_version() -> str:
    """The installed package's version (its ``__version__`` attribute lags behind its releases)."""
    return metadata.version(PACKAGE)


def _package_info() -> dict[str, Any]:
    info = json.loads((package_data_dir() / "latest_ontology_info.json").read_text(encoding="utf-8"))
    return dict(info["ontologies"])


def default_release_file(spec: ReleaseSpec) -> Path:
    """The release file the package ships for this ontology, in the version its ``latest_ontology_info.json``
    names."""
    version = _package_info()[spec.prefix]["version"]
    return package_data_dir() / f"{spec.prefix}-ontology-{version}.json.zst"


def release_version(spec: ReleaseSpec, path: Path) -> str:
    """The version a release file's name carries (``UBERON-ontology-v2026-04-01.json.zst`` → ``v2026-04-01``)."""
    head = f"{spec.prefix}-ontology-"
    suffix = next((s for s in SUFFIXES if path.name.endswith(s)), None)
    if not path.name.startswith(head) or suffix is None or len(path.name) == len(head) + len(suffix):
        raise ReleaseFileError(
            f"{path}: cannot tell the {spec.prefix} version from the file name; name it "
            f"{head}<version>.json.zst (or .json), as {PACKAGE} does")
    return path.name[len(head):-len(suffix)]


def release_source(spec: ReleaseSpec, version: str) -> str:
    """The upstream file a release of this version is built from, by the package's ``source`` template."""
    info = _package_info()[spec.prefix]
    return str(info.get("url") or info["source"].replace("{version}", version).replace("{filename}", info["filename"]))


def load_release(spec: ReleaseSpec, path: Path, curies: Iterable[str]) -> OboRelease:
    """The terms ``curies`` of the release file ``path``, their ancestors and their replacements.

    A file read before in this process, unchanged since (same size and modification time), for the same
    terms, is not read again: the build and the tests ask for the same terms many times.
    """
    if not path.is_file():
        raise ReleaseFileError(f"no {spec.prefix} release at {path}")
    stat = path.stat()
    return _load(spec, path.resolve(), stat.st_size, stat.st_mtime_ns, frozenset(curies))


@lru_cache(maxsize=6)
def _load(spec: ReleaseSpec, path: Path, size: int, mtime_ns: int, curies: frozenset[str]) -> OboRelease:
    version = release_version(spec, path)
    where = str(path)
    terms: dict[str, Term] = {}
    offsets: dict[str, int] = {}
    try:
        with open_text(path) as text:
            for curie, entry, offset in members(text, where):
                offsets[curie] = offset
                if curie in curies:
                    terms[curie] = Term.from_json(curie, entry, where)
        # The ancestors of the terms asked for, and the replacements of deprecated ones, anywhere in the file.
        wanted = {a for t in terms.values() for a, _ in t.ancestors}
        wanted |= {t.replaced_by for t in terms.values() if t.replaced_by}
        at = {offsets[c]: c for c in wanted - terms.keys() if c in offsets}
        if at:
            with open_text(path) as text:
                for offset, entry in values_at(text, at, where):
                    terms[at[offset]] = Term.from_json(at[offset], entry, where)
    except (JsonStreamError, UnicodeDecodeError, zstandard.ZstdError) as exc:
        raise ReleaseFileError(f"{where}: not a {spec.prefix} release of {PACKAGE}'s shape: {exc}") from exc
    return OboRelease(spec, version, path, release_source(spec, version), terms)
