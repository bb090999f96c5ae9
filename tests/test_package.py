"""A release is a package: SHA256SUMS that `sha256sum -c` accepts, an RO-Crate that the rocrate library reads back
and roc-validator passes, and VoID distributions whose sizes and checksums are the files'."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest
import requests
import rocrate
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.namespace import DCAT
from rocrate.rocrate import ROCrate

from graph.build import Assembled, write_release
from graph.package import sources
from graph.release import CATALOG, MANIFEST, SUMS, Release
from graph.vocab import BASE

from .conftest import quiet

ROOT = Path(__file__).resolve().parent.parent
# roc-validator pins an older rich than ours, so `make test` installs it in a venv beside ours, as kgx and sssom-py.
ROCRATE_PYTHON = ROOT / ".venv-rocrate" / "bin" / "python"
ROCRATE_VALIDATE = ROOT / "tests" / "tools" / "rocrate_validate.py"
CONTEXT = Path(rocrate.__file__).parent / "data" / "ro-crate.jsonld"  # the RO-Crate context the library ships
# RECOMMENDED checks the release cannot meet without inventing facts: its creator and publisher, "dystonia-kg
# contributors", has no URL, no ROR identifier and no contact point of record.
NO_SUCH_FACT = ("ro-crate-1.2_86.2", "ro-crate-1.2_89.0", "ro-crate-1.2_90.1", "ro-crate-1.2_93.0")
SPDX = Namespace("http://spdx.org/rdf/terms#")


def _sums(folder: Path) -> dict[str, str]:
    """SHA256SUMS as name → digest (``sha256sum``'s text lines: digest, two spaces, name)."""
    pairs = (line.split("  ", 1) for line in (folder / SUMS).read_text().splitlines())
    return {name: digest for digest, name in pairs}


def test_sha256sum_checks_every_dump_the_catalog_and_the_manifest(release_dir: Path) -> None:
    release = Release.current(release_dir)
    expected = {release.dump(ext).name for ext in release.dumps} | {CATALOG, MANIFEST}
    assert set(_sums(release.folder)) == expected and len(release.dumps) == 5
    result = subprocess.run(["sha256sum", "--check", "--strict", SUMS], cwd=release.folder, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(result.stdout.splitlines()) == sorted(f"{name}: OK" for name in expected)
    # the manifest records the same digests, with each file's size
    for name, record in release.files.items():
        assert record == {"sha256": _sums(release.folder)[name], "bytes": (release.folder / name).stat().st_size}


def test_the_crate_reads_back_with_the_rocrate_library(release_dir: Path) -> None:
    """Every file of the package is a data entity with its media type, size and SHA-256 (checked against the bytes);
    the root states the manifest's name, version, licence, creator and publisher; the merged releases are cited with
    their versions and licences."""
    release = Release.current(release_dir)
    crate = ROCrate(release.folder)
    root, dataset = crate.root_dataset, release.dataset
    assert (root["name"], root["version"], root["datePublished"]) == (dataset["title"], release.version,
                                                                       release.version)
    assert root["license"].id == dataset["licence"] and root["license"]["name"]
    assert root["creator"]["name"] == dataset["creator"] and root["publisher"]["name"] == dataset["publisher"]
    entities = {entity.id: entity for entity in crate.data_entities}
    assert set(entities) == set(_sums(release.folder)) | {SUMS}
    for name, entity in entities.items():
        data = (release.folder / name).read_bytes()
        assert entity["sha256"] == hashlib.sha256(data).hexdigest(), name
        assert int(entity["contentSize"]) == len(data), name
        assert entity["encodingFormat"] and entity["name"] and entity["description"], name
    assert entities[release.dump("ttl").name]["encodingFormat"] == "text/turtle"
    based_on = {source.id: source for source in root["isBasedOn"]}
    merged = sources(release)
    assert {s["id"] for s in merged} == set(based_on) and len(merged) == 5
    assert {s.id for s in root["citation"]} == {i for i in based_on if not i.startswith("#")}  # absolute IRIs
    for source in merged:
        entry = based_on[source["id"]]
        assert (entry["version"], entry["license"].id) == (source["version"], source["licence"]), source["key"]
    assert based_on[release.hpo["source"]]["version"] == release.hpo["version"]


@pytest.mark.slow  # an external validator's run (about 11 s of CPU): `.ci/run` runs it, as it does the W3C suites
def test_the_crate_passes_roc_validator_and_a_broken_one_does_not(release_dir: Path, tmp_path: Path) -> None:
    """The RO-Crate 1.2 profile's REQUIRED and RECOMMENDED checks pass, bar those asking for facts the release has
    not; the same crate with its root's licence and name taken away fails, naming them (no rubber stamp)."""
    assert ROCRATE_PYTHON.exists(), f"{ROCRATE_PYTHON} is missing: `make test` installs roc-validator there"
    folder = Release.current(release_dir).folder
    broken = ROCrate(folder)
    del broken.root_dataset["license"]
    del broken.root_dataset["name"]
    broken.metadata.write(tmp_path)
    result = subprocess.run([str(ROCRATE_PYTHON), str(ROCRATE_VALIDATE), str(CONTEXT), str(folder), str(tmp_path),
                             "--skip", ",".join(NO_SUCH_FACT)], capture_output=True, text=True, timeout=300)
    assert result.stdout, result.stderr[-3000:]
    issues = json.loads(result.stdout.splitlines()[-1])
    assert issues[str(folder)] == []
    assert any("`license`" in issue for issue in issues[str(tmp_path)]), issues[str(tmp_path)]
    assert any("`name`" in issue for issue in issues[str(tmp_path)]), issues[str(tmp_path)]
    assert result.returncode == 1  # for the broken one


def test_void_distributions_carry_the_files_sizes_and_checksums(live_server, release_dir: Path) -> None:  # type: ignore[no-untyped-def]
    release = Release.current(release_dir)
    sums = _sums(release.folder)
    void = Graph().parse(data=requests.get(f"{live_server.url}/.well-known/void", headers={"Accept": "text/turtle"},
                                           timeout=30).text, format="turtle")
    distributions = list(void.objects(URIRef(BASE + "dataset"), DCAT.distribution))
    assert len(distributions) == len(release.dumps) == 5
    for distribution in distributions:
        name = str(void.value(distribution, DCAT.downloadURL)).rsplit("/", 1)[-1]
        assert int(void.value(distribution, DCAT.byteSize)) == (release.folder / name).stat().st_size, name  # type: ignore[arg-type]
        checksum = void.value(distribution, SPDX.checksum)
        assert (checksum, RDF.type, SPDX.Checksum) in void
        assert void.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(void.value(checksum, SPDX.checksumValue)) == sums[name], name
        assert void.value(distribution, URIRef("http://purl.org/dc/terms/license")) == URIRef(
            release.dataset["licence"])


def _tiny(assembled: Assembled) -> Assembled:
    """The ontology alone: a release written in a second, for the tests of the package step itself."""
    return Assembled(ontology=assembled.ontology, curated=Graph())


def test_a_package_step_that_fails_leaves_the_last_release(assembled: Assembled, release_copy: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The digests and crate are written into the build before ``current`` is repointed: if writing them fails,
    the published release stays, and no half-written build is left."""
    import graph.build

    before = (release_copy / "current").resolve()

    def broken(release: Release) -> None:
        (release.folder / SUMS).write_text("half")
        raise OSError("disk full")

    monkeypatch.setattr(graph.build, "write_package", broken)
    with pytest.raises(OSError, match="disk full"):
        write_release(_tiny(assembled), release_copy, quiet)
    assert (release_copy / "current").resolve() == before
    assert sorted(p.name for p in (release_copy / "builds").iterdir()) == [before.name]



def test_a_release_whose_ontology_states_no_licence_is_not_written(assembled: Assembled, tmp_path: Path) -> None:
    """The licence, creator and publisher are read from the ontology's header, their one place: a header without
    one fails the build by name before anything is written."""
    from rdflib import DCTERMS

    from graph.package import MissingDatasetFact
    from graph.vocab import ONTOLOGY_IRI

    for predicate in (DCTERMS.license, DCTERMS.publisher):
        ontology = Graph() + assembled.ontology
        ontology.remove((ONTOLOGY_IRI, predicate, None))
        with pytest.raises(MissingDatasetFact, match=predicate.n3(ontology.namespace_manager)):
            write_release(Assembled(ontology=ontology, curated=Graph()), tmp_path / "release", quiet)
        assert not (tmp_path / "release").exists()
