"""XSS: data shown in pages cannot break out of its element."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.vocab import CURATED_GRAPH, DKG
from server import create_app

PAYLOAD = '</script><script>alert("x")</script><!--'


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store whose one entity has a label made to close a <script> element."""
    path = tmp_path_factory.mktemp("hostile") / "store"
    store = ox.Store(str(path))
    entity, graph = ox.NamedNode(str(DKG["X1"])), ox.NamedNode(str(CURATED_GRAPH))
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    store.add(ox.Quad(entity, label, ox.Literal(PAYLOAD), graph))
    store.add(ox.Quad(entity, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                      ox.NamedNode("http://www.w3.org/2002/07/owl#Class"), graph))
    store.flush()
    del store
    return path


def test_jsonld_in_pages_cannot_close_the_script_element(hostile_store: Path, tmp_path: Path) -> None:
    app = create_app({"STORE": f"oxigraph:{hostile_store}", "RELEASE_DIR": str(tmp_path), "WORKERS": 1})
    response = app.test_client().get("/page/X1")
    assert response.status_code == 200, response.text
    html = response.get_data(as_text=True)
    assert "</script><script>" not in html
    start = html.index('<script type="application/ld+json">') + len('<script type="application/ld+json">')
    embedded = html[start:html.index("</script>", start)]
    assert json.loads(embedded)["label"] == PAYLOAD  # escaped for HTML, the same value for a JSON-LD reader


@pytest.fixture(scope="module")
def hostile_module_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store in which the labels of a module term's ancestor and of its part, which a statement names as its
    lesion site, are made to break out of their elements; the part is a lesion site of the home page's pictures."""
    path = tmp_path_factory.mktemp("hostile-module") / "store"
    store = ox.Store(str(path))
    graph = ox.NamedNode(str(CURATED_GRAPH))
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    ancestor, parent = ox.NamedNode(str(DKG["isaPartofAncestor"])), ox.NamedNode(str(DKG["isaPartofParent"]))
    thalamus = ox.NamedNode("http://purl.obolibrary.org/obo/UBERON_0001897")
    above, part = ox.NamedNode("http://purl.obolibrary.org/obo/UBERON_9000001"), \
        ox.NamedNode("http://purl.obolibrary.org/obo/UBERON_9000002")
    statement, phenotype = ox.NamedNode(str(DKG["X2"])), ox.NamedNode(str(DKG["X3"]))
    for quad in [(thalamus, ancestor, above), (thalamus, parent, above), (above, label, ox.Literal(PAYLOAD)),
                 (thalamus, label, ox.Literal("thalamus" + PAYLOAD)), (part, ancestor, thalamus),
                 (part, label, ox.Literal("part" + PAYLOAD)),
                 (statement, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                  ox.NamedNode(str(DKG["LesionPhenotypeStatement"]))),
                 (statement, ox.NamedNode(str(DKG["lesionSite"])), part),
                 (statement, ox.NamedNode(str(DKG["phenotype"])), phenotype),
                 (statement, ox.NamedNode(str(DKG["quote"])), ox.Literal("quote" + PAYLOAD)),
                 (phenotype, label, ox.Literal("type" + PAYLOAD))]:
        store.add(ox.Quad(*quad, graph))
    store.flush()
    del store
    return path


def test_module_term_pages_and_the_region_view_escape_labels(hostile_module_store: Path, tmp_path: Path) -> None:
    client = create_app({"STORE": f"oxigraph:{hostile_module_store}", "RELEASE_DIR": str(tmp_path),
                         "WORKERS": 1}).test_client()
    term = client.get("/describe", query_string={"uri": "http://purl.obolibrary.org/obo/UBERON_0001897",
                                                 "format": "html"})
    home = client.get("/")
    for response in (term, home):
        assert response.status_code == 200, response.text
        html = response.get_data(as_text=True)
        assert '<script>alert("x")' not in html and "</script><script>" not in html
        assert "&lt;script&gt;alert(" in html, "the labels are there, escaped"
    page = term.get_data(as_text=True)
    assert "<details" in page and "via <a" in page, "the ancestor and the part are shown"
    assert 'id="region-map"' in home.get_data(as_text=True)
