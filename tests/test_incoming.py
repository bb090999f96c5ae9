"""What points at an entity, statement titles, external parents and named graphs on the pages, against the live
server; every expectation is derived from the release by SPARQL (``release_store``)."""

from __future__ import annotations

from urllib.parse import urlencode

import lxml.html
import pytest
import requests
from rdflib import RDF

from graph.incoming import PAGE_SIZE
from graph.query import solution_rows
from graph.titles import statement_title
from graph.vocab import DKG, GRAPH, ONTOLOGY_GRAPH, compact, expand, sparql_prefixes

OBO = "http://purl.obolibrary.org/obo/"
PUTAMEN = OBO + "UBERON_0001874"
DYSTONIA = OBO + "HP_0001332"  # the phenotype of hundreds of statements and annotations: more than a page


def describe_html(uri: str, **more: object) -> str:
    return "/describe?" + urlencode({"uri": uri, "format": "html", **more})


def get(server, path: str) -> lxml.html.HtmlElement:  # type: ignore[no-untyped-def]
    response = requests.get(server.url + path, timeout=60)
    assert response.status_code == 200, (path, response.text[:300])
    return lxml.html.fromstring(response.text)


def rows(store, query: str) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    return solution_rows(store.query(sparql_prefixes() + query))


def iri_of(href: str) -> str:
    """The IRI a page link is about (``/page/X`` or ``/describe?uri=``)."""
    from urllib.parse import parse_qs, urlsplit

    parts = urlsplit(href)
    return str(DKG[parts.path.removeprefix("/page/")]) if parts.path.startswith("/page/") \
        else parse_qs(parts.query)["uri"][0]


def marks(element: lxml.html.HtmlElement) -> set[str]:
    """The named graphs marked right after ``element`` (the small tags that follow it)."""
    found = set()
    mark = element.getnext()
    while mark is not None and mark.tag == "small" and "graph" in mark.get("class", ""):
        found.add(mark.get("title").removeprefix("named graph "))
        mark = mark.getnext()
    return found


def listed(doc: lxml.html.HtmlElement) -> dict[str, dict[str, tuple[str, set[str]]]]:
    """The incoming section: role IRI → statement IRI → (its title, the graphs marked on its link)."""
    roles: dict[str, dict[str, tuple[str, set[str]]]] = {}
    for section in doc.xpath("//section[@class='role']"):
        links = section.xpath("./ul/li/a")
        roles[section.get("data-role")] = {iri_of(a.get("href")): (a.text_content(), marks(a.getnext()))
                                           for a in links}
    return roles


def pointing(store, iri: str) -> dict[str, set[str]]:  # type: ignore[no-untyped-def]
    """Role → the statements naming ``iri`` by it, with the graphs of each link, from the release."""
    found: dict[str, set[str]] = {}
    statement = "{ ?statement dkg:quote ?quote } UNION { ?statement a dkg:DiseasePhenotypeAnnotation }"
    for row in rows(store, f"SELECT DISTINCT ?role ?statement WHERE {{ ?statement ?role <{iri}> {statement} }}"):
        found.setdefault(row["role"], set()).add(row["statement"])
    return found


def label_of(store, iri: str) -> str:  # type: ignore[no-untyped-def]
    found = rows(store, f"SELECT ?label WHERE {{ <{iri}> rdfs:label ?label }}")
    return min((r["label"] for r in found), default=compact(iri))


@pytest.mark.parametrize("entity", [PUTAMEN, str(DKG.HandDystonia), str(DKG.S0458)],
                         ids=["external-putamen", "local-class", "local-statement"])
def test_an_entity_page_lists_what_points_at_it_by_role(live_server, release_store, entity: str) -> None:  # type: ignore[no-untyped-def]
    """Every statement naming the entity, under the property it names it by (labelled as the ontology labels it),
    each titled as its own page is and marked with the graph of its link."""
    path = describe_html(entity) if not entity.startswith(str(DKG)) else f"/page/{entity[len(str(DKG)):]}"
    doc = get(live_server, path)
    expected = pointing(release_store, entity)
    assert expected, f"the release has statements pointing at {entity}"
    shown = listed(doc)
    assert {role: set(statements) for role, statements in shown.items()} == expected
    headings = {s.get("data-role"): s.xpath("./h3")[0].text_content() for s in doc.xpath("//section[@class='role']")}
    for role, statements in expected.items():
        assert headings[role] == f"As {label_of(release_store, role)} ({len(statements)})"
        for statement, (title, graphs) in shown[role].items():
            link = rows(release_store, f"SELECT ?g WHERE {{ GRAPH ?g {{ <{statement}> <{role}> <{entity}> }} }}")
            assert graphs == {r["g"] for r in link}
            assert title, statement
    total = sum(len(s) for s in expected.values())
    assert doc.get_element_by_id("incoming").text_content().endswith(f"({total})")
    assert not doc.xpath("//nav[@class='pages']"), "one page"


def test_putamen_lists_the_statements_whose_lesion_site_it_is(live_server, release_store) -> None:  # type: ignore[no-untyped-def]
    """The issue's case: each statement whose lesion site is the putamen, titled by its content; the title is its
    page's <title> and heading, which shows its quote first with its source."""
    sites = {r["s"] for r in rows(release_store, f"SELECT ?s WHERE {{ ?s dkg:lesionSite <{PUTAMEN}> ; dkg:quote ?q }}")}
    shown = listed(get(live_server, describe_html(PUTAMEN)))[str(DKG.lesionSite)]
    assert set(shown) == sites and sites
    statement = sorted(sites)[0]
    title = shown[statement][0]
    assert title.startswith(f"{label_of(release_store, PUTAMEN)} → ")
    page = get(live_server, f"/page/{statement[len(str(DKG)):]}")
    assert page.xpath("//title")[0].text_content() == f"{title} — dystonia-kg"
    assert page.xpath("//h1")[0].text_content() == title
    first = page.xpath("//h1")[0].getnext()
    assert first.tag == "figure", "the quote comes first"
    quote = rows(release_store, f"SELECT ?q ?source WHERE {{ <{statement}> dkg:quote ?q ; "
                                "prov:wasDerivedFrom ?source }")
    assert first.xpath("./blockquote")[0].text_content().startswith(f"“{quote[0]['q']}”")
    sources = {iri_of(a.get("href")) for a in first.xpath("./figcaption/a")}
    assert quote[0]["source"] in sources


def test_a_statement_title_is_made_of_its_labelled_parts(live_server, release_store) -> None:  # type: ignore[no-untyped-def]
    """S0010's parts, read from the release with their labels, make the title its page and the search show."""
    parts = rows(release_store, "SELECT ?p ?label WHERE { dkg:S0010 ?p ?o . ?o rdfs:label ?label "
                                "VALUES ?p { dkg:lesionSite dkg:phenotype dkg:likelihood } }")
    by = {r["p"]: r["label"] for r in parts}
    title = f"{by[str(DKG.lesionSite)]} → {by[str(DKG.phenotype)]} ({by[str(DKG.likelihood)]})"
    assert title == statement_title({p: [label] for p, label in by.items()}, "dkg:S0010")
    assert get(live_server, "/page/S0010").xpath("//h1")[0].text_content() == title
    hits = requests.get(live_server.url + "/api/search", params={"q": title}, timeout=30).json()["results"]
    assert hits[0]["iri"] == str(DKG.S0010) and hits[0]["label"] == title


def test_more_than_a_page_of_incoming_links_is_paged(live_server, release_store) -> None:  # type: ignore[no-untyped-def]
    """Dystonia is the phenotype of more statements than a page holds: the pages list each (role, statement) pair
    once, a page at a time, linked by rel=next/prev; past the last is 404, a malformed page 400."""
    expected = {(role, s) for role, statements in pointing(release_store, DYSTONIA).items() for s in statements}
    pages = -(-len(expected) // PAGE_SIZE)
    assert pages > 1, "the release has more statements pointing at Dystonia than a page holds"
    seen: list[tuple[str, str]] = []
    for number in range(1, pages + 1):
        doc = get(live_server, describe_html(DYSTONIA, page=number))
        here = [(role, s) for role, statements in listed(doc).items() for s in statements]
        assert 0 < len(here) <= PAGE_SIZE
        seen += here
        nav = doc.xpath("//nav[@class='pages']")[0]
        assert f"Page {number} of {pages}" in nav.text_content()
        following = doc.xpath("//head/link[@rel='next']")
        assert bool(following) == (number < pages)
        if following:
            assert following[0].get("href") == describe_html(DYSTONIA, page=number + 1) + "#incoming"
    assert len(seen) == len(set(seen)) and set(seen) == expected
    beyond = requests.get(live_server.url + describe_html(DYSTONIA, page=pages + 1), timeout=30)
    assert beyond.status_code == 404 and f"{pages} page(s)" in beyond.text
    for bad in ("0", "x", "-1", "1.5", "٣"):
        answer = requests.get(live_server.url + describe_html(DYSTONIA, page=bad), timeout=30)
        assert answer.status_code == 400 and "page must be" in answer.text, bad
        # Whatever the format (found by the independent attempt: the RDF formats ignored a malformed page).
        for fmt in ("ttl", "nt", "jsonld"):
            rdf = requests.get(live_server.url + "/describe", params={"uri": DYSTONIA, "format": fmt, "page": bad},
                               timeout=30)
            assert rdf.status_code == 400 and "page must be" in rdf.text, (bad, fmt)


def test_the_ontology_page_shows_every_parent_with_its_label(live_server, release_store) -> None:  # type: ignore[no-untyped-def]
    """Each class's parents, external (HPO...) or local, labelled and linked: AcquiredDystonia under HP:0001332."""
    doc = get(live_server, "/ontology.html")
    expected: dict[str, set[tuple[str, str]]] = {}
    classes = (f"SELECT ?term ?parent WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?term a owl:Class ; rdfs:subClassOf ?parent "
               f"FILTER(isIRI(?parent) && STRSTARTS(STR(?term), '{DKG}')) }} }}")
    for r in rows(release_store, classes):
        expected.setdefault(compact(r["term"]), set()).add((r["parent"], label_of(release_store, r["parent"])))
    shown: dict[str, set[tuple[str, str]]] = {}
    for row in doc.xpath("//h2[@id='Classes']/following-sibling::table[1]/tbody/tr"):
        parents = {(iri_of(a.get("href")), a.text_content()) for a in row.xpath("./td[4]/a[@class='parent']")}
        if parents:
            shown[row.get("id")] = parents
    assert shown == expected
    assert (DYSTONIA, label_of(release_store, DYSTONIA)) in shown["dkg:AcquiredDystonia"]


def test_graph_marks_agree_with_the_store(live_server, release_store) -> None:  # type: ignore[no-untyped-def]
    """On the putamen's page, each qualifier and type of each statement is marked with the graphs its triple is in;
    a statement with an inferred type shows it (curated and inferred on one page)."""
    doc = get(live_server, describe_html(PUTAMEN))
    quads = rows(release_store, f"SELECT ?s ?p ?o ?g WHERE {{ ?s dkg:lesionSite <{PUTAMEN}> ; dkg:quote ?q "
                                "GRAPH ?g { ?s ?p ?o } FILTER(isIRI(?o)) }")
    expected: dict[tuple[str, str, str], set[str]] = {}
    for q in quads:
        expected.setdefault((q["s"], q["p"], q["o"]), set()).add(q["g"])
    heading = doc.get_element_by_id("statements")
    table = heading.getnext()
    while table.tag != "table":
        table = table.getnext()
    seen: dict[tuple[str, str, str], set[str]] = {}
    for row in table.xpath("./tbody/tr"):
        statement = iri_of(row.xpath("./td[1]/a")[0].get("href"))
        for strong in row.xpath("./td[@class='qualifiers']/strong"):
            prop = str(expand(strong.text_content()))
            link = strong.getnext()
            while link is not None and link.tag in ("a", "small"):
                if link.tag == "a":
                    seen[statement, prop, iri_of(link.get("href"))] = marks(link)
                link = link.getnext()
        for r in rows(release_store, f"SELECT ?t ?g WHERE {{ GRAPH ?g {{ <{statement}> a ?t }} }}"):
            expected.setdefault((statement, str(RDF.type), label_of(release_store, r["t"])), set()).add(r["g"])
        for span in row.xpath("./td[1]/span/span[@class='type']"):
            seen[statement, str(RDF.type), span.text_content()] = marks(span)
    assert seen == {k: v for k, v in expected.items() if k in seen}
    statements = {s for s, _, _ in expected}
    assert {(s, p) for s, p, _ in seen} >= {(s, str(p)) for s in statements
                                           for p in (DKG.lesionSite, DKG.phenotype, DKG.likelihood, RDF.type)}
    assert str(GRAPH.inferred) in {g for gs in seen.values() for g in gs}, \
        "a statement about the putamen has an inferred type (contralateral), and shows it"
