"""The UBERON, MONDO and ChEBI modules: the streaming reader, the release files, the modules in their named graphs,
the term checks (each failure kind on a small release file of the tests' own), the roll-up along the hierarchy,
HermiT's unchanged view, and a newer release given with --uberon."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import zstandard
from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from graph import json_stream
from graph.build import Assembled, Sources, ValidationFailed, assemble, build
from graph.cli import main
from graph.json_stream import JsonStreamError, members, values_at
from graph.obo_modules import DECLARED, Module, load_modules, term_uses
from graph.obo_release import (
    SPECS,
    ReleaseFileError,
    default_release_file,
    load_release,
    release_version,
)
from graph.query import solution_rows
from graph.reason import reason
from graph.release import Release
from graph.termcheck import module_term_violations
from graph.vocab import DKG, INFERRED_GRAPH, MODULE_GRAPHS, sparql_prefixes

from .conftest import quiet

OBO = "http://purl.obolibrary.org/obo/"
ISA_PARTOF_PARENT, ISA_PARTOF_ANCESTOR = DKG.isaPartofParent, DKG.isaPartofAncestor
THALAMUS = "UBERON:0001897"  # "dorsal plus ventral thalamus", UBERON's class for the thalamus


def iri(curie: str) -> URIRef:
    return URIRef(OBO + curie.replace(":", "_"))


# ---------------------------------------------------------------- the streaming reader

TRICKY = {"a": {"x": [1, 2, {"y": "}\",{"}], "n": -1.5e3}, "b\u00e9\n": 123, "c": "str \\\" ,}", "d": True,
          "e": None, "f": {}, "g": 1234567, "h": "\u2028 ü 🧠"}


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64, 1 << 20])
@pytest.mark.parametrize("dump", [json.dumps, lambda o: json.dumps(o, indent=3),
                                  lambda o: json.dumps(o, separators=(",", ":"), ensure_ascii=False)])
def test_members_and_values_at_agree_with_json_loads(monkeypatch: pytest.MonkeyPatch, chunk: int, dump) -> None:  # type: ignore[no-untyped-def]
    """Members are read whole whatever the window (a chunk of one character splits every token)."""
    monkeypatch.setattr(json_stream, "CHUNK", chunk)
    text = dump(TRICKY)
    found = list(members(io.StringIO(text)))
    assert {key: value for key, value, _ in found} == TRICKY
    assert [key for key, _, _ in found] == list(TRICKY), "file order"
    again = dict(values_at(io.StringIO(text), [offset for _, _, offset in found]))
    assert {key: again[offset] for key, _, offset in found} == TRICKY
    assert list(members(io.StringIO(" {\n} "))) == []


@pytest.mark.parametrize(("text", "problem"), [
    ('{"a":1,}', "member name"), ('{"a" 1}', "expected ':'"), ("[1]", "expected '{'"), ('{"a":1', "',' or '}'"),
    ('{"a":tru}', "invalid JSON"), ('{"a":1}{', "text after the object"), ("", "expected '{'"),
])
def test_malformed_json_is_a_named_error(monkeypatch: pytest.MonkeyPatch, text: str, problem: str) -> None:
    monkeypatch.setattr(json_stream, "CHUNK", 2)
    with pytest.raises(JsonStreamError, match=problem):
        list(members(io.StringIO(text), "release.json"))


def test_the_packaged_uberon_reads_as_json_load_reads_it() -> None:
    path = default_release_file(SPECS["uberon"])
    with json_stream.open_text(path) as text:
        streamed = {key: value for key, value, _ in members(text)}
    with path.open("rb") as raw:
        assert streamed == json.load(zstandard.ZstdDecompressor().stream_reader(raw))


# ---------------------------------------------------------------- release files

def test_packaged_releases_and_their_versions() -> None:
    expected = {"uberon": "v2026-04-01", "mondo": "v2026-05-05", "chebi": "2026-05-01"}
    for name, version in expected.items():
        path = default_release_file(SPECS[name])
        assert path.is_file() and release_version(SPECS[name], path) == version
    with pytest.raises(ReleaseFileError, match=r"UBERON-ontology-<version>\.json\.zst"):
        release_version(SPECS["uberon"], Path("uberon.json.zst"))


def write_release(path: Path, entries: dict[str, dict[str, object]]) -> Path:
    """A release file of the packaged shape: one zstd-compressed JSON object, compact, CURIE → term."""
    data = json.dumps(entries, separators=(",", ":")).encode("utf-8")
    path.write_bytes(zstandard.ZstdCompressor().compress(data))
    return path


def small_release(name: str, curies: set[str]) -> dict[str, dict]:  # type: ignore[type-arg]
    """The entries of the packaged release for ``curies`` and their ancestors, as the file has them: the base of
    each test's own release file (which then changes what it tests)."""
    spec = SPECS[name]
    release = load_release(spec, default_release_file(spec), curies)
    entries: dict[str, dict] = {}  # type: ignore[type-arg]
    for curie in release.closure(curies):
        term = release.terms[curie]
        entries[curie] = {"ancestors": dict(term.ancestors), "label": term.label, "deprecated": term.deprecated}
        if term.definition:
            entries[curie]["description"] = term.definition
        if term.synonyms:
            entries[curie]["synonyms"] = list(term.synonyms)
    return entries


def test_a_small_release_round_trips(tmp_path: Path) -> None:
    entries = small_release("uberon", {THALAMUS})
    path = write_release(tmp_path / "UBERON-ontology-v2099-01-01.json.zst", entries)
    release = load_release(SPECS["uberon"], path, {THALAMUS})
    assert release.version == "v2099-01-01"
    assert release.terms[THALAMUS].label == "dorsal plus ventral thalamus"
    assert set(release.closure([THALAMUS])) == set(entries)
    with pytest.raises(ReleaseFileError, match="X: expected an object with a 'label' string"):
        load_release(SPECS["uberon"], write_release(tmp_path / "UBERON-ontology-v1.json.zst", {"X": []}), {"X"})  # type: ignore[dict-item]
    plain = tmp_path / "UBERON-ontology-v2.json.zst"
    plain.write_text(json.dumps(entries))
    with pytest.raises(ReleaseFileError, match="not a UBERON release"):
        load_release(SPECS["uberon"], plain, {THALAMUS})


# ---------------------------------------------------------------- modules

def test_module_of_the_dorsal_thalamus() -> None:
    """Label, definition, exact synonyms and the mixed is_a/part_of hierarchy, never as rdfs:subClassOf."""
    spec = SPECS["uberon"]
    module = Module(load_release(spec, default_release_file(spec), {"UBERON:0004703"}), frozenset({"UBERON:0004703"}))
    graph = Graph().parse(data=module.ntriples, format="nt")
    dorsal = iri("UBERON:0004703")
    assert graph.value(dorsal, RDFS.label) == Literal("dorsal thalamus", lang="en")
    synonyms = set(graph.objects(dorsal, URIRef("http://www.geneontology.org/formats/oboInOwl#hasExactSynonym")))
    assert Literal("thalamus proper", lang="en") in synonyms
    assert (dorsal, ISA_PARTOF_PARENT, iri(THALAMUS)) in graph
    assert (dorsal, ISA_PARTOF_ANCESTOR, iri(THALAMUS)) in graph
    assert (dorsal, ISA_PARTOF_ANCESTOR, iri("UBERON:0000955")) in graph  # brain, several steps up
    assert (dorsal, ISA_PARTOF_PARENT, iri("UBERON:0000955")) not in graph
    assert not list(graph.triples((None, RDFS.subClassOf, None)))
    ancestors = set(graph.objects(dorsal, ISA_PARTOF_ANCESTOR))
    assert set(graph.objects(dorsal, ISA_PARTOF_PARENT)) < ancestors
    for ancestor in ancestors:  # each ancestor is in the module, labelled, with its own hierarchy
        assert graph.value(ancestor, RDFS.label) is not None, ancestor
    assert graph.value(iri(THALAMUS), URIRef(OBO + "IAO_0000115")) is not None


def test_term_uses_name_their_users(assembled: Assembled) -> None:
    uses = assembled.uses
    assert "dkg:S0010" in uses["uberon"][THALAMUS]
    assert {"dkg:S0214", "dkg:S0260"} <= uses["chebi"]["CHEBI:5613"]
    # MONDO terms the annotation layer maps its diseases to are used by those diseases
    assert any(user.startswith(("OMIM:", "Orphanet:")) for users in uses["mondo"].values() for user in users)
    declaration = Graph()
    declaration.add((iri("UBERON:0002420"), RDF.type, OWL.Class))
    only_declared = term_uses([declaration])
    assert only_declared["uberon"] == {"UBERON:0002420": {DECLARED}}


# ---------------------------------------------------------------- term checks: each failure kind, each ontology

# A used term of each ontology and the statements that use it (graph/curation/statements), and a real term of the
# same release a test's own release file names as its replacement.
USED = {"uberon": (THALAMUS, "dkg:S0010", "UBERON:0004703"),
        "mondo": ("MONDO:0005098", "dkg:S0207", "MONDO:0043510"),
        "chebi": ("CHEBI:5613", "dkg:S0214", "CHEBI:35476")}


@pytest.fixture(scope="module")
def without_hpo() -> Assembled:
    """The shipped sources assembled without HPO (its term checks are not under test here)."""
    return assemble(quiet, Sources(with_hpo=False))


def _check(parts: Assembled, name: str, path: Path, *extra: Graph) -> list[str]:
    modules = load_modules(parts.uses, {name: path})
    return [str(v) for v in module_term_violations([parts.ontology, parts.curated, *extra], parts.uses, modules)]


@pytest.mark.parametrize("name", SPECS)
def test_a_term_missing_from_the_release_fails(without_hpo: Assembled, tmp_path: Path, name: str) -> None:
    curie, user, _ = USED[name]
    entries = small_release(name, set(without_hpo.uses[name]))
    del entries[curie]
    prefix = SPECS[name].prefix
    path = write_release(tmp_path / f"{prefix}-ontology-v2099-01-01.json.zst", entries)
    messages = _check(without_hpo, name, path)
    assert len(messages) == 1, messages
    assert f"[{name}-term]" in messages[0] and f"focus {curie}:" in messages[0]
    assert f"not in {prefix} v2099-01-01; used by" in messages[0] and user in messages[0]


@pytest.mark.parametrize("name", SPECS)
def test_a_deprecated_term_fails_naming_its_replacement(without_hpo: Assembled, tmp_path: Path, name: str) -> None:
    curie, user, replacement = USED[name]
    entries = small_release(name, set(without_hpo.uses[name]) | {replacement})
    entries[curie] = {"ancestors": {}, "label": f"obsolete {entries[curie]['label']}", "deprecated": True,
                      "replaced_by": replacement}
    path = write_release(tmp_path / f"{SPECS[name].prefix}-ontology-v2099-01-01.json.zst", entries)
    messages = _check(without_hpo, name, path)
    assert len(messages) == 1, messages
    label = entries[replacement]["label"]
    assert f"deprecated in {SPECS[name].prefix} v2099-01-01; replaced by {replacement} ({label})" in messages[0]
    assert user in messages[0], "the statements that use it are named"


def test_a_deprecated_term_without_replacement_names_what_to_consider(without_hpo: Assembled, tmp_path: Path) -> None:
    curie, _, other = USED["uberon"]
    entries = small_release("uberon", set(without_hpo.uses["uberon"]))
    entries[curie] = {"ancestors": {}, "label": "", "deprecated": True, "consider": [other]}
    messages = _check(without_hpo, "uberon", write_release(tmp_path / "UBERON-ontology-v2099-01-01.json.zst", entries))
    assert len(messages) == 1 and f"no replacement given; consider {other}" in messages[0]


@pytest.mark.parametrize("name", SPECS)
def test_a_label_other_than_the_releases_fails(without_hpo: Assembled, tmp_path: Path, name: str) -> None:
    """The ontology may declare a label only if it is the release's: a newer release that renames a term fails the
    build while the old label is declared (the modules carry the release's; the graph would hold two)."""
    curie, user, _ = USED[name]
    entries = small_release(name, set(without_hpo.uses[name]))
    old = entries[curie]["label"]
    declared = Graph()
    declared.add((iri(curie), RDFS.label, Literal(old, lang="en")))
    path = write_release(tmp_path / f"{SPECS[name].prefix}-ontology-v2099-01-01.json.zst", entries)
    assert _check(without_hpo, name, path, declared) == [], "the release's label may be declared"
    entries[curie]["label"] = f"revised {old}"
    newer = write_release(tmp_path / f"{SPECS[name].prefix}-ontology-v2099-02-01.json.zst", entries)
    messages = _check(without_hpo, name, newer, declared)
    assert len(messages) == 1, messages
    assert "path rdfs:label" in messages[0] and f"label {old!r} differs from" in messages[0]
    assert f"v2099-02-01 ('revised {old}')" in messages[0] and user in messages[0]


def test_a_failed_term_check_stops_the_build(tmp_path: Path) -> None:
    curie, user, replacement = USED["uberon"]
    parts = assemble(quiet, Sources(with_hpo=False))
    entries = small_release("uberon", set(parts.uses["uberon"]) | {replacement})
    entries[curie] = {"ancestors": {}, "label": "", "deprecated": True, "replaced_by": replacement}
    path = write_release(tmp_path / "UBERON-ontology-v2099-01-01.json.zst", entries)
    with pytest.raises(ValidationFailed, match=rf"{curie}: deprecated in UBERON v2099-01-01; replaced by "
                                               rf"{replacement} \(dorsal thalamus\); used by .*{user}"):
        build(tmp_path / "release", quiet, Sources(with_hpo=False, uberon=path))
    assert not (tmp_path / "release" / "current").exists()


# ---------------------------------------------------------------- the release

def test_the_release_keeps_each_module_in_its_graph(release_dir: Path, release_store) -> None:  # type: ignore[no-untyped-def]
    release = Release.current(release_dir)
    modules = release.modules
    assert {name: m["version"] for name, m in modules.items()} == \
        {"uberon": "v2026-04-01", "mondo": "v2026-05-05", "chebi": "2026-05-01"}
    assert modules["uberon"]["licence"] == "https://creativecommons.org/licenses/by/3.0/"
    assert modules["mondo"]["licence"] == modules["chebi"]["licence"] == "https://creativecommons.org/licenses/by/4.0/"
    assert modules["uberon"]["source"] == "https://github.com/obophenotype/uberon/releases/download/v2026-04-01/uberon.owl"
    assert modules["mondo"]["file"] == "MONDO-ontology-v2026-05-05.json.zst"
    for name, graph in MODULE_GRAPHS.items():
        assert release.manifest["graphs"][str(graph)] > 100, name
        assert modules[name]["terms"] > modules[name]["terms_used"] > 0
        no_subclass = f"ASK {{ GRAPH <{graph}> {{ ?s <{RDFS.subClassOf}> ?o }} }}"
        assert not bool(release_store.query(no_subclass)), f"{name}: the hierarchy is not published as subClassOf"
    label = f"""SELECT ?g WHERE {{ GRAPH ?g {{ <{iri(THALAMUS)}> <{RDFS.label}> ?label }} }}"""
    assert [r["g"] for r in solution_rows(release_store.query(label))] == [str(MODULE_GRAPHS["uberon"])], \
        "the label is in the module only (external-terms.ttl no longer declares it)"
    union, quads = release.dump("nt").read_bytes(), release.dump("nq").read_bytes()
    assert union.count(b"\n") == quads.count(b"\n"), "each triple lives in one graph only"


ROLL_UP = sparql_prefixes() + """
SELECT DISTINCT ?statement ?site ?phenotype WHERE {
  ?statement dkg:lesionSite ?site ; dkg:phenotype ?phenotype .
  ?site dkg:isaPartofAncestor? UBERON:0001897 .
}"""


def test_lesions_anywhere_within_the_thalamus_roll_up(release_store) -> None:  # type: ignore[no-untyped-def]
    """The README's example: the thalamus itself, and every site the UBERON release puts under or within it."""
    rows = {(r["statement"].rsplit("/", 1)[-1], r["site"].rsplit("_", 1)[-1])
            for r in solution_rows(release_store.query(ROLL_UP))}
    assert ("S0010", "0001897") in rows  # the thalamus itself: hand dystonia
    assert {("S0018", "0004703"), ("S0028", "0002705"), ("S0021", "0001906")} <= rows  # dorsal thalamus, midline
    assert not any(site == "0001874" for _, site in rows), "the putamen is not within the thalamus"


def test_hermit_sees_the_same_ontology_with_the_modules(assembled: Assembled, release_store) -> None:  # type: ignore[no-untyped-def]
    """The hierarchy properties are annotation properties: handed to HermiT with the modules, the ontology gives the
    same inferences as without them (those in the release)."""
    graph = assembled.to_reason()
    for module in assembled.modules.values():
        graph.parse(data=module.ntriples, format="nt")
    with_modules = reason(graph).graph
    result = release_store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{INFERRED_GRAPH}> {{ ?s ?p ?o }} }}")
    released = Graph()
    for triple in result:
        released.add(tuple(URIRef(t.value) for t in triple))  # type: ignore[arg-type]
    assert len(released) > 0 and isomorphic(with_modules, released)


def test_a_newer_release_given_on_the_command_line_shows_its_version(tmp_path: Path) -> None:
    """`dystonia-kg build --uberon FILE`: the manifest, VoID and the home page show the file's version."""
    from server import create_app

    parts = assemble(quiet, Sources(with_hpo=False))
    entries = small_release("uberon", set(parts.uses["uberon"]))
    newer = write_release(tmp_path / "UBERON-ontology-v2099-12-31.json.zst", entries)
    release_dir = tmp_path / "release"
    assert main(["--release", str(release_dir), "build", "--no-hpo", "--uberon", str(newer)]) == 0
    release = Release.current(release_dir)
    assert release.modules["uberon"]["version"] == "v2099-12-31"
    assert release.modules["uberon"]["file"] == newer.name
    assert release.modules["mondo"]["version"] == "v2026-05-05", "the others stay the packaged ones"
    client = create_app({"RELEASE_DIR": str(release_dir), "WORKERS": 1}).test_client()
    void = Graph().parse(data=client.get("/void", headers={"Accept": "text/turtle"}).get_data(as_text=True),
                         format="turtle")
    source = URIRef("https://github.com/obophenotype/uberon/releases/download/v2099-12-31/uberon.owl")
    subset = next(void.subjects(URIRef("http://purl.org/dc/terms/source"), source))
    assert (None, URIRef("http://rdfs.org/ns/void#subset"), subset) in void
    assert str(void.value(subset, URIRef("http://purl.org/dc/terms/license"))).endswith("/by/3.0/")
    assert str(void.value(subset, URIRef("http://purl.org/dc/terms/hasVersion"))) == "v2099-12-31"
    home = client.get("/").get_data(as_text=True)
    assert "v2099-12-31" in home and "CC BY 3.0" in home and "v2026-04-01" not in home


@pytest.mark.parametrize("name", SPECS)
def test_the_releases_label_in_another_language_or_as_a_preferred_label_fails(without_hpo: Assembled,
                                                                              tmp_path: Path, name: str) -> None:
    """Only the release's label, in English, may be declared: the same text without a language tag or in another
    language, or a skos:prefLabel other than it, is a second label the graph would hold (found by the
    independent attempt: all three were built)."""
    curie, user, _ = USED[name]
    entries = small_release(name, set(without_hpo.uses[name]))
    label = entries[curie]["label"]
    path = write_release(tmp_path / f"{SPECS[name].prefix}-ontology-v2099-01-01.json.zst", entries)
    for literal, field in ((Literal(label), RDFS.label), (Literal(label, lang="fr"), RDFS.label),
                           (Literal(f"wrong {label}", lang="en"), SKOS.prefLabel)):
        declared = Graph()
        declared.add((iri(curie), field, literal))
        messages = _check(without_hpo, name, path, declared)
        assert len(messages) == 1 and user in messages[0], (literal, messages)
    same = Graph()
    same.add((iri(curie), SKOS.prefLabel, Literal(label, lang="en")))
    assert _check(without_hpo, name, path, same) == []


def test_a_module_term_written_in_another_form_than_its_purl_fails() -> None:
    """An https PURL, a lower-case prefix or an identifiers.org IRI names a term the checks and the modules do not
    read (found by the independent attempt: an obsolete MONDO term got through that way); the PURL itself and
    other OBO terms pass."""
    from graph.termcheck import module_iri_violations

    graph = Graph()
    subject = URIRef(str(DKG) + "SomeClass")
    others = ["https://purl.obolibrary.org/obo/MONDO_0005328", "http://purl.obolibrary.org/obo/mondo_0000399",
              "http://identifiers.org/mondo/MONDO:0000399", "HTTP://PURL.OBOLIBRARY.ORG/obo/UBERON_0001897",
              "https://identifiers.org/CHEBI:5613"]
    fine = ["http://purl.obolibrary.org/obo/MONDO_0005328", "http://purl.obolibrary.org/obo/HP_0001332",
            "https://example.org/mondo_1"]
    for target in others + fine:
        graph.add((subject, SKOS.closeMatch, URIRef(target)))
    problems = {v.focus: v.message for v in module_iri_violations([graph])}
    assert set(problems) == set(others)
    assert "write <http://purl.obolibrary.org/obo/MONDO_0000399>" in problems[others[2]]
    assert "write <http://purl.obolibrary.org/obo/CHEBI_5613>" in problems[others[4]]
