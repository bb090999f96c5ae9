"""The home page's picture: lesion sites (left) and the dystonia types they give (right), one link
per curated statement, drawn as SVG from the graph."""

from __future__ import annotations

from flask import url_for

from graph.vocab import sparql_prefixes

from .documents import page_href
from .pool import select_rows

LESION_EDGES = sparql_prefixes("dkg") + """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?statement ?site ?siteLabel ?type ?typeLabel ?lat WHERE {
  ?statement a dkg:LesionPhenotypeStatement ; dkg:lesionSite ?site ; dkg:phenotype ?type .
  ?site rdfs:label ?siteLabel . ?type rdfs:label ?typeLabel .
  OPTIONAL { ?statement dkg:laterality/rdfs:label ?lat }
} ORDER BY ?siteLabel ?typeLabel ?statement"""


def lesion_svg() -> str:
    """A bipartite drawing: lesion sites on the left, dystonia types on the right, one link per statement."""
    rows = select_rows(LESION_EDGES)
    sites = sorted({(r["siteLabel"], r["site"]) for r in rows})
    types = sorted({(r["typeLabel"], r["type"]) for r in rows})
    gap, top, width = 26, 30, 900
    y_site = {iri: top + i * gap for i, (_, iri) in enumerate(sites)}
    y_type = {iri: top + i * gap for i, (_, iri) in enumerate(types)}
    height = top + max(len(sites), len(types)) * gap + 10
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
           f'aria-labelledby="lesion-svg-title" class="lesion-map">',
           '<title id="lesion-svg-title">Lesion sites (left) and the dystonia types they are associated with '
           '(right); each line links to its statement</title>']
    for r in rows:
        y1, y2 = y_site[r["site"]], y_type[r["type"]]
        ident = r["statement"].rsplit("/", 1)[-1]
        colour = {"contralateral": "#b03a2e", "bilateral": "#1f618d"}.get(r.get("lat", ""), "#7f8c8d")
        out.append(f'<a href="{url_for("pages.page", ident=ident)}"><title>{ident}: {_esc(r["siteLabel"])} → '
                   f'{_esc(r["typeLabel"])}</title><path d="M 300 {y1} C 450 {y1}, 450 {y2}, 600 {y2}" '
                   f'stroke="{colour}" stroke-width="1.5" fill="none"/></a>')
    for label, iri in sites:
        out.append(f'<a href="{page_href(iri)}"><text x="292" y="{y_site[iri] + 4}" text-anchor="end" '
                   f'font-size="13">{_esc(label)}</text></a>')
    for label, iri in types:
        out.append(f'<a href="{page_href(iri)}"><text x="608" y="{y_type[iri] + 4}" font-size="13">'
                   f'{_esc(label)}</text></a>')
    out.append("</svg>")
    return "\n".join(out)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
