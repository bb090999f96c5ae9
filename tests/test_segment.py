"""The segmenter the ledger writer and the audit share: its rule, on texts of the tests' own."""

from __future__ import annotations

import hashlib

from graph.segment import digest, segment, sentences


def texts(text: str) -> list[str]:
    return [u.text for u in segment(text)]


def test_sentences_split_after_terminal_punctuation_before_a_capital() -> None:
    assert sentences("Dystonia is rare. Onset can occur at any age? Yes! 20,000 people.") == [
        "Dystonia is rare.", "Onset can occur at any age?", "Yes!", "20,000 people."]


def test_no_split_after_abbreviations_initials_or_inside_words() -> None:
    line = ("Contributed by Prof. Alberto Albanese at Istituto C. Besta (e.g., DYT1, DYT6; etc.). "
            "Dr.Oracle says so. Parkinson's disease, i.e. Parkinson disease.")
    assert sentences(line) == [
        "Contributed by Prof. Alberto Albanese at Istituto C. Besta (e.g., DYT1, DYT6; etc.).",
        "Dr.Oracle says so.", "Parkinson's disease, i.e. Parkinson disease."]


def test_no_split_before_a_lower_case_word() -> None:
    assert sentences("The causes (perinatal brain injury, infection, etc.) are many. and so on.") == [
        "The causes (perinatal brain injury, infection, etc.) are many. and so on."]


def test_list_items_are_whole_units_without_their_marker() -> None:
    text = "Intro:\n\n  1. Thalamic lesions. More text.\n  • Brainstem lesions\n- Putamen\n10.03.2020 News item\n"
    units = segment(text)
    assert [(u.kind, u.text) for u in units] == [
        ("sentence", "Intro:"), ("item", "Thalamic lesions. More text."), ("item", "Brainstem lesions"),
        ("item", "Putamen"), ("sentence", "10.03.2020 News item")]


def test_lines_are_never_joined_and_blank_lines_are_skipped() -> None:
    units = segment("Read essential facts about\n  dystonia for patients.\n\n\nNext.")
    assert [(u.position, u.line, u.text) for u in units] == [
        (1, 1, "Read essential facts about"), (2, 2, "dystonia for patients."), (3, 5, "Next.")]


def test_footnote_markers() -> None:
    markers = {u.text: u.marker for u in segment(
        "May result in dystonia1.  Well-established culprits 1.\n"
        "Mutations in TOR1A and THAP1 2.\n"
        "Of the cerebellar hemispheres3.\n"
        "Find conferences scheduled in 2019\n"
        "Volume 28, Issue 7, pages 863-873, 15 June 2013\n"
        "Eur J Neurol 2010;17(Suppl. 1):52–7.\n"
        "Mutations in genes like DYT1/TOR1A.\n")}
    assert markers == {
        "May result in dystonia1.": "1", "Well-established culprits 1.": "1",
        "Mutations in TOR1A and THAP1 2.": "2", "Of the cerebellar hemispheres3.": "3",
        "Find conferences scheduled in 2019": None, "Volume 28, Issue 7, pages 863-873, 15 June 2013": None,
        "Eur J Neurol 2010;17(Suppl. 1):52–7.": None, "Mutations in genes like DYT1/TOR1A.": None}


def test_digest_is_of_the_whitespace_normalised_text() -> None:
    (unit,) = segment("  Thalamic   lesions\tgive dystonia.  ")
    assert unit.text == "Thalamic lesions give dystonia."
    assert unit.sha256 == hashlib.sha256(b"Thalamic lesions give dystonia.").hexdigest()
    assert digest("Thalamic lesions\n give dystonia.") == unit.sha256


def test_opening_words() -> None:
    (short, long) = segment("Basal Ganglia\nThe lentiform nucleus (putamen and globus pallidus) are the sites.")
    assert short.opening == "Basal Ganglia"
    assert long.opening == "The lentiform nucleus (putamen and …"


def test_segmentation_is_deterministic() -> None:
    text = "A. B c. D? E!\n  • F. G.\n"
    assert segment(text) == segment(text)
