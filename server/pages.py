"""HTML for people: home page (with the lesion-site → dystonia-type picture), entity pages, the
ontology documentation, and search. Plain server-rendered HTML; no JavaScript needed."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from flask import Blueprint, Response, render_template, request, url_for
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, SKOS

from graph.executor import QueryJob
from graph.vocab import (
    BIBO,
    DKG,
    IAO_DEFINITION,
    OBOINOWL,
    ONTOLOGY_GRAPH,
    ONTOLOGY_IRI,
    PROV,
    compact,
    sparql_prefixes,
)

from . import errors
from .busy import at_most
from .catalog import catalog
from .pool import run_job
from .resources import RDF_TYPES, describe_triples, home_resolver, jsonld_document, known_id

bp = Blueprint("pages", __name__)
search_slots = at_most(2, "search")  # shared by the HTML and the JSON search

STATEMENT_CORE = {RDF.type, DKG.quote, PROV.wasDerivedFrom, DKG.citation, DKG.evidence}
SYNONYMS = (OBOINOWL.hasExactSynonym, OBOINOWL.hasRelatedSynonym, OBOINOWL.hasBroadSynonym,
            OBOINOWL.hasNarrowSynonym, SKOS.altLabel)


@dataclass
class Link:
    """A term shown as a link: label and where it goes."""

    label: str
    href: str
    iri: str
    external: str = ""


@dataclass
class StatementRow:
    """A statement about the entity, as a table row."""

    link: Link
    type: str
    quote: str
    qualifiers: list[tuple[str, list[Link]]]
    source: list[Link]
    citations: list[dict[str, str]]
    evidence: list[Link]


@dataclass
class EntityView:
    """Everything an entity page shows."""

    iri: str
    label: str
    curie: str
    definitions: list[str] = field(default_factory=list)
    synonyms: list[str] = field(default_factory=list)
    types: list[Link] = field(default_factory=list)
    parents: list[Link] = field(default_factory=list)
    matches: list[Link] = field(default_factory=list)
    facts: list[tuple[str, list[Link | str]]] = field(default_factory=list)
    external_links: list[tuple[str, str]] = field(default_factory=list)
    statements: list[StatementRow] = field(default_factory=list)


def page_href(iri: str) -> str:
    """Where a person reads about ``iri`` on this server."""
    if iri.startswith(str(DKG)):
        return f"/page/{iri[len(str(DKG)):]}"
    if iri in (str(ONTOLOGY_IRI),) or iri.startswith(str(ONTOLOGY_IRI) + "/"):
        return "/ontology.html"
    return "/describe?" + urlencode({"uri": iri, "format": "html"})


def _label(graph: Graph, node: URIRef) -> str:
    value = graph.value(node, RDFS.label) or graph.value(node, DCTERMS.title)
    return str(value) if value is not None else compact(str(node))


def _link(graph: Graph, node: URIRef) -> Link:
    iri = str(node)
    return Link(_label(graph, node), page_href(iri), iri,
                home_resolver(iri) if not iri.startswith(str(DKG)) else "")


def _external_links(iri: str, graph: Graph) -> list[tuple[str, str]]:
    links = []
    if iri.startswith("http://purl.obolibrary.org/obo/"):
        curie = compact(iri)
        links.append((f"{curie} at OLS", home_resolver(iri)))
        links.append((f"{curie} PURL", iri))
    elif iri.startswith("http://identifiers.org/"):
        links.append((compact(iri) + " at identifiers.org", iri))
    node = URIRef(iri)
    for doi in graph.objects(node, BIBO.doi):
        links.append((f"DOI {doi}", f"https://doi.org/{doi}"))
    for pmid in graph.objects(node, BIBO.pmid):
        links.append((f"PubMed {pmid}", f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"))
    for page in graph.objects(node, FOAF.page):
        links.append((str(page), str(page)))
    return links


def build_view(iri: str, graph: Graph) -> EntityView:
    """Turn a self-contained description into what the page shows."""
    node = URIRef(iri)
    view = EntityView(iri, _label(graph, node), compact(iri))
    view.definitions = sorted(str(d) for d in graph.objects(node, IAO_DEFINITION))
    view.synonyms = sorted({str(s) for p in SYNONYMS for s in graph.objects(node, p)})
    view.types = [_link(graph, t) for t in sorted(graph.objects(node, RDF.type), key=str) if isinstance(t, URIRef)]
    parents = sorted(graph.objects(node, RDFS.subClassOf), key=str)
    view.parents = [_link(graph, p) for p in parents if isinstance(p, URIRef)]
    view.matches = [_link(graph, m) for p in (SKOS.exactMatch, SKOS.closeMatch, SKOS.relatedMatch)
                    for m in sorted(graph.objects(node, p), key=str) if isinstance(m, URIRef)]
    shown = {RDF.type, RDFS.subClassOf, RDFS.label, IAO_DEFINITION, *SYNONYMS, SKOS.exactMatch, SKOS.closeMatch,
             SKOS.relatedMatch}
    facts: dict[str, list[Link | str]] = defaultdict(list)
    for p, o in sorted(graph.predicate_objects(node)):
        if p in shown or not isinstance(p, URIRef):
            continue
        key = _label(graph, p) if (p, RDFS.label, None) in graph else compact(str(p))
        facts[key].append(_link(graph, o) if isinstance(o, URIRef) else str(o) if isinstance(o, Literal) else "…")
    view.facts = sorted(facts.items())
    view.external_links = _external_links(iri, graph)
    statements = sorted({s for s, _, o in graph if o == node and isinstance(s, URIRef)
                         and (s, DKG.quote, None) in graph})
    for statement in statements:
        qualifiers: dict[str, list[Link]] = defaultdict(list)
        for p, o in sorted(graph.predicate_objects(statement)):
            if p in STATEMENT_CORE or not isinstance(o, URIRef | Literal):
                continue
            name = compact(str(p)).removeprefix("dkg:")
            qualifiers[name].append(_link(graph, o) if isinstance(o, URIRef) else Link(str(o), "", ""))
        citations = []
        for c in sorted(graph.objects(statement, DKG.citation), key=str):
            assert isinstance(c, URIRef)
            entry = {"label": _label(graph, c), "href": page_href(str(c))}
            for doi in graph.objects(c, BIBO.doi):
                entry["doi"] = str(doi)
            for pmid in graph.objects(c, BIBO.pmid):
                entry["pmid"] = str(pmid)
            citations.append(entry)
        types = [t for t in graph.objects(statement, RDF.type) if isinstance(t, URIRef)]
        view.statements.append(StatementRow(
            link=Link(compact(str(statement)), page_href(str(statement)), str(statement)),
            type=", ".join(sorted(_label(graph, t) for t in types)),
            quote=str(graph.value(statement, DKG.quote) or ""),
            qualifiers=sorted(qualifiers.items()),
            source=[_link(graph, s) for s in graph.objects(statement, PROV.wasDerivedFrom) if isinstance(s, URIRef)],
            citations=citations,
            evidence=[_link(graph, e) for e in graph.objects(statement, DKG.evidence) if isinstance(e, URIRef)],
        ))
    return view


def render_entity(iri: str, external: bool = False) -> Response:
    """The HTML page of an IRI, with alternates and embedded JSON-LD."""
    cat = catalog()
    html = cat.documents.get(("page", iri), lambda: _entity_html(iri, external).encode())
    response = Response(html, 200, content_type="text/html; charset=utf-8")
    response.last_modified = cat.built_at
    response.add_etag()
    response.make_conditional(request)
    return response


def _entity_html(iri: str, external: bool) -> str:
    cat = catalog()
    triples = describe_triples(iri)
    nt = b"".join(f"{t} .\n".encode() for t in triples)
    view = build_view(iri, Graph().parse(data=nt, format="nt"))
    if external:
        base = "/describe?" + urlencode({"uri": iri}) + "&format="
        alternates = {media: base + ext for ext, media in RDF_TYPES.items()}
    else:
        ident = iri[len(str(DKG)):]
        alternates = {media: f"/data/{ident}.{ext}" for ext, media in RDF_TYPES.items()}
    # Rendered by the template's tojson filter, which escapes <, > and &: a literal holding
    # "</script>" cannot close the element.
    embedded = json.loads(jsonld_document(triples, cat))
    return render_template("entity.html", view=view, alternates=alternates, jsonld=embedded,
                           external=external, catalog=cat)


@bp.route("/page/<ident>", methods=["GET", "HEAD"])
def page(ident: str) -> Response:
    """An entity's HTML page."""
    if not known_id(ident, catalog()):
        return errors.not_found(f"no entity {ident[:80]!r} in this graph")
    return render_entity(str(DKG[ident]))


LESION_EDGES = sparql_prefixes("dkg") + """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?statement ?site ?siteLabel ?type ?typeLabel ?lat WHERE {
  ?statement a dkg:LesionPhenotypeStatement ; dkg:lesionSite ?site ; dkg:phenotype ?type .
  ?site rdfs:label ?siteLabel . ?type rdfs:label ?typeLabel .
  OPTIONAL { ?statement dkg:laterality/rdfs:label ?lat }
} ORDER BY ?siteLabel ?typeLabel ?statement"""


def lesion_svg() -> str:
    """A bipartite drawing: lesion sites on the left, dystonia types on the right, one link per statement."""
    answer = run_job(QueryJob(LESION_EDGES, solution_format="json"))
    rows = [{k: v["value"] for k, v in b.items()} for b in json.loads(answer.body)["results"]["bindings"]]
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


@bp.route("/")
def home() -> Response:
    """What the graph is, how to use it, and the lesion map."""
    cat = catalog()
    html = render_template("home.html", svg=lesion_svg(), catalog=cat,
                           counts=cat.manifest.get("graphs", {}), version=cat.manifest.get("version", ""))
    return Response(html, 200, content_type="text/html; charset=utf-8")


ONTOLOGY_TERMS = f"""
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX obo: <http://purl.obolibrary.org/obo/>
SELECT ?term ?kind ?label ?definition (GROUP_CONCAT(DISTINCT ?parent; separator=" ") AS ?parents)
       ?domain ?range
WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{
  VALUES ?kind {{ owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty owl:NamedIndividual }}
  ?term a ?kind FILTER(STRSTARTS(STR(?term), "{DKG}"))
  OPTIONAL {{ ?term rdfs:label ?label }} OPTIONAL {{ ?term obo:IAO_0000115 ?definition }}
  OPTIONAL {{ ?term rdfs:subClassOf ?parent FILTER(isIRI(?parent)) }}
  OPTIONAL {{ ?term rdfs:domain ?domain }} OPTIONAL {{ ?term rdfs:range ?range }}
}} }} GROUP BY ?term ?kind ?label ?definition ?domain ?range ORDER BY ?kind ?label ?term"""
META = f"""SELECT ?p ?o WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ <{ONTOLOGY_IRI}> ?p ?o }} }} ORDER BY ?p ?o"""


@bp.route("/ontology.html")
def ontology_page() -> Response:
    """The ontology documented as HTML: metadata, then classes, properties and individuals."""
    def rows(query: str) -> list[dict[str, str]]:
        answer = run_job(QueryJob(query, solution_format="json"))
        return [{k: v["value"] for k, v in b.items()} for b in json.loads(answer.body)["results"]["bindings"]]

    sections: dict[str, list[dict[str, object]]] = defaultdict(list)
    names = {str(OWL.Class): "Classes", str(OWL.ObjectProperty): "Object properties",
             str(OWL.DatatypeProperty): "Datatype properties", str(OWL.AnnotationProperty): "Annotation properties",
             str(OWL.NamedIndividual): "Individuals"}
    for row in rows(ONTOLOGY_TERMS):
        sections[names[row["kind"]]].append({
            "curie": compact(row["term"]), "href": page_href(row["term"]), "anchor": compact(row["term"]),
            "label": row.get("label", ""), "definition": row.get("definition", ""),
            "parents": [(compact(p), page_href(p)) for p in row.get("parents", "").split()],
            "domain": compact(row["domain"]) if "domain" in row else "",
            "range": compact(row["range"]) if "range" in row else "",
        })
    metadata = [(compact(r["p"]), r["o"]) for r in rows(META)]
    order = ["Classes", "Object properties", "Datatype properties", "Annotation properties", "Individuals"]
    html = render_template("ontology.html", metadata=metadata, sections=[(n, sections[n]) for n in order],
                           iri=str(ONTOLOGY_IRI), alternates={m: f"/ontology/doc.{e}" for e, m in RDF_TYPES.items()})
    return Response(html, 200, content_type="text/html; charset=utf-8")


@bp.route("/search")
@search_slots
def search_page() -> Response:
    """Search results as HTML (the header's search form)."""
    query = request.args.get("q", "")[:200]
    hits = catalog().search.search(query, limit=30) if query else []
    html = render_template("search.html", q=query,
                           hits=[(h, page_href(h.iri), compact(h.type) if h.type else "") for h in hits])
    return Response(html, 200, content_type="text/html; charset=utf-8")


@bp.route("/api/search")
@search_slots
def search_api() -> Response:
    """``/api/search?q=…&limit=…``: JSON hits with IRI, label, type, snippet, score."""
    query = request.args.get("q", "")
    if not query.strip():
        return errors.bad_request("give a search text: /api/search?q=…")
    if len(query) > 200:
        return errors.bad_request("the search text is longer than 200 characters")
    try:
        limit = min(max(int(request.args.get("limit", "10")), 1), 100)
    except ValueError:
        return errors.bad_request("limit must be an integer")
    hits = catalog().search.search(query, limit=limit)
    root = request.host_url.rstrip("/")
    body = {"query": query, "results": [
        {"iri": h.iri, "curie": compact(h.iri), "label": h.label, "type": h.type, "snippet": h.snippet,
         "score": h.score, "page": root + page_href(h.iri)} for h in hits]}
    return Response(json.dumps(body, ensure_ascii=False) + "\n", 200, content_type="application/json")
