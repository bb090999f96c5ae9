"""The build: release layout, determinism, and failures that leave the last release in place."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Graph

from graph.build import Sources, ValidationFailed, build
from graph.examples import example_graph_iri
from graph.formats import DUMPS
from graph.paths import CURATION_DIR, resource_dir
from graph.query import named_queries
from graph.records import CurationError
from graph.release import Release
from graph.vocab import (
    ANNOTATIONS_GRAPH,
    CURATED_GRAPH,
    DKG,
    HPO_GRAPH,
    INFERRED_GRAPH,
    MODULE_GRAPHS,
    ONTOLOGY_GRAPH,
)

from .conftest import quiet


def test_release_has_dumps_store_and_named_graphs(release_dir: Path) -> None:
    current = Release.current(release_dir)
    manifest = current.manifest
    for ext in DUMPS.keys:
        assert current.dump(ext).stat().st_size > 0, ext
        assert current.dump(ext).name in manifest["files"]
    assert current.store_path.is_dir()
    assert manifest["named_graphs"] == sorted(
        str(g) for g in (ONTOLOGY_GRAPH, CURATED_GRAPH, INFERRED_GRAPH, HPO_GRAPH, ANNOTATIONS_GRAPH,
                         *MODULE_GRAPHS.values(), *(example_graph_iri(q.name) for q in named_queries())))
    assert manifest["graphs"][str(INFERRED_GRAPH)] > 0, "the reasoner's inferences are in their own graph"


def test_inferred_triples_are_kept_apart(release_store) -> None:  # type: ignore[no-untyped-def]
    ask = f"""ASK {{ GRAPH <%s> {{ <{DKG.ContralateralLesionStatement}>
                 <http://www.w3.org/2000/01/rdf-schema#subClassOf>
                 <{DKG.LateralisedLesionStatement}> }} }}"""
    assert bool(release_store.query(ask % INFERRED_GRAPH))
    assert not bool(release_store.query(ask % CURATED_GRAPH))
    assert not bool(release_store.query(ask % ONTOLOGY_GRAPH))


def test_two_builds_give_byte_identical_dumps(tmp_path: Path, release_dir: Path) -> None:
    other = tmp_path / "again"
    build(other, quiet)
    first, second = Release.current(release_dir), Release.current(other)
    assert first.catalog_path.read_bytes() == second.catalog_path.read_bytes(), "the catalog is reproducible"
    for path in ("manifest_path", "sums_path", "crate_path"):  # the package: no clock, no random id in it
        assert getattr(first, path).read_bytes() == getattr(second, path).read_bytes(), path
    assert first.dumps == second.dumps and len(first.dumps) == len(DUMPS.keys)
    for ext in first.dumps:  # every format, not only the line-based ones
        assert first.dump(ext).read_bytes() == second.dump(ext).read_bytes(), ext
    for ext in ("nt", "nq"):
        lines = first.dump(ext).read_text().splitlines()
        assert lines == sorted(lines), f"the .{ext} dump is sorted"


def _copy_curation(tmp_path: Path) -> Path:
    target = tmp_path / "curation"
    shutil.copytree(CURATION_DIR, target)
    return target




def test_malformed_record_names_file_and_line_and_keeps_release(release_copy: Path, tmp_path: Path) -> None:
    release = release_copy
    before = (release / "current").resolve()
    before_bytes = (before / "dystonia-kg.nq").read_bytes()

    curation = _copy_curation(tmp_path)
    bad = curation / "statements" / "source000-lesions.yaml"
    text = bad.read_text()
    bad.write_text(text.replace("  lesionSite: UBERON:0002298\n", "  lesionsite: UBERON:0002298\n", 1))
    line = text.splitlines().index("  lesionSite: UBERON:0002298") + 1

    with pytest.raises(CurationError) as caught:
        build(release, quiet, Sources(curation_dir=curation, with_hpo=False))
    message = str(caught.value)
    assert f"{bad}:{line}:" in message
    assert "lesionsite" in message
    assert (release / "current").resolve() == before
    assert (before / "dystonia-kg.nq").read_bytes() == before_bytes


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda t: t.replace("  phenotype: HandDystonia", "  phenotype: NoSuch", 1), "'NoSuch' is not defined"),
        (lambda t: t.replace("  lesionSite: UBERON:0001897", "  lesionSite: FOO:1", 1), "unknown prefix 'FOO'"),
        (lambda t: t.replace("- id: S0002", "- id: S0001", 1), "id S0001 already used"),
        # an independent attempt: a statement named after a value class lost its inferred type
        (lambda t: t.replace("- id: S0002", "- id: ContralateralLaterality", 1), "is a term of the ontology"),
        (lambda t: t.replace("- id: S0002", "- id: Bilateral", 1), "id Bilateral is a term of the ontology"),
        (lambda t: t.replace("- id: S0002", "- id: laterality", 1), "id laterality is a term of the ontology"),
        (lambda t: t.replace("  quote: Thalamic", "  quote: [Thalamic", 1), "YAML syntax"),
        (lambda t: t.replace("type: LesionPhenotypeStatement", "type: Nonsense", 1), "not a statement class"),
    ],
)
def test_each_kind_of_malformed_record_is_named(tmp_path: Path, edit, expected: str) -> None:  # type: ignore[no-untyped-def]
    curation = _copy_curation(tmp_path)
    path = curation / "statements" / "source000-lesions.yaml"
    path.write_text(edit(path.read_text()))
    with pytest.raises(CurationError) as caught:
        build(tmp_path / "release", quiet, Sources(curation_dir=curation, with_hpo=False))
    assert expected in str(caught.value)
    assert str(path) in str(caught.value)
    assert not (tmp_path / "release" / "current").exists()


def test_integer_field_rejects_text(tmp_path: Path) -> None:
    curation = _copy_curation(tmp_path)
    path = curation / "statements" / "source003-paris-brain-institute.yaml"
    path.write_text(path.read_text().replace("affectedCount: 20000", "affectedCount: about 20000"))
    with pytest.raises(CurationError, match="expected an integer"):
        build(tmp_path / "release", quiet, Sources(curation_dir=curation, with_hpo=False))


def _ontology_with(tmp_path: Path, turtle: str) -> Path:
    """A copy of the shipped ontology folder with one more file, ``turtle`` under the dkg:, rdfs: and owl: prefixes."""
    ontology = tmp_path / "ontology"
    shutil.copytree(resource_dir("ontology"), ontology)
    (ontology / "zz-added.ttl").write_text(
        "@prefix dkg: <id/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n" + turtle
    )
    return ontology


def test_contradiction_in_the_ontology_fails_the_build_and_names_the_class(tmp_path: Path) -> None:
    ontology = _ontology_with(
        tmp_path,
        "dkg:Impossible a owl:Class ; rdfs:subClassOf dkg:InheritedDystonia , dkg:AcquiredDystonia ;\n"
        "    rdfs:label \"impossible\"@en ;\n"
        "    <http://purl.obolibrary.org/obo/IAO_0000115> \"Inherited and acquired at once.\"@en ;\n"
        "    dkg:localReason \"A test class: no HPO term can be both.\"@en .\n"
    )
    from graph.reason import ReasonerError

    with pytest.raises(ReasonerError) as caught:
        build(tmp_path / "release", quiet, Sources(ontology_dir=ontology, with_hpo=False))
    assert str(DKG.Impossible) in caught.value.unsatisfiable
    assert not (tmp_path / "release" / "current").exists()


def test_a_partition_value_outside_its_value_classes_fails_the_build(tmp_path: Path) -> None:
    """A laterality added to the ontology without a value class passed SHACL (``sh:class dkg:Laterality``) and HermiT
    (no nominal closes the partition), and a statement with it was classified by nothing: an independent attempt."""
    ontology = _ontology_with(
        tmp_path,
        "dkg:Ipsilateral a owl:NamedIndividual , dkg:Laterality ; rdfs:label \"ipsilateral\"@en ;\n"
        "    <http://purl.obolibrary.org/obo/IAO_0000115> \"The lesion lies on the side of the dystonia.\"@en .\n"
    )
    with pytest.raises(ValidationFailed) as caught:
        build(tmp_path / "release", quiet, Sources(ontology_dir=ontology, with_hpo=False))
    assert [(v.check, v.focus) for v in caught.value.violations] == [
        ("value-outside-its-value-classes-violation", "dkg:Ipsilateral")]
    assert not (tmp_path / "release" / "current").exists()


def test_a_build_folder_of_another_layout_is_never_taken_for_this_one(release_copy: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The same data written by a version whose folders hold other files (before catalog.json, say) has
    another name, so a build never publishes that older folder as its own."""
    import graph.release as layout

    current = Release.current(release_copy)
    nquads = current.dump("nq").read_bytes()
    assert current.build == current.folder.name == layout.build_id(nquads)
    monkeypatch.setattr(layout, "LAYOUT", layout.LAYOUT - 1)
    assert layout.build_id(nquads) != current.build


def test_the_union_dump_keeps_literals_that_hold_unicode_line_separators() -> None:
    """U+2028, U+2029 and U+0085 stay raw inside N-Triples literals; splitting the N-Quads at them broke the build
    (found by the independent attempt)."""
    import pyoxigraph as ox

    from graph.build import _union_ntriples
    from graph.store import canonical_nquads, graphs_store

    label = "a\u2028b\u2029c\u0085d"
    nt = f'<https://e.org/s> <http://www.w3.org/2000/01/rdf-schema#label> "{label}" .\n'.encode()
    union = _union_ntriples(canonical_nquads(graphs_store([("https://e.org/g1", nt), ("https://e.org/g2", nt)])))
    triples = list(ox.parse(union, format=ox.RdfFormat.N_TRIPLES))
    assert [t.object.value for t in triples] == [label]


def test_local_ids_are_the_subjects_under_the_base_of_the_default_graph_as_the_store_serves_it() -> None:
    """A configured store may hold the data in its default graph, a release's store in named graphs (served as
    their union): both give the local IDs, and a blank node or an IRI that only begins like the base does not
    (a subject scan of the named graphs only lost every ID of the first kind; found by the independent attempt)."""
    from graph.catalog import compute_catalog
    from graph.query import solution_rows
    from graph.store import open_store

    nt = (f"<{DKG}S0001> <http://www.w3.org/2000/01/rdf-schema#label> \"one\" .\n"
          f"<{str(DKG).rstrip('/')}-other/X> <http://www.w3.org/2000/01/rdf-schema#label> \"not ours\" .\n"
          "_:b <http://www.w3.org/2000/01/rdf-schema#label> \"blank\" .\n").encode()
    for graph in (None, str(CURATED_GRAPH)):  # the default graph itself; a named graph served as the union
        store = open_store("memory:")
        store.load(nt, "nt", graph=graph)
        catalog = compute_catalog(lambda q, s=store: solution_rows(s.query(q)), lambda q: Graph())
        assert catalog["local_ids"] == ["S0001"], graph
