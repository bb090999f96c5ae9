"""The YASGUI editor in headless Chromium (Debian's, driven by Playwright): type, run, see rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

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
    assert page.locator("#examples button").count() >= 20, "named queries are listed as examples"
    page.wait_for_selector(".CodeMirror")
    query = ("PREFIX dkg: <https://w3id.org/dystonia-kg/id/>\n"
             "SELECT ?statement WHERE { ?statement a dkg:LesionPhenotypeStatement } ORDER BY ?statement LIMIT 7")
    page.evaluate("q => document.querySelector('.CodeMirror').CodeMirror.setValue(q)", query)
    page.click(".yasqe_queryButton")
    page.wait_for_selector(".yasr table tbody tr", timeout=15000)
    rows = page.locator(".yasr table tbody tr")
    assert rows.count() == 7
    assert "S0001" in rows.first.inner_text()

    page.locator("#examples button").first.click()
    assert "SELECT" in page.evaluate("() => document.querySelector('.CodeMirror').CodeMirror.getValue()")

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "sparql-editor.png"), full_page=True)
    assert problems == []
    page.close()
