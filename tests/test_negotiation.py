"""content_negotiation(): q-values, wildcards, parameters, ties, malformed headers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.negotiation import content_negotiation, parse_accept

RDF_FIRST = ["text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples", "text/html"]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "text/turtle"),
        ("", "text/turtle"),
        ("*/*", "text/turtle"),
        ("text/html", "text/html"),
        ("text/turtle;q=0.5, text/html;q=0.9", "text/html"),
        ("text/html;q=0.5, text/turtle;q=0.5", "text/turtle"),  # a tie prefers the earlier (RDF) offer
        ("text/turtle;q=0, */*", "application/ld+json"),
        ("text/turtle;charset=utf-8", "text/turtle"),
        ('application/ld+json;profile="http://www.w3.org/ns/json-ld#expanded"', "application/ld+json"),
        ("text/*;q=0.8, application/rdf+xml", "application/rdf+xml"),
        ("application/xml", None),
        ("image/png", None),
        ("garbage, text/html", "text/html"),
        ("text/html;q=abc", None),
        ("text/html;q=2", None),
    ],
)
def test_table(accept: str | None, expected: str | None) -> None:
    assert content_negotiation(accept, RDF_FIRST) == expected


def test_browser_accept_prefers_html() -> None:
    chrome = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
    assert content_negotiation(chrome, RDF_FIRST) == "text/html"


def test_most_specific_range_decides() -> None:
    assert content_negotiation("text/*;q=0.9, text/turtle;q=0.1", ["text/turtle", "text/html"]) == "text/html"


@given(st.text(max_size=300))
def test_any_header_gives_an_offer_or_none(header: str) -> None:
    assert content_negotiation(header, RDF_FIRST) in [*RDF_FIRST, None]
    assert len(parse_accept(header)) <= 64
