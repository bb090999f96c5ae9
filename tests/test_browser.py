"""Pages in headless Chromium (Debian's, driven by Playwright): the YASGUI editor, home, entity and ontology pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from graph.query import named_queries
from graph.vocab import sparql_prefixes

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"
# Without the background-networking flags Chromium tries Google's hosts, which this machine refuses.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    assert Path(CHROMIUM).exists(), "Debian's chromium is required: `make test` installs it (make browser)"
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield instance
        instance.close()


def test_editor_runs_a_query_and_shows_rows(live_server, browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)

    page.goto(live_server.url + "/sparql", wait_until="networkidle")
    assert page.title() == "dystonia-kg SPARQL editor"
    # The examples are the SPARQL examples the endpoint publishes, as a client asking it finds them.
    examples = published_examples(live_server.url)
    assert len(examples) == len(named_queries())
    buttons = page.locator("#examples button")
    assert buttons.all_inner_texts() == [title for title, _ in examples]
    page.wait_for_selector(".CodeMirror")
    query = (sparql_prefixes("dkg") +
             "SELECT ?statement WHERE { ?statement a dkg:LesionPhenotypeStatement } ORDER BY ?statement LIMIT 7")
    page.evaluate("q => document.querySelector('.CodeMirror').CodeMirror.setValue(q)", query)
    page.click(".yasqe_queryButton")
    page.wait_for_selector(".yasr table tbody tr", timeout=15000)
    rows = page.locator(".yasr table tbody tr")
    assert rows.count() == 7
    assert "S0001" in rows.first.inner_text()

    last = len(examples) - 1
    buttons.nth(last).click()
    shown = page.evaluate("() => document.querySelector('.CodeMirror').CodeMirror.getValue()")
    assert shown == examples[last][1], "the editor shows the example's text"

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "sparql-editor.png"), full_page=True)
    assert problems == []
    page.close()


def published_examples(url: str) -> list[tuple[str, str]]:
    """(title, text) of each sh:SPARQLExecutable the endpoint holds, in the order of their IRIs."""
    import requests

    query = ("PREFIX sh: <http://www.w3.org/ns/shacl#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
             "SELECT ?title ?text WHERE { ?e a sh:SPARQLExecutable ; rdfs:label ?title ; sh:select|sh:ask|sh:construct "
             "?text } ORDER BY ?e")
    answer = requests.post(url + "/sparql", data={"query": query}, headers={"Accept": "application/json"}, timeout=30)
    return [(b["title"]["value"], b["text"]["value"]) for b in answer.json()["results"]["bindings"]]


def test_swagger_ui_lists_every_operation_and_tries_one_out(live_server, browser) -> None:  # type: ignore[no-untyped-def]
    """The API page, reached from the site's header: Swagger UI (served from our own files) shows every operation of
    the OpenAPI document, and runs the search with the example the document gives."""
    import requests

    document = requests.get(live_server.url + "/openapi.json", timeout=30).json()
    operations = [(path, method) for path, item in document["paths"].items() for method in item
                  if method in ("get", "post")]
    page = browser.new_page()
    problems = _watch(page)
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    page.on("request", lambda r: None if r.url.startswith((live_server.url, "data:")) else problems.append(
        f"outside request: {r.url}"))
    page.goto(live_server.url + "/", wait_until="networkidle")
    page.click("header.site a[href='/api/']")
    page.wait_for_selector(".opblock")
    assert page.locator(".opblock").count() == len(operations)
    search = page.locator("#operations-Search-search")
    search.locator(".opblock-summary").click()
    search.locator("button.try-out__btn").click()
    search.locator("button.execute").click()
    status = search.locator(".live-responses-table .response .response-col_status").first
    status.wait_for(timeout=15000)
    assert status.inner_text().strip() == "200"
    ARTIFACTS.mkdir(exist_ok=True)
    search.screenshot(path=str(ARTIFACTS / "swagger-ui.png"))  # the search, run with the document's example
    assert problems == []
    page.close()


def _watch(page) -> list[str]:  # type: ignore[no-untyped-def]
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    return problems


@pytest.mark.parametrize(
    ("path", "name", "heading"),
    [("/", "home", "dystonia-kg"), ("/id/HandDystonia", "entity-hand-dystonia", "hand dystonia"),
     ("/id/S0236", "statement-coffee", "coffee drinking → Blepharospasm"),
     ("/ontology", "ontology", "Dystonia Knowledge Graph ontology"),
     ("/describe?uri=http%3A%2F%2Fpurl.obolibrary.org%2Fobo%2FHP_0000643&format=html", "external-blepharospasm",
      "Blepharospasm"),
     ("/describe?uri=http%3A%2F%2Fpurl.obolibrary.org%2Fobo%2FUBERON_0001897&format=html", "external-thalamus",
      "dorsal plus ventral thalamus")],
)
def test_pages_render_and_every_internal_link_answers(live_server, browser, path: str, name: str,  # type: ignore[no-untyped-def]
                                                     heading: str) -> None:
    import requests

    page = browser.new_page()
    problems = _watch(page)
    page.goto(live_server.url + path, wait_until="networkidle")
    assert heading in page.locator("h1").inner_text()
    assert page.locator("h1").count() == 1
    for image in page.locator("svg[role=img]").all():
        assert image.get_attribute("aria-labelledby"), "the picture has a text alternative"
    assert page.locator("th[scope]").count() == page.locator("th").count(), "table headers have a scope"
    # SVG links have no .href string: resolve the attribute against the page.
    resolve = "els => els.map(e => new URL(e.getAttribute('href'), document.baseURI).href)"
    hrefs = page.eval_on_selector_all("a[href]", resolve)
    internal = sorted({h.split("#")[0] for h in hrefs if h.startswith(live_server.url)})
    assert internal, "the page links to other pages"
    broken = [(h, r.status_code) for h in internal if (r := requests.get(h, timeout=30)).status_code != 200]
    assert broken == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    assert problems == []
    page.close()


def test_entity_page_carries_alternates_and_jsonld(live_server, browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    page.goto(live_server.url + "/page/S0010")
    types = page.eval_on_selector_all("link[rel=alternate]", "els => els.map(e => e.type)")
    assert sorted(types) == ["application/ld+json", "application/n-triples", "application/rdf+xml", "text/turtle"]
    import json

    embedded = json.loads(page.locator("script[type='application/ld+json']").inner_text())
    assert embedded["@context"].endswith("/context.jsonld")
    assert "Thalamic lesions are more likely" in page.content()
    page.close()


def test_header_search_suggests_terms(live_server, browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    problems = _watch(page)
    page.goto(live_server.url + "/", wait_until="networkidle")
    page.fill("#q", "blepharo")
    page.wait_for_function("document.querySelectorAll('#q-suggestions option').length > 0", timeout=10000)
    options = page.eval_on_selector_all("#q-suggestions option", "els => els.map(e => e.value)")
    assert "Blepharospasm" in options
    # An identifier as OLS users type it (the underscore form of the term's CURIE) suggests the term's label,
    # with its CURIE and kind.
    import requests

    term = requests.get(live_server.url + "/api/search", params={"q": "blepharo"}, timeout=30).json()["results"][0]
    page.fill("#q", term["curie"].replace(":", "_"))
    page.wait_for_function(f"[...document.querySelectorAll('#q-suggestions option')].some(o => o.value === "
                           f"{term['label']!r})", timeout=10000)
    suggested = page.eval_on_selector_all("#q-suggestions option", "els => els.map(e => e.label)")
    assert f"{term['curie']} · {term['kind']}" in suggested
    page.fill("#q", "blepharo")
    page.press("#q", "Enter")
    page.wait_for_url("**/search?q=blepharo")
    assert "Blepharospasm" in page.content()
    assert problems == []
    page.close()


def test_home_page_by_region_view_leads_to_a_regions_statements(live_server, browser) -> None:  # type: ignore[no-untyped-def]
    """The lesion picture grouped by brain region renders (an image with a text alternative, and a table), and a
    region's link leads to the statements about the region and its parts, each marked direct or via a part; the
    region page's ancestors open from a <details> element."""
    page = browser.new_page()
    problems = _watch(page)
    page.goto(live_server.url + "/", wait_until="networkidle")
    picture = page.locator("svg#region-map")
    assert picture.is_visible()
    title = page.locator("#" + picture.get_attribute("aria-labelledby"))
    assert "grouped by brain region" in title.text_content()
    assert picture.locator("text.region").count() >= 5, "one heading per region"
    assert picture.locator("path").count() >= page.locator("svg.lesion-map:not(#region-map) path").count()
    page.click("nav.views a[href='#by-region']")
    assert page.url.endswith("#by-region")
    row = page.locator("table.regions tr", has=page.locator("th", has_text="thalamus"))
    link = row.locator("a.region-statements")
    count = int(link.inner_text().split()[0])
    link.click()
    page.wait_for_load_state("networkidle")
    assert "UBERON_0001897" in page.url and page.url.endswith("#statements")
    assert page.locator("h1").inner_text() == "dorsal plus ventral thalamus"
    about = page.locator("td.about")
    assert about.count() >= count
    marks = about.all_inner_texts()
    assert "direct (lesionSite)" in marks and "via dorsal thalamus (lesionSite)" in marks
    details = page.locator("details.ancestors")
    assert not details.locator("ol").is_visible(), "the ancestors are collapsed"
    details.locator("summary").click()
    assert details.get_by_role("link", name="diencephalon", exact=True).first.is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "region-thalamus.png"), full_page=True)
    assert problems == []
    page.close()


def test_incoming_links_lead_to_statement_pages_titled_by_their_content(live_server, browser) -> None:  # type: ignore[no-untyped-def]
    """The putamen's page lists what points at it, by role, each statement titled by its content and marked with
    its graph; a title leads to the statement's page, headed by the same title, its quote shown first."""
    page = browser.new_page()
    problems = _watch(page)
    page.goto(live_server.url + "/describe?uri=http%3A%2F%2Fpurl.obolibrary.org%2Fobo%2FUBERON_0001874&format=html",
              wait_until="networkidle")
    incoming = page.locator("#incoming")
    assert incoming.is_visible() and page.locator("section.role").count() >= 1
    role = page.locator("section.role").first
    heading = role.locator("h3").inner_text()
    items = role.locator("li")
    assert heading.startswith("As lesion site") and heading.endswith(f"({items.count()})")
    assert items.first.locator("small.graph").first.is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "incoming-putamen.png"), full_page=True)
    link = items.first.locator("a")
    title = link.inner_text()
    assert " → " in title
    link.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == title
    assert page.title() == f"{title} — dystonia-kg"
    quote = page.locator("figure.quote")
    assert quote.is_visible()
    below = page.locator("h1 + figure.quote")
    assert below.count() == 1, "the quote comes right after the heading"
    assert quote.bounding_box()["y"] < page.locator("text=Type:").bounding_box()["y"]
    page.screenshot(path=str(ARTIFACTS / "incoming-statement.png"), full_page=True)
    assert problems == []
    page.close()
