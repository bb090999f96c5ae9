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
