"""The home page's pictures: lesion sites (left) and the dystonia types they give (right), one link per curated
statement, drawn as SVG from the graph; once by lesion site, once with the sites grouped by brain region
(``graph/regions.py``), each region linking to its page, which lists the statements about it and its parts."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import render_template, url_for

from graph.regions import BRAIN_REGIONS, site_regions_query
from graph.vocab import compact, sparql_prefixes

from .documents import page_href
from .pool import select_rows

LESION_EDGES = sparql_prefixes("dkg") + """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?statement ?site ?siteLabel ?type ?typeLabel ?lat WHERE {
  ?statement a dkg:LesionPhenotypeStatement ; dkg:lesionSite ?site ; dkg:phenotype ?type .
  ?site rdfs:label ?siteLabel . ?type rdfs:label ?typeLabel .
  OPTIONAL { ?statement dkg:laterality/rdfs:label ?lat }
} ORDER BY ?siteLabel ?typeLabel ?statement"""

GAP, TOP, WIDTH = 26, 30, 900
COLOURS = {"contralateral": "#b03a2e", "bilateral": "#1f618d"}


@dataclass
class RegionGroup:
    """One brain region of the grouped picture: its lesion sites and the statements about them."""

    name: str
    iri: str  # empty for the group of sites within none of the regions
    label: str  # the release's label of the region's class
    sites: list[tuple[str, str]] = field(default_factory=list)  # (label, IRI), by label
    statements: set[str] = field(default_factory=set)

    @property
    def href(self) -> str:
        """The region's page: where it sits, and the statements about it and its parts and subclasses."""
        return page_href(self.iri) + "#statements" if self.iri else ""

    @property
    def curie(self) -> str:
        """The region's CURIE."""
        return compact(self.iri) if self.iri else ""

    @property
    def key(self) -> str:
        """A fragment-safe name for the group."""
        return self.curie.replace(":", "_") if self.iri else "elsewhere"


def _edge(ident: str, row: dict[str, str], y1: int, y2: int) -> str:
    colour = COLOURS.get(row.get("lat", ""), "#7f8c8d")
    return (f'<a href="{url_for("pages.page", ident=ident)}"><title>{ident}: {_esc(row["siteLabel"])} → '
            f'{_esc(row["typeLabel"])}</title><path d="M 300 {y1} C 450 {y1}, 450 {y2}, 600 {y2}" '
            f'stroke="{colour}" stroke-width="1.5" fill="none"/></a>')


def _types(rows: list[dict[str, str]]) -> tuple[list[tuple[str, str]], dict[str, int]]:
    types = sorted({(r["typeLabel"], r["type"]) for r in rows})
    return types, {iri: TOP + i * GAP for i, (_, iri) in enumerate(types)}


def _site_label(label: str, iri: str, y: int) -> str:
    return (f'<a href="{page_href(iri)}"><text x="292" y="{y + 4}" text-anchor="end" font-size="13">{_esc(label)}'
            '</text></a>')


def _type_labels(types: list[tuple[str, str]], y_type: dict[str, int]) -> list[str]:
    return [f'<a href="{page_href(iri)}"><text x="608" y="{y_type[iri] + 4}" font-size="13">{_esc(label)}</text></a>'
            for label, iri in types]


def lesion_svg(rows: list[dict[str, str]] | None = None) -> str:
    """A bipartite drawing: lesion sites on the left, dystonia types on the right, one link per statement."""
    rows = select_rows(LESION_EDGES) if rows is None else rows
    sites = sorted({(r["siteLabel"], r["site"]) for r in rows})
    types, y_type = _types(rows)
    y_site = {iri: TOP + i * GAP for i, (_, iri) in enumerate(sites)}
    height = TOP + max(len(sites), len(types)) * GAP + 10
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
           f'aria-labelledby="lesion-svg-title" class="lesion-map">',
           '<title id="lesion-svg-title">Lesion sites (left) and the dystonia types they are associated with '
           '(right); each line links to its statement</title>']
    for r in rows:
        out.append(_edge(r["statement"].rsplit("/", 1)[-1], r, y_site[r["site"]], y_type[r["type"]]))
    out += [_site_label(label, iri, y_site[iri]) for label, iri in sites]
    out += _type_labels(types, y_type)
    out.append("</svg>")
    return "\n".join(out)


def region_groups(rows: list[dict[str, str]], placed: list[dict[str, str]]) -> list[RegionGroup]:
    """The lesion sites of ``rows`` (:data:`LESION_EDGES`) grouped by the brain regions ``placed``
    (``graph.regions.site_regions_query``) puts them in, in :data:`BRAIN_REGIONS` order; a site within several
    regions is in each group, the sites within none in a last group of their own. Regions without sites are left
    out."""
    labels: dict[str, str] = {}
    regions_of: dict[str, set[str]] = {}
    for r in placed:
        regions_of.setdefault(r["site"], set()).update([r["region"]] if "region" in r else [])
        if r.get("regionLabel"):
            labels[r["region"]] = r["regionLabel"]
    groups = [RegionGroup(region.name, region.iri, labels.get(region.iri, "")) for region in BRAIN_REGIONS]
    elsewhere = RegionGroup("elsewhere", "", "")
    for group in [*groups, elsewhere]:
        members = {(r["siteLabel"], r["site"]) for r in rows
                   if (group.iri in regions_of.get(r["site"], set()) if group.iri else not regions_of.get(r["site"]))}
        group.sites = sorted(members)
        group.statements = {r["statement"] for r in rows if (r["siteLabel"], r["site"]) in members}
    return [g for g in [*groups, elsewhere] if g.sites]


def region_svg(rows: list[dict[str, str]], groups: list[RegionGroup]) -> str:
    """The bipartite drawing with the lesion sites grouped under their brain regions; each region's heading
    links to its page."""
    types, y_type = _types(rows)
    y_site: dict[tuple[str, str], int] = {}
    y = TOP
    bands, headings = [], []
    for n, group in enumerate(groups):
        top = y - GAP + 8
        headings.append((group, y))
        y += GAP
        for _, iri in group.sites:
            y_site[(group.key, iri)] = y
            y += GAP
        shade = "#f4f6fa" if n % 2 == 0 else "#ffffff"
        bands.append(f'<rect x="0" y="{top}" width="{WIDTH}" height="{y - GAP + 8 - top}" fill="{shade}"/>')
    height = max(y, TOP + len(types) * GAP) + 10
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
           f'aria-labelledby="region-svg-title" class="lesion-map" id="region-map">',
           '<title id="region-svg-title">Lesion sites grouped by brain region (left) and the dystonia types they '
           'are associated with (right); each region heading links to the statements about the region and its '
           'parts, each line to its statement</title>', *bands]
    for group, y_heading in headings:
        count = len(group.statements)
        text = (f'<text x="8" y="{y_heading + 4}" font-size="14" font-weight="bold" class="region">'
                f'{_esc(group.name)} ({count} statement{"" if count == 1 else "s"})</text>')
        out.append(f'<a href="{_esc(group.href)}">{text}</a>' if group.href else text)
    for group in groups:
        for r in rows:
            if (group.key, r["site"]) in y_site:
                out.append(_edge(r["statement"].rsplit("/", 1)[-1], r, y_site[(group.key, r["site"])],
                                 y_type[r["type"]]))
        out += [_site_label(label, iri, y_site[(group.key, iri)]) for label, iri in group.sites]
    out += _type_labels(types, y_type)
    out.append("</svg>")
    return "\n".join(out)


def pictures() -> str:
    """The home page's two pictures and the regions' table, as HTML (computed once per release: the caller
    caches it)."""
    rows = select_rows(LESION_EDGES)
    groups = region_groups(rows, select_rows(site_regions_query()))
    return render_template("lesion_pictures.html", by_site=lesion_svg(rows), by_region=region_svg(rows, groups),
                           groups=groups)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
