"""The HPO merge: the release as OWL, term checks, the annotation layer, other release formats, round trips."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from graph.assemble import Vocabulary, assemble_curated
from graph.build import Assembled, Sources, ValidationFailed, build
from graph.export import export
from graph.hpo import default_hpo_obo, load_hpo
from graph.hpo_import import write_import_module
from graph.paths import CURATION_DIR, resource_dir
from graph.query import solution_rows
from graph.release import Release
from graph.store import open_store
from graph.termcheck import hpo_term_violations
from graph.vocab import ANNOTATIONS_GRAPH, BASE, DKG, HPO_GRAPH, sparql_prefixes

from .conftest import quiet

OBO = "http://purl.obolibrary.org/obo/"


@pytest.fixture(scope="module")
def hpo():  # type: ignore[no-untyped-def]
    return load_hpo(default_hpo_obo())


def test_obo_to_owl_mapping(hpo) -> None:  # type: ignore[no-untyped-def]
    graph = Graph().parse(data=hpo.ntriples, format="nt")
    dystonia = URIRef(OBO + "HP_0001332")
    assert graph.value(dystonia, RDFS.label) == Literal("Dystonia", lang="en")
    assert (dystonia, RDFS.subClassOf, URIRef(OBO + "HP_0100022")) in graph
    assert graph.value(dystonia, URIRef(OBO + "IAO_0000115")) is not None
    synonyms = set(graph.objects(dystonia, URIRef("http://www.geneontology.org/formats/oboInOwl#hasExactSynonym")))
    exact = {Literal(s.description, lang="en") for s in hpo.term("HP:0001332").synonyms if s.scope == "EXACT"}
    assert exact and synonyms == exact
    obsolete = next(t for t in hpo.ontology.terms() if t.obsolete and t.replaced_by)
    iri = URIRef(OBO + obsolete.id.replace(":", "_"))
    assert (iri, OWL.deprecated, Literal(True)) in graph
    replacement = next(iter(obsolete.replaced_by)).id.replace(":", "_")
    assert graph.value(iri, URIRef(OBO + "IAO_0100001")) == URIRef(OBO + replacement)
    assert not list(graph.objects(iri, RDFS.subClassOf)), "obsolete terms keep no logical axioms"
    terms = sum(1 for t in hpo.ontology.terms() if t.id.startswith("HP:"))
    assert len(set(graph.subjects(RDF.type, OWL.Class))) == terms


def test_release_keeps_hpo_and_the_layer_in_their_own_graphs(release_dir: Path, release_store, hpo) -> None:  # type: ignore[no-untyped-def]
    manifest = Release.current(release_dir).manifest
    assert manifest["graphs"][str(HPO_GRAPH)] > 100_000
    assert manifest["hpo"]["version"] == hpo.version  # read from the HPO file's data-version header
    assert "Human Phenotype Ontology" in manifest["hpo"]["acknowledgement"]
    layer = manifest["hpo"]["annotations"]
    assert layer["diseases"] > 500 and layer["genes"] > 300 and layer["iea_left_out"] > 0
    ask = "ASK { GRAPH <%s> { ?s ?p ?o } }"
    assert bool(release_store.query(ask % HPO_GRAPH)) and bool(release_store.query(ask % ANNOTATIONS_GRAPH))
    iea = f"ASK {{ ?a a <{DKG.DiseasePhenotypeAnnotation}> ; " \
          f"<{DKG.evidence}> <http://purl.obolibrary.org/obo/ECO_0000501> }}"
    assert not bool(release_store.query(iea)), "IEA (OMIM-derived) annotations are left out by default"


def test_curated_genes_and_layer_share_iris(release_store) -> None:  # type: ignore[no-untyped-def]
    query = f"""ASK {{ ?s <{DKG.etiology}> <http://identifiers.org/ncbigene/1861> .
                     ?d <{DKG.associatedGene}> <http://identifiers.org/ncbigene/1861> }}"""
    assert bool(release_store.query(query))


def _curation_with(tmp_path: Path, old: str, new: str) -> Path:
    curation = tmp_path / "curation"
    shutil.copytree(CURATION_DIR, curation)
    path = curation / "statements" / "source000-lesions.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return curation


def test_obsolete_hpo_term_fails_with_its_replacement(tmp_path: Path, hpo, assembled: Assembled) -> None:  # type: ignore[no-untyped-def]
    obsolete = next(t for t in hpo.ontology.terms() if t.obsolete and t.replaced_by)
    replacement = next(iter(obsolete.replaced_by))
    curation = _curation_with(tmp_path, "  phenotype: HP:0032005", f"  phenotype: {obsolete.id}")
    curated = assemble_curated(Vocabulary.from_ontology(assembled.ontology), curation)
    messages = [str(v) for v in hpo_term_violations(assembled.ontology, curated, hpo)]
    assert len(messages) == 1
    assert obsolete.id in messages[0] and f"replaced by {replacement.id}" in messages[0]
    assert "dkg:S0013" in messages[0], "the statement using the term is named"


def test_unknown_hpo_term_fails_the_build(tmp_path: Path, hpo) -> None:  # type: ignore[no-untyped-def]
    curation = _curation_with(tmp_path, "  phenotype: HP:0032005", "  phenotype: HP:9999999")
    with pytest.raises(ValidationFailed, match=rf"HP:9999999.*not in HPO {hpo.version}; used by dkg:S0013"):
        build(tmp_path / "release", quiet, Sources(curation_dir=curation))
    assert not (tmp_path / "release" / "current").exists()


@pytest.mark.parametrize(("field", "what"), [("name", "label"), ("def", "definition")])
def test_label_or_definition_mismatch_with_a_newer_release(tmp_path: Path, field: str, what: str,
                                                           assembled: Assembled) -> None:
    """A newer HPO release that changes a term's label or definition fails the build until the import module
    is refreshed: merged as is, the release would hold two of them."""
    newer = tmp_path / "hp.obo"
    text = default_hpo_obo().read_text(encoding="utf-8")
    start = text.index("id: HP:0032005\n")
    end = text.index("\n\n", start)
    stanza = text[start:end]
    line = next(line for line in stanza.splitlines() if line.startswith(f"{field}: "))
    old, new = {"name": ("name: ", "name: Revised "), "def": ('def: "', 'def: "Revised. ')}[field]
    changed = line.replace(old, new, 1)
    newer.write_text(text[:start] + stanza.replace(line, changed, 1) + text[end:], encoding="utf-8")
    # The term check alone (the one that reads HPO's text); that a failed check stops the build is
    # test_unknown_hpo_term_fails_the_build's.
    violations = hpo_term_violations(assembled.ontology, assembled.curated, load_hpo(newer))
    assert [v.focus for v in violations] == ["HP:0032005"]
    message = violations[0].message
    assert f"{what} " in message and "differs from HPO" in message and "refresh-imports" in message


def test_hpo_in_obo_graphs_json_is_accepted(tmp_path: Path, hpo) -> None:  # type: ignore[no-untyped-def]
    json_path = tmp_path / "hp.json"
    with json_path.open("wb") as handle:
        hpo.ontology.dump(handle, format="json")
    other = load_hpo(json_path)
    assert other.term("HP:0001332").name == "Dystonia"
    assert other.descendants("HP:0012179") == hpo.descendants("HP:0012179")


def test_merged_release_round_trips_in_rdflib_and_owlready2(release_dir: Path) -> None:
    dump = Release.current(release_dir).dump("nt")
    graph = Graph().parse(dump, format="nt")
    assert (URIRef(OBO + "HP_0000643"), RDFS.subClassOf, URIRef(OBO + "HP_0012179")) in graph
    import owlready2

    world = owlready2.World()
    onto = world.get_ontology(dump.as_uri()).load(format="ntriples")
    blepharospasm = world[OBO + "HP_0000643"]
    assert blepharospasm is not None and world[OBO + "HP_0012179"] in blepharospasm.is_a
    assert onto is not None
    # the UBERON, MONDO and ChEBI modules load too: their classes, labels and annotation-property hierarchy
    thalamus = world[OBO + "UBERON_0001897"]
    assert thalamus is not None and [str(label) for label in thalamus.label] == ["dorsal plus ventral thalamus"]
    assert world[OBO + "UBERON_0000955"] in thalamus.isaPartofAncestor
    assert world[OBO + "UBERON_0000955"] not in thalamus.is_a, "the hierarchy is no subclass axiom"
    assert world[OBO + "MONDO_0000001"] is not None and world[OBO + "CHEBI_23888"] is not None
    assert (URIRef(OBO + "UBERON_0001897"), DKG.isaPartofAncestor, URIRef(OBO + "UBERON_0000955")) in graph


def test_annotated_diseases_map_to_mondo_and_meet_the_curated_layer(release_store) -> None:  # type: ignore[no-untyped-def]
    query = sparql_prefixes("skos", "dkg") + """
    SELECT DISTINCT ?statement ?disease WHERE {
      ?statement dkg:etiology ?mondo . ?disease a dkg:Disease ; skos:exactMatch ?mondo } ORDER BY ?statement ?disease"""
    rows = [(r["statement"].rsplit("/", 1)[-1], r["disease"].rsplit("/", 1)[-1])
            for r in solution_rows(release_store.query(query))]
    # Wilson and Huntington disease: curated from Source002, annotated by HPO under OMIM and Orphanet ids.
    assert {("S0217", "OMIM_277900"), ("S0217", "Orphanet_905"), ("S0216", "Orphanet_399")} <= set(rows)


@pytest.mark.slow  # a full build of its own (`.ci/run` runs it; the modules' version test is the fast twin)
def test_a_newer_hpo_release_shows_its_version_everywhere(tmp_path: Path) -> None:
    """Every version shown comes from the release's manifest: a build with a newer HPO (made here by editing the
    packaged file's data-version header) shows that version in the manifest, the HPOA export, VoID and the home
    page, and the packaged version nowhere."""
    from server import create_app

    packaged = default_hpo_obo()
    shipped = load_hpo(packaged).version
    newer = "hp/releases/2099-12-31"
    folder = tmp_path / "hpo"
    folder.mkdir()
    text = packaged.read_text(encoding="utf-8")
    assert f"data-version: {shipped}\n" in text
    (folder / "hp.obo").write_text(text.replace(f"data-version: {shipped}\n", f"data-version: {newer}\n", 1),
                                   encoding="utf-8")
    # A newer release comes with its annotation files: their #version header says so too (VoID shows both).
    hpoa = (packaged.parent / "phenotype.hpoa").read_text(encoding="utf-8")
    stamp = shipped.rsplit("/", 1)[-1]
    assert f"#version: {stamp}\n" in hpoa
    (folder / "phenotype.hpoa").write_text(hpoa.replace(f"#version: {stamp}\n",
                                                        f"#version: {newer.rsplit('/', 1)[-1]}\n", 1),
                                           encoding="utf-8")
    shutil.copy(packaged.parent / "genes_to_phenotype.txt", folder / "genes_to_phenotype.txt")
    release = build(tmp_path / "release", quiet, Sources(hpo=folder / "hp.obo"))
    assert release.hpo["version"] == newer

    export(open_store(release.selector), "hpoa", tmp_path / "out", release)
    header = "".join(line for line in (tmp_path / "out" / "dystonia-kg.hpoa").read_text().splitlines(True)
                     if line.startswith("#"))
    app = create_app({"RELEASE_DIR": str(tmp_path / "release"), "WORKERS": 1})
    client = app.test_client()
    void = client.get("/void", headers={"Accept": "application/n-triples"}).get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)
    for shown in (header, void, home):
        assert newer.rsplit("/", 1)[-1] in shown
        assert shipped.rsplit("/", 1)[-1] not in shown
    assert f"<http://purl.obolibrary.org/obo/{newer}/hp.obo>" in void
    assert f"#hpo-version: http://purl.obolibrary.org/obo/{newer}/hp.obo\n" in header  # the file merged, as VoID


def test_the_shipped_import_module_is_what_refresh_imports_writes(tmp_path: Path) -> None:
    """`dystonia-kg refresh-imports` from the pinned release reproduces ontology/imports/hp_import.ttl (as a
    graph): the shipped module is neither hand-edited nor stale."""
    imports = resource_dir("ontology") / "imports"
    out = tmp_path / "hp_import.ttl"
    write_import_module(default_hpo_obo(), imports / "hp_terms.txt", out)
    shipped = Graph().parse(imports / "hp_import.ttl", publicID=BASE)
    assert isomorphic(Graph().parse(out, publicID=BASE), shipped)
