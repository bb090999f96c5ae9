"""A release on disk, and the only code that knows its layout.

::

    RELEASE_DIR/
      current -> builds/<id>              the published build (repointed atomically)
      builds/<id>/                        id: see build_id
        manifest.json                     versions, licences, counts, files with their sizes and digests
        catalog.json                      local IDs, search rows and kinds, JSON-LD context (read by the server)
        store/                            the on-disk Oxigraph store
        dystonia-kg.{nq,nt,ttl,jsonld,rdf}  dumps
        SHA256SUMS                        the dumps', catalog's and manifest's digests (`sha256sum -c SHA256SUMS`)
        ro-crate-metadata.json            the build as an RO-Crate (graph/package.py)
      builds/.<id>.partial-<pid>/         a build being written; never served

A build is written into a staging folder and renamed into place, then ``current`` is repointed,
so a failed or killed build never touches the release being served.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from .formats import DUMPS

MANIFEST = "manifest.json"
CATALOG = "catalog.json"
SUMS = "SHA256SUMS"
CRATE = "ro-crate-metadata.json"  # the name RO-Crate gives the metadata file of a crate
STORE = "store"
DUMP_STEM = "dystonia-kg"
KEEP_BUILDS = 3  # published builds kept (the current one always among them)
# What a build folder holds, as a number: raised whenever that changes (2: catalog.json and the base IRI in the
# manifest; 3: every dump written from the sorted N-Triples, and the UBERON, MONDO and ChEBI modules in the
# manifest; 4: the catalog's search texts with quotes, titles and every synonym, and each IRI's kind; 5: the
# statements' titles made of their parts, in catalog.json; 6: SHA256SUMS, ro-crate-metadata.json, the dataset's
# facts and each file's size in the manifest), so that a folder an older version wrote for the same data is not
# taken for this version's.
LAYOUT = 6


def build_id(nquads: bytes) -> str:
    """A build's name: 16 hex digits of the SHA-256 of its layout and its canonical N-Quads."""
    return hashlib.sha256(f"dystonia-kg release layout {LAYOUT}\n".encode() + nquads).hexdigest()[:16]


class NoRelease(FileNotFoundError):
    """No release has been published in the release folder."""


class BaseMismatch(Exception):
    """A release built under another base IRI than the one configured."""


@dataclass(frozen=True)
class Release:
    """One build folder: its files, and the facts its manifest records."""

    folder: Path
    # When it was published as ``current`` (the link's own time), as a server saw it: the same build published
    # again later (a revert) is a release of its own, with a later date (HTTP Last-Modified never goes back).
    published_at: datetime | None = None

    @classmethod
    def current(cls, release_dir: Path) -> Release:
        """The published release, or :class:`NoRelease` telling how to make one."""
        link = release_dir / "current"
        if not link.exists():
            raise NoRelease(f"no release in {release_dir}: run `dystonia-kg build` first")
        return cls(link.resolve())

    @classmethod
    def published(cls, release_dir: Path) -> Release | None:
        """The published release, or ``None`` when there is none."""
        folder = published_folder(release_dir)
        return cls(folder) if folder is not None else None

    @property
    def store_path(self) -> Path:
        """The on-disk Oxigraph store."""
        return self.folder / STORE

    @property
    def selector(self) -> str:
        """The store selector (see ``graph.store.open_backend``) of the release's own store."""
        return f"oxigraph:{self.store_path}"

    def dump(self, ext: str) -> Path:
        """The dump in the format whose extension is ``ext`` (it may not exist)."""
        return self.folder / f"{DUMP_STEM}.{ext}"

    @property
    def dumps(self) -> list[str]:
        """The formats (registry keys) of the dumps this release has, in the registry's order."""
        return [key for key in DUMPS.keys if self.dump(key).is_file()]

    @property
    def manifest_path(self) -> Path:
        """Where the manifest is written."""
        return self.folder / MANIFEST

    @property
    def catalog_path(self) -> Path:
        """Where the catalog is written."""
        return self.folder / CATALOG

    @property
    def sums_path(self) -> Path:
        """Where the SHA-256 digests are written, in the format ``sha256sum -c`` reads."""
        return self.folder / SUMS

    @property
    def crate_path(self) -> Path:
        """Where the RO-Crate metadata is written."""
        return self.folder / CRATE

    @cached_property
    def manifest(self) -> dict[str, Any]:
        """The manifest (empty for a folder without one)."""
        path = self.manifest_path
        return json.loads(path.read_text()) if path.is_file() else {}

    @cached_property
    def catalog(self) -> dict[str, Any] | None:
        """The catalog the build wrote, or ``None`` for a release built before catalogs were written."""
        path = self.catalog_path
        return json.loads(path.read_text()) if path.is_file() else None

    @property
    def version(self) -> str:
        """The ontology's version (``owl:versionInfo``) this release was built from."""
        return str(self.manifest.get("version", "unversioned"))

    @property
    def version_date(self) -> date | None:
        """The version as a date (the ontology's versions are dates: its version IRI ends with one), or ``None``
        when it is not one. The release's date wherever one is asked for, so that builds stay reproducible."""
        try:
            return date.fromisoformat(self.version)
        except ValueError:
            return None

    @property
    def build(self) -> str:
        """The build's name (see :func:`build_id`)."""
        return str(self.manifest.get("build", self.folder.name))

    @property
    def hpo(self) -> dict[str, Any]:
        """What the manifest records of the merged HPO release (``{"merged": False}`` when none)."""
        return dict(self.manifest.get("hpo") or {"merged": False})

    @property
    def files(self) -> dict[str, dict[str, Any]]:
        """The files the manifest records (the dumps and the catalog), by name: ``sha256`` (hex) and ``bytes``
        (empty for a release built before sizes were recorded)."""
        files = self.manifest.get("files") or {}
        return {name: dict(entry) for name, entry in files.items() if isinstance(entry, dict)}

    @property
    def dataset(self) -> dict[str, Any]:
        """What the manifest records of the dataset itself: title, description, licence, creator, publisher,
        version IRI (empty for a release built before they were recorded)."""
        return dict(self.manifest.get("dataset") or {})

    @property
    def modules(self) -> dict[str, dict[str, Any]]:
        """What the manifest records of the merged UBERON, MONDO and ChEBI modules, by name (version, source,
        licence, file; empty for a release built before they were merged)."""
        return {name: dict(entry) for name, entry in (self.manifest.get("modules") or {}).items()}

    def check_base(self, base: str) -> None:
        """Raise :class:`BaseMismatch` unless the release was built under ``base``.

        A release's IRIs are minted under the base it was built with; served under another, every IRI
        the server writes about itself, and every ``/id/`` it answers for, would name things the data
        does not hold.
        """
        built = self.manifest.get("base")
        if built is None:
            raise BaseMismatch(f"the release {self.folder} does not record the base IRI it was built under (an "
                               "older version built it): rebuild it with `dystonia-kg build`")
        if built != base:
            raise BaseMismatch(
                f"the release {self.folder} was built under the base IRI {built} but this server is configured "
                f"with {base} (DKG_BASE): serve it with DKG_BASE={built} (`dystonia-kg serve` does), or rebuild "
                f"it with `dystonia-kg build --base {base}`")

    @property
    def built_at(self) -> datetime:
        """When the build was written (the manifest's modification time, whole seconds, UTC)."""
        return datetime.fromtimestamp(self.manifest_path.stat().st_mtime, UTC).replace(microsecond=0)


def published_folder(release_dir: Path) -> Path | None:
    """The published build's folder, or ``None``: one ``readlink`` (the link is repointed atomically, so the
    answer is always a whole build)."""
    try:
        target = os.readlink(release_dir / "current")
    except (FileNotFoundError, NotADirectoryError):
        return None
    return release_dir / target  # relative to the release folder, as _publish writes it


class ReleaseWatch:
    """The release published in a folder, as a long-running reader sees it: ``current`` is read again at most
    every ``interval`` seconds, so a newly published release is noticed within that time.

    Why not on every request: a system call releases the GIL, and under concurrent requests getting it back
    means waiting for the threads that took it; one ``readlink`` per request cost 14 % of the request
    threads' time at 8 clients. Reading the clock does not release it. The link is read under a lock, so a
    thread that read it before a publish cannot store what it read after one that read it since.
    """

    def __init__(self, release_dir: Path, interval: float = 0.25) -> None:
        self.release_dir = release_dir
        self.interval = interval
        self._lock = threading.Lock()
        self._seen: tuple[float, Release | None] = (-float("inf"), None)  # (when read, what), replaced whole

    def release(self) -> Release | None:
        """The published release (one object per build, so its manifest is read once), or ``None``."""
        checked, release = self._seen
        if time.monotonic() - checked < self.interval:
            return release
        with self._lock:
            checked, release = self._seen
            now = time.monotonic()
            if now - checked >= self.interval:
                release = self._read(release)
                self._seen = (now, release)
            return release

    def _read(self, last: Release | None) -> Release | None:
        try:
            when = datetime.fromtimestamp(os.lstat(self.release_dir / "current").st_mtime, UTC).replace(microsecond=0)
        except (FileNotFoundError, NotADirectoryError):
            return None
        folder = published_folder(self.release_dir)
        if folder is None:
            return None
        if last is not None and last.folder == folder and last.published_at == when:
            return last
        return Release(folder, when)


def write_build(release_dir: Path, digest: str, fill: Callable[[Release], None]) -> Release:
    """Write build ``digest`` with ``fill`` (into a staging folder, renamed into place when complete),
    publish it as ``current`` and prune old builds. A build already on disk is published as it is."""
    builds = release_dir / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    final = builds / digest
    if not final.exists():
        staging = builds / f".{digest}.partial-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        try:
            fill(Release(staging))
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        os.replace(staging, final)
    _publish(release_dir, final)
    _prune(builds, keep={final.name})
    return Release(final)


def _publish(release_dir: Path, build: Path) -> None:
    link = release_dir / "current"
    tmp = release_dir / f".current-{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(build.relative_to(release_dir))
    os.replace(tmp, link)  # atomic: readers see the old or the new release, never neither


def _running(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def _prune(builds: Path, keep: set[str]) -> None:
    for partial in builds.glob(".*.partial-*"):
        pid = partial.name.rsplit("-", 1)[-1]
        if pid != str(os.getpid()) and not _running(pid):
            shutil.rmtree(partial, ignore_errors=True)  # left by a build that was killed
    finished = sorted((p for p in builds.iterdir() if not p.name.startswith(".")), key=lambda p: p.stat().st_mtime)
    for old in finished[:-KEEP_BUILDS]:
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)
