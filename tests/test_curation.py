"""The misstatements an independent reading found, one check each, on the shipped curation.

Each would fail if the misstatement came back; the goldens (tests/data/golden) and the QC checks
guard them too, this file says which statement each fix is about.
"""

from __future__ import annotations

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef

from graph.build import Assembled
from graph.vocab import BIBO, DKG, PROV, expand

ECO_302, ECO_304 = expand("ECO:0000302"), expand("ECO:0000304")


@pytest.fixture(scope="module")
def curated(assembled: Assembled) -> Graph:
    return assembled.curated


def values(graph: Graph, statement: str, prop: str) -> set[URIRef]:
    return {o for o in graph.objects(DKG[statement], DKG[prop]) if isinstance(o, URIRef)}


def terms(*curies: str) -> set[URIRef]:
    return {expand(c) for c in curies}


@pytest.mark.parametrize(("statement", "prop", "expected"), [
    # the document's own words for the cited case report are S0034-S0036
    ("S0034", "likelihood", {"Noted"}), ("S0035", "likelihood", {"May"}),
    # "common" qualifies the delayed onset, not the causal link
    ("S0008", "outcomeLikelihood", {"Common"}), ("S0008", "likelihood", set()),
    ("S0009", "outcomeLikelihood", {"Common"}), ("S0009", "likelihood", set()),
    # "usually" qualifies the childhood onset, not the genetic cause
    ("S0309", "likelihood", set()), ("S0309", "onset", set()),
    ("S0343", "onset", {"HP:0410280"}), ("S0343", "onsetLikelihood", {"Usually"}),
    # environmental stressors "can act as disease modifiers", on "some studies suggesting"
    ("S0232", "etiologicRole", {"DiseaseModifier"}), ("S0232", "associationDirection", {"UnstatedDirection"}),
    ("S0232", "likelihood", {"SomeStudiesSuggest", "Can"}),
    # thalamic "most common sites" rank within the thalamus and subthalamic region
    *[(s, "rankedAmong", {"UBERON:0001897"}) for s in ("S0026", "S0027", "S0028", "S0029")],
    *[(s, "rankedAmong", set()) for s in ("S0022", "S0023", "S0024")],
    # task-specific dystonia under temporal pattern
    ("S0433", "dimension", {"TemporalPattern"}),
    # cortex, not lobe; no narrowing to one thalamic nucleus
    ("S0004", "lesionSite", {"UBERON:0016530"}), ("S0005", "lesionSite", {"UBERON:0001870"}),
    *[(s, "lesionSite", {"UBERON:0004703"}) for s in ("S0018", "S0019", "S0027")],
    # focal dystonia of the arm
    ("S0032", "phenotype", {"FocalArmDystonia"}),
    # the method the quote states, and the if-conditions
    ("S0331", "diagnosticMethod", {"TriggeringFactorAssessment"}),
    ("S0332", "condition", {"OnsetWithoutPrimaryCause"}),
    ("S0333", "condition", {"FamilyHistoryPresent", "NoIdentifiedCause"}),
    # dystonic cerebral palsy: the closest real MONDO term
    ("S0438", "example", {"MONDO:0022697"}), ("S0439", "example", {"MONDO:0022697"}),
    # "primary" kept; "certain medications"; "sensory", not "sensorimotor"
    *[(s, "phenotype", {"PrimaryFocalDystonia"}) for s in ("S0233", "S0234", "S0235")],
    *[(s, "onset", {"HP:0003581"}) for s in ("S0233", "S0234", "S0235")],
    ("S0203", "etiologyScope", {"CertainMembers"}), ("S0238", "process", {"SensoryDysfunction"}),
    # spasmodic dysphonia "affecting speech", restored
    ("S0428", "phenotype", {"HP:0012049"}), ("S0428", "clinicalSign", {"SpeechAffected"}),
    # formerly called
    ("S0437", "formerlyCalled", {"PrimaryDystonia"}), ("S0440", "formerlyCalled", {"DystoniaPlus"}),
])
def test_fixed_statement(curated: Graph, statement: str, prop: str, expected: set[str]) -> None:
    assert values(curated, statement, prop) == terms(*expected)


@pytest.mark.parametrize("statement", ["S0018", "S0019", "S0027", "S0026", "S0438", "S0439"])
def test_a_term_that_is_not_the_source_word_says_why(curated: Graph, statement: str) -> None:
    assert curated.value(DKG[statement], DKG.curationNote) is not None


@pytest.mark.parametrize("statement", ["S0037", "S0038"])
def test_statements_resting_on_a_reference_title_are_retired(curated: Graph, statement: str) -> None:
    assert (DKG[statement], OWL.deprecated, Literal(True)) in curated
    assert "title of a cited case report" in str(curated.value(DKG[statement], RDFS.comment))
    assert curated.value(DKG[statement], DKG.quote) is None


def test_source004_has_no_footnotes_so_no_citations(curated: Graph) -> None:
    statements = set(curated.subjects(PROV.wasDerivedFrom, DKG.Source004))
    assert len(statements) >= 46
    assert all(curated.value(s, DKG.citation) is None for s in statements)
    assert {curated.value(s, DKG.evidence) for s in statements} == {ECO_302}
    assert (DKG.Source004, DKG.furtherReading, DKG.Albanese2013) in curated
    assert (DKG.Source004, BIBO.cites, DKG.Albanese2013) not in curated


def test_an_unconfirmed_doi_is_marked_as_printed(curated: Graph) -> None:
    assert curated.value(DKG.ORourke2006, BIBO.doi) is None
    assert str(curated.value(DKG.ORourke2006, DKG.printedDoi)) == "10.1007/s00415-006-0202-3"
    assert str(curated.value(DKG.LeeMarsden1994, BIBO.doi)) == "10.1002/mds.870090502"  # verified: kept


def test_footnoted_statements_cite_their_footnote(curated: Graph) -> None:
    assert values(curated, "S0001", "citation") == {DKG.SchneiderBhatia2010}
    assert values(curated, "S0008", "citation") == {DKG.LeeMarsden1994}
    assert values(curated, "S0232", "citation") == set()  # footnote 4: not in the document's reference list
    assert curated.value(DKG.S0232, DKG.evidence) == ECO_302


@pytest.mark.parametrize(("local", "modifier"), [
    ("StaticDystonia", "HP:0003680"), ("ProgressiveDystonia", "HP:0003676"), ("DiurnalDystonia", "HP:0025302")])
def test_course_classes_are_logical_definitions_over_hpo(assembled: Assembled, local: str, modifier: str) -> None:
    ontology = assembled.ontology
    (definition,) = ontology.objects(DKG[local], OWL.equivalentClass)
    members = list(ontology.items(ontology.value(definition, OWL.intersectionOf)))
    assert members[0] == expand("HP:0001332")
    assert ontology.value(members[1], OWL.onProperty) == expand("RO:0002573")
    assert ontology.value(members[1], OWL.someValuesFrom) == expand(modifier)


@pytest.mark.parametrize("local", ["AdultOnsetFocalDystonia", "MultifocalDystonia", "Infarct"])
def test_local_classes_without_a_seed_sentence_are_obsolete(assembled: Assembled, local: str) -> None:
    ontology = assembled.ontology
    assert (DKG[local], OWL.deprecated, Literal(True)) in ontology
    assert ontology.value(DKG[local], RDFS.subClassOf) is None
    assert not set(assembled.curated.subjects(None, DKG[local]))


def test_no_statement_uses_an_obsolete_local_class(assembled: Assembled) -> None:
    obsolete = {s for s in assembled.ontology.subjects(OWL.deprecated, Literal(True))}
    used = {o for s, _, o in assembled.curated if (s, RDF.type, DKG.TextUnit) not in assembled.curated}
    assert not obsolete & used
