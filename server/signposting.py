"""Signposting (https://signposting.org/FAIR/): typed links in the HTTP ``Link`` header that tell a machine,
without reading the body, what a page or a document is about and how to cite it (``cite-as``: the canonical
IRI), where its descriptions are (``describedby``, each with its media type), what it is (``type``), under which
licence (``license``), and what it belongs to (``collection``) or holds (``item``).

- the home page, the dataset's landing page: ``cite-as`` the base IRI, ``describedby`` the VoID description
  (the pointer to the VoID, beside ``/.well-known/void``), ``item`` the dumps, ``type`` schema.org's AboutPage and
  Dataset, ``license``;
- an entity's page: ``cite-as`` its IRI, ``describedby`` its RDF documents, ``type`` AboutPage and the entity's
  rdf:type, ``license`` (for the graph's own IRIs: an external term's page describes a term of another authority,
  under its licence), ``collection`` the landing page;
- an entity's RDF document: ``cite-as`` its IRI, ``describes`` its page, ``type``, ``license``, ``collection``.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response
from werkzeug.urls import iri_to_uri

from graph import formats
from graph.formats import VOID
from graph.vocab import BASE

from .host import public_root
from .pool import current_release

ABOUT_PAGE = "https://schema.org/AboutPage"
DATASET = "https://schema.org/Dataset"


def as_uri(iri: str) -> str:
    """An IRI as the URI a header can carry (RFC 3987 §3.1); an ASCII one is already that."""
    return iri if iri.isascii() else iri_to_uri(iri)


@dataclass(frozen=True)
class Link:
    """One typed link of a ``Link`` header (RFC 8288)."""

    target: str
    rel: str
    type: str | None = None

    def __str__(self) -> str:
        media = f'; type="{self.type}"' if self.type else ""
        return f'<{as_uri(self.target)}>; rel="{self.rel}"{media}'


def add(response: Response, links: list[Link]) -> None:
    """Add ``links`` to the response's ``Link`` header, after the links it has (in one header field)."""
    if links:
        response.headers["Link"] = ", ".join([*response.headers.getlist("Link"), *(str(link) for link in links)])


def _collection() -> Link:
    return Link(public_root() + "/", "collection")


def licence() -> list[Link]:
    """The ``license`` link of the release in service: its manifest's licence (none for a release that records
    none)."""
    release = current_release()
    iri = release.dataset.get("licence") if release is not None else None
    return [Link(iri, "license")] if iri else []


def _types(rdf_type: str) -> list[Link]:
    return [Link(rdf_type, "type")] if rdf_type else []


def landing(dumps: list[str]) -> list[Link]:
    """The home page's links: the dataset's citation, its VoID description, its ``dumps`` (their format keys), its
    licence."""
    root = public_root()
    links = [Link(BASE, "cite-as"), Link(ABOUT_PAGE, "type"), Link(DATASET, "type"), *licence()]
    links += [Link(f"{root}/void?format={key}", "describedby", formats.media_type(key)) for key in VOID.keys]
    links += [Link(f"{root}/dumps/dystonia-kg.{key}", "item", formats.media_type(key)) for key in dumps]
    return links


def entity_page(iri: str, documents: dict[str, str], rdf_type: str, local: bool) -> list[Link]:
    """An entity page's links; ``documents``: media type → URL of each RDF document about ``iri``."""
    links = [Link(iri, "cite-as"), Link(ABOUT_PAGE, "type"), *_types(rdf_type)]
    links += [Link(url, "describedby", media) for media, url in documents.items()]
    return links + (licence() if local else []) + [_collection()]


def entity_document(iri: str, page: str, rdf_type: str, local: bool) -> list[Link]:
    """An entity's RDF document's links; ``page``: the URL of the entity's page."""
    links = [Link(iri, "cite-as"), Link(page, "describes", formats.HTML), *_types(rdf_type)]
    return links + (licence() if local else []) + [_collection()]

