"""Where a module term sits and what is said about its parts: the context query (``graph/describe.py``), the
pages of external terms (ancestors in a <details>, statements marked direct or via a part or subclass), and the
home page's view by brain region (``graph/regions.py``, ``server/lesion_map.py``)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

import lxml.html
import pyoxigraph as ox
import pytest
from rdflib import RDFS, Graph, Literal, URIRef

from graph.describe import context_query, context_template, template_quads
from graph.query import solution_rows
from graph.regions import BRAIN_REGIONS, site_regions_query
from graph.vocab import DKG, UBERON_GRAPH
from server.lesion_map import region_groups

OBO = "http://purl.obolibrary.org/obo/"
THALAMUS = OBO + "UBERON_0001897"  # "dorsal plus ventral thalamus"
DORSAL_THALAMUS = OBO + "UBERON_0004703"
DIENCEPHALON = OBO + "UBERON_0001894"
BRAIN = OBO + "UBERON_0000955"
BASAL_GANGLIA = OBO + "UBERON_0010011"
PUTAMEN = OBO + "UBERON_0001874"
RED_NUCLEUS = OBO + "UBERON_0001947"
# Lesion statements on parts of the thalamus (the README's roll-up): dorsal thalamus, subthalamic nucleus, posterior
# nuclear complex, midline nuclear group, ventral thalamus; and the six on the thalamus itself.
VIA_PARTS = {"S0018", "S0019", "S0021", "S0026", "S0027", "S0028", "S0029"}
DIRECT = {"S0007", "S0010", "S0030", "S0031", "S0032", "S0033"}


def describe_html(uri: str) -> str:
    return "/describe?" + urlencode({"uri": uri, "format": "html"})


def context(store, iri: str) -> Graph:  # type: ignore[no-untyped-def]
    triples = {quad.triple for quad in template_quads(store.query(context_query(iri)), context_template(iri))}
    return Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")


def local(iri: object) -> str:
    return str(iri).rsplit("/", 1)[-1]


# ---------------------------------------------------------------- the context query (graph/)

def test_the_context_of_the_thalamus(release_store) -> None:  # type: ignore[no-untyped-def]
    graph = context(release_store, THALAMUS)
    thalamus = URIRef(THALAMUS)
    ancestors = set(graph.objects(thalamus, DKG.isaPartofAncestor))
    assert {URIRef(BRAIN), URIRef(DIENCEPHALON)} <= ancestors and thalamus not in ancestors
    assert graph.value(URIRef(BRAIN), RDFS.label) == Literal("brain", lang="en")
    assert set(graph.objects(thalamus, DKG.isaPartofParent)) <= ancestors
    assert any(graph.objects(URIRef(DIENCEPHALON), DKG.isaPartofParent)), "each ancestor comes with its parents"
    statements = {local(s) for s in graph.subjects(DKG.quote, None)}
    assert statements >= VIA_PARTS
    assert not statements & {"S0016", "S0010"}, "the putamen is no part of the thalamus; S0010 names it itself"
    assert (URIRef(DORSAL_THALAMUS), DKG.isaPartofAncestor, thalamus) in graph, "the via link comes along"
    assert graph.value(URIRef(DORSAL_THALAMUS), RDFS.label) == Literal("dorsal thalamus", lang="en")


def test_an_iri_outside_the_modules_has_no_context(release_store) -> None:  # type: ignore[no-untyped-def]
    assert len(context(release_store, OBO + "HP_0000643")) == 0
    assert len(context(release_store, str(DKG.HandDystonia))) == 0


def test_every_region_is_in_the_uberon_module(release_store) -> None:  # type: ignore[no-untyped-def]
    for region in BRAIN_REGIONS:
        query = f"SELECT ?label WHERE {{ GRAPH <{UBERON_GRAPH}> {{ <{region.iri}> <{RDFS.label}> ?label }} }}"
        assert solution_rows(release_store.query(query)), f"{region.curie} ({region.name}) is not in the release"


def test_each_lesion_site_is_placed_in_its_region(release_store) -> None:  # type: ignore[no-untyped-def]
    rows = solution_rows(release_store.query(site_regions_query()))
    placed: dict[str, set[str]] = {}
    for r in rows:
        placed.setdefault(r["site"], set()).update([r["region"]] if "region" in r else [])
    assert placed[PUTAMEN] == {BASAL_GANGLIA}
    assert placed[THALAMUS] == {THALAMUS}, "a region is within itself"
    assert placed[DORSAL_THALAMUS] == {THALAMUS}
    assert placed[RED_NUCLEUS] == {OBO + "UBERON_0002298"}, "the red nucleus is in the midbrain, in the brainstem"
    assert placed[OBO + "UBERON_0016530"] == {OBO + "UBERON_0000956"}, "the parietal cortex in the cerebral cortex"
    assert all(placed.values()), "every lesion site of the release is within one of the regions"


def test_region_groups_keep_a_site_in_each_of_its_regions_and_the_rest_apart() -> None:
    def edge(statement: str, site: str) -> dict[str, str]:
        return {"statement": f"{DKG}{statement}", "site": site, "siteLabel": site.rsplit("_", 1)[-1],
                "type": "t", "typeLabel": "T"}

    rows = [edge("S1", THALAMUS), edge("S2", OBO + "UBERON_1"), edge("S3", OBO + "UBERON_2"), edge("S4", PUTAMEN)]
    placed = [{"site": THALAMUS, "region": THALAMUS, "regionLabel": "dorsal plus ventral thalamus"},
              {"site": OBO + "UBERON_1", "region": THALAMUS}, {"site": OBO + "UBERON_1", "region": BASAL_GANGLIA},
              {"site": OBO + "UBERON_2"}, {"site": PUTAMEN, "region": BASAL_GANGLIA}]
    groups = region_groups(rows, placed)
    assert [g.name for g in groups] == ["basal ganglia", "thalamus", "elsewhere"], "regions without sites left out"
    by_name = {g.name: g for g in groups}
    assert {local(s) for s in by_name["thalamus"].statements} == {"S1", "S2"}
    assert {local(s) for s in by_name["basal ganglia"].statements} == {"S2", "S4"}
    assert {local(s) for s in by_name["elsewhere"].statements} == {"S3"} and by_name["elsewhere"].href == ""
    assert by_name["thalamus"].label == "dorsal plus ventral thalamus"
    assert by_name["thalamus"].href == describe_html(THALAMUS) + "#statements"


# ---------------------------------------------------------------- the pages (server/)

@pytest.fixture(scope="module")
def client(release_dir: Path):  # type: ignore[no-untyped-def]
    from server import create_app

    return create_app({"RELEASE_DIR": str(release_dir), "WORKERS": 1}).test_client()


def page(client, path: str) -> lxml.html.HtmlElement:  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return lxml.html.fromstring(response.get_data(as_text=True))


def statement_rows(doc: lxml.html.HtmlElement) -> dict[str, lxml.html.HtmlElement]:
    """The statements table's rows by statement ID."""
    heading = doc.get_element_by_id("statements")
    table = heading.getnext()
    while table.tag != "table":
        table = table.getnext()
    return {row.xpath("./td[1]/a")[0].text_content(): row for row in table.xpath("./tbody/tr")}


def test_the_thalamus_page_shows_its_ancestors_in_a_details_element(client) -> None:  # type: ignore[no-untyped-def]
    doc = page(client, describe_html(THALAMUS))
    details = doc.xpath("//details[contains(@class, 'ancestors')]")
    assert len(details) == 1 and details[0].get("open") is None, "collapsed until opened"
    summary = details[0].xpath("./summary")[0].text_content()
    assert "ancestors in UBERON" in summary
    items = details[0].xpath(".//ol/li")
    labels = [li.xpath("./a")[0].text_content() for li in items]
    assert {"brain", "diencephalon"} <= set(labels)
    assert labels.index("diencephalon") < labels.index("brain"), "nearest first"
    assert labels.index("brain") < labels.index("anatomical entity")
    diencephalon = items[labels.index("diencephalon")]
    assert diencephalon.xpath("./a")[0].get("href") == describe_html(DIENCEPHALON)
    assert diencephalon.xpath("./a[position() > 1]"), "each ancestor names its own parents (the chains)"
    assert doc.xpath("//h2[@id='hierarchy']"), "the section has a heading"
    assert not any("is_a or part_of" in th.text_content() for th in doc.xpath("//th[@scope='row']")), \
        "the hierarchy is not repeated in the properties table"


def test_the_thalamus_page_lists_statements_about_it_and_its_parts(client) -> None:  # type: ignore[no-untyped-def]
    doc = page(client, describe_html(THALAMUS))
    rows = statement_rows(doc)
    ids = {label.removeprefix("dkg:") for label in rows}
    assert ids >= VIA_PARTS | DIRECT
    assert "S0016" not in ids, "the putamen is no part of the thalamus"
    about = {label.removeprefix("dkg:"): row.xpath("./td[@class='about']")[0] for label, row in rows.items()}
    assert about["S0010"].text_content().strip() == "direct (lesionSite)"
    assert about["S0018"].text_content().strip() == "via dorsal thalamus (lesionSite)"
    assert about["S0018"].xpath("./a")[0].get("href") == describe_html(DORSAL_THALAMUS)
    assert about["S0021"].text_content().strip() == "via subthalamic nucleus (lesionSite)"
    # the thalamus ranks among the sites (direct), and the statement's site is one of its parts (via)
    assert about["S0026"].text_content().strip() == \
        "direct (rankedAmong)via posterior nuclear complex of thalamus (lesionSite)"
    header = [th.text_content() for th in doc.xpath("//table[.//td[@class='about']]/thead/tr/th")]
    assert header[:2] == ["Statement", "About dorsal plus ventral thalamus"]
    quotes = rows["dkg:S0018"].xpath("./td/blockquote")
    assert quotes and quotes[0].text_content().strip("“”"), "a statement via a part is shown whole"


def test_the_data_documents_stay_the_description(client) -> None:  # type: ignore[no-untyped-def]
    """Only the page adds the context: the Turtle and the embedded JSON-LD are the term's description."""
    turtle = client.get("/describe?" + urlencode({"uri": THALAMUS, "format": "ttl"})).get_data(as_text=True)
    graph = Graph().parse(data=turtle, format="turtle")
    assert (URIRef(f"{DKG}S0010"), DKG.lesionSite, URIRef(THALAMUS)) in graph
    assert (URIRef(f"{DKG}S0018"), None, None) not in graph
    doc = page(client, describe_html(THALAMUS))
    embedded = json.loads(doc.xpath("//script[@type='application/ld+json']")[0].text)
    nodes = {node.get("id") for node in embedded["@graph"]}
    assert "dkg:S0010" in nodes and "dkg:S0018" not in nodes


def test_a_term_outside_the_modules_and_local_pages_are_as_before(client) -> None:  # type: ignore[no-untyped-def]
    for path in (describe_html(OBO + "HP_0000643"), "/page/HandDystonia", "/page/S0010"):
        doc = page(client, path)
        assert not doc.xpath("//details") and not doc.xpath("//h2[@id='hierarchy']"), path
        assert not doc.xpath("//td[@class='about']"), path
    rows = statement_rows(page(client, "/page/HandDystonia"))
    assert "dkg:S0010" in rows
    header = [th.text_content() for th in page(client, "/page/HandDystonia").xpath("//thead/tr/th")]
    assert "Qualifiers" in header and not any(h.startswith("About") for h in header)
    assert "Thalamic lesions are more likely" in client.get("/page/S0010").get_data(as_text=True)


def test_the_home_page_groups_the_lesion_sites_by_region(client) -> None:  # type: ignore[no-untyped-def]
    doc = page(client, "/")
    svg = doc.xpath("//svg[@id='region-map']")
    assert len(svg) == 1 and svg[0].get("role") == "img" and svg[0].get("aria-labelledby")
    assert len(doc.xpath("//svg[@role='img']")) == 2, "the picture by lesion site is still there"
    table = doc.xpath("//table[@class='regions']/tbody/tr")
    regions = {row.xpath("./th")[0].text_content().strip(): row for row in table}
    assert list(regions) == [r.name for r in BRAIN_REGIONS], "every region has lesion sites, rostral to caudal"
    thalamus = regions["thalamus"]
    link = thalamus.xpath(".//a[@class='region-statements']")[0]
    assert link.text_content() == f"{len(VIA_PARTS | DIRECT)} statements"
    assert link.get("href") == describe_html(THALAMUS) + "#statements"
    assert "putamen" in regions["basal ganglia"].text_content() and "putamen" not in thalamus.text_content()
    headings = [a.get("href") for a in svg[0].xpath(".//*[local-name()='a'][*[local-name()='text'][@class='region']]")]
    assert describe_html(THALAMUS) + "#statements" in headings, "the picture's region headings link too"
    # the link leads to the region's statements: those the group counts, and more about its parts
    listed = {label.removeprefix("dkg:") for label in statement_rows(page(client, link.get("href")))}
    assert listed >= VIA_PARTS | DIRECT
