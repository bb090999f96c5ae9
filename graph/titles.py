"""A statement's title: what it says, in one line a person reads, made from the labels of its parts.

``dkg:S0010`` (lesion site UBERON:0001897, phenotype dkg:HandDystonia, likelihood dkg:MoreLikely) is titled
"dorsal plus ventral thalamus → hand dystonia (more likely)". One function makes every title
(:func:`statement_title`): the statement page's ``<title>`` and heading, the lists of what points at an entity
(``graph/incoming.py``) and the search index's texts for statements (``graph/catalog.py``). Its parts come
from query rows (:func:`parts_from_rows`, with :func:`parts_pattern` in the query) or from a description
(:func:`parts_from_graph`), each value named by its least label (its CURIE when it has none), so that every
place gives a statement the same title.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from rdflib import RDFS, Graph, Literal, URIRef

from .vocab import DKG, compact

# What a title names, in order (of each group, the first property the statement has). A statement that names a
# cause (a lesion site, an etiology, a treatment, the disease of an HPO annotation, a mechanism's process or brain
# region) reads "cause → what it is about"; one about an aspect of a dystonia type (a sign, a body part, a
# diagnostic method, an outcome, a classification category, an associated manifestation, an onset) reads "what
# it is about: aspect"; the source's qualifying words (likelihood, side, direction, severity, frequency) follow
# in brackets, every one of them.
CAUSES = (DKG.lesionSite, DKG.etiology, DKG.treatment, DKG.disease, DKG.process, DKG.brainRegion)
SUBJECTS = (DKG.phenotype, DKG.dimension)
ASPECTS = (DKG.clinicalSign, DKG.bodyPart, DKG.diagnosticMethod, DKG.outcome, DKG.category,
           DKG.associatedManifestation, DKG.onset)
QUALIFIERS = (DKG.likelihood, DKG.onsetLikelihood, DKG.outcomeLikelihood, DKG.laterality, DKG.associationDirection,
              DKG.severity, DKG.frequency)
TITLE_PARTS = (*CAUSES, *SUBJECTS, *ASPECTS, *QUALIFIERS)

Parts = Mapping[str, Iterable[str]]  # property IRI → the labels of its values


def statement_title(parts: Parts, fallback: str) -> str:
    """The title of a statement whose parts are ``parts``; ``fallback`` (its CURIE) when it names none of them."""

    def named(properties: tuple[URIRef, ...]) -> str:
        for prop in properties:
            labels = sorted(set(parts.get(str(prop), ())), key=lambda label: (label.lower(), label))
            if labels:
                return ", ".join(labels)
        return ""

    cause, subject, aspect = named(CAUSES), named(SUBJECTS), named(ASPECTS)
    qualifiers = [named((prop,)) for prop in QUALIFIERS]
    title = " → ".join(part for part in (cause, subject) if part)
    title = ": ".join(part for part in (title, aspect) if part)
    words = ", ".join(q for q in qualifiers if q)
    if words:
        title = f"{title} ({words})" if title else words
    return title or fallback


def value_label(value: str, labels: Iterable[str]) -> str:
    """What a title calls a value: its least label, else its CURIE (or the literal's text)."""
    return min(labels, default=compact(value))


def parts_pattern(statement: str = "statement") -> str:
    """A SPARQL pattern binding the title parts of ``?statement``: ``?part``, ``?value`` and, where it has one,
    ``?valueLabel`` (one row per label); read by :func:`parts_from_rows`."""
    values = " ".join(f"<{prop}>" for prop in TITLE_PARTS)
    return (f"OPTIONAL {{ VALUES ?part {{ {values} }} ?{statement} ?part ?value "
            "OPTIONAL { ?value <http://www.w3.org/2000/01/rdf-schema#label> ?valueLabel } }")


def parts_from_rows(rows: Iterable[Mapping[str, str]], statement: str = "statement") -> dict[str, dict[str, list[str]]]:
    """Statement IRI → its title parts, from rows of a query with :func:`parts_pattern` (rows without a part
    are skipped)."""
    labels: dict[str, dict[str, dict[str, list[str]]]] = defaultdict(lambda: defaultdict(dict))
    for row in rows:
        if statement in row and "part" in row and "value" in row:
            found = labels[row[statement]][row["part"]].setdefault(row["value"], [])
            if "valueLabel" in row:
                found.append(row["valueLabel"])
    return {s: {p: [value_label(v, ls) for v, ls in values.items()] for p, values in props.items()}
            for s, props in labels.items()}


def parts_from_graph(graph: Graph, statement: URIRef) -> dict[str, list[str]]:
    """The title parts of ``statement`` in a description (which carries the labels of what it mentions)."""
    parts: dict[str, list[str]] = {}
    for prop in TITLE_PARTS:
        values = list(graph.objects(statement, prop))
        if values:
            parts[str(prop)] = [str(v) if isinstance(v, Literal) else
                                value_label(str(v), (str(label) for label in graph.objects(v, RDFS.label)))
                                for v in values]
    return parts
