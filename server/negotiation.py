"""HTTP content negotiation (RFC 9110 §12.5.1): one function behind every endpoint.

Werkzeug's ``best_match`` returns nothing for a missing header and for media ranges with
parameters, so the Accept header is parsed here: q-values, wildcards, parameters tolerated
(``charset``, JSON-LD ``profile``), the most specific matching range decides an offer's q, and
ties go to the earliest offer (callers list RDF first).
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.formats import Offer

MAX_ACCEPT_LENGTH = 4096
MAX_RANGES = 64


@dataclass(frozen=True)
class MediaRange:
    """One element of an Accept header."""

    type: str
    subtype: str
    q: float

    def matches(self, media_type: str) -> int:
        """Specificity of the match (3 exact, 2 type/*, 1 */*), 0 when it does not match."""
        main, _, sub = media_type.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 1
        if self.type == main and self.subtype == "*":
            return 2
        if self.type == main and self.subtype == sub:
            return 3
        return 0


def parse_accept(header: str | None) -> list[MediaRange]:
    """Parse an Accept header; malformed elements are skipped, a missing header means ``*/*``."""
    if header is None or not header.strip():
        return [MediaRange("*", "*", 1.0)]
    ranges: list[MediaRange] = []
    for element in header[:MAX_ACCEPT_LENGTH].split(",")[:MAX_RANGES]:
        media, *params = (part.strip() for part in element.split(";"))
        main, slash, sub = media.lower().partition("/")
        if not slash or not main or not sub or (main == "*" and sub != "*"):
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = -1.0
        if 0.0 <= q <= 1.0:
            ranges.append(MediaRange(main, sub, q))
    return ranges


def quality(ranges: list[MediaRange], media_type: str) -> float:
    """The q-value the client gives ``media_type``: that of the most specific matching range."""
    best_specificity, best_q = 0, 0.0
    for media_range in ranges:
        specificity = media_range.matches(media_type)
        more_specific = specificity > best_specificity
        if more_specific or (specificity and specificity == best_specificity and media_range.q > best_q):
            best_specificity, best_q = specificity, media_range.q
    return best_q if best_specificity else 0.0


def content_negotiation(accept: str | None, offered: list[str]) -> str | None:
    """The offered media type the client prefers, or ``None`` when none is acceptable (406)."""
    ranges = parse_accept(accept)
    best, best_q = None, 0.0
    for media_type in offered:
        q = quality(ranges, media_type)
        if q > best_q:
            best, best_q = media_type, q
    return best


def negotiate(accept: str | None, offer: Offer) -> str | None:
    """The key of the format of ``offer`` the client prefers (aliases count), or ``None`` (406)."""
    chosen = content_negotiation(accept, offer.media_types)
    return None if chosen is None else offer.key_for_media(chosen)
