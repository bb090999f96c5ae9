"""HTML for people: the home page (with the lesion map), entity pages and the ontology documentation.
Plain server-rendered HTML; no JavaScript needed."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, SKOS

from graph import formats
from graph.formats import RDF_DOCUMENTS
from graph.vocab import BIBO, DKG, IAO_DEFINITION, OBOINOWL, ONTOLOGY_GRAPH, ONTOLOGY_IRI, PROV, compact

from . import errors, signposting
from .catalog import catalog
from .documents import context_triples, describe_triples, home_resolver, jsonld_document, known_id, page_href
from .host import public_root
from .lesion_map import pictures
from .pool import select_rows

bp = Blueprint("pages", __name__)

STATEMENT_CORE = {RDF.type, DKG.quote, PROV.wasDerivedFrom, DKG.citation, DKG.evidence}
HIERARCHY = (DKG.isaPartofParent, DKG.isaPartofAncestor)  # a module term's: shown as where it sits
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
    direct: list[str] = field(default_factory=list)  # the properties by which it names the page's term itself
    via: list[tuple[Link, list[str]]] = field(default_factory=list)  # the parts or subclasses of the page's term
    #                                                                  it names, each with those properties


@dataclass
class AncestorRow:
    """An ancestor of a module term (is_a or part_of), with its own parents: the chains up to the roots."""

    link: Link
    curie: str
    parents: list[Link]


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
    module: str = ""  # the ontology whose module holds the term (UBERON, MONDO, CHEBI), when it is a module term
    module_parents: list[Link] = field(default_factory=list)  # is_a or part_of, distance 1
    ancestors: list[AncestorRow] = field(default_factory=list)  # nearest first
    rolled_up: bool = False  # the statements include those about the term's parts and subclasses


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


def _roles(graph: Graph, statement: URIRef, value: URIRef) -> list[str]:
    """The properties by which ``statement`` names ``value``, as the qualifiers column names them."""
    return sorted(compact(str(p)).removeprefix("dkg:") for p in graph.predicates(statement, value))


def _statement_row(graph: Graph, statement: URIRef) -> StatementRow:
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
    return StatementRow(
        link=Link(compact(str(statement)), page_href(str(statement)), str(statement)),
        type=", ".join(sorted(_label(graph, t) for t in types)),
        quote=str(graph.value(statement, DKG.quote) or ""),
        qualifiers=sorted(qualifiers.items()),
        source=[_link(graph, s) for s in graph.objects(statement, PROV.wasDerivedFrom) if isinstance(s, URIRef)],
        citations=citations,
        evidence=[_link(graph, e) for e in graph.objects(statement, DKG.evidence) if isinstance(e, URIRef)],
    )


def _ancestors(node: URIRef, context: Graph) -> list[AncestorRow]:
    """The term's ancestors in its module, nearest first (fewest parent links away; an ancestor the release reaches
    only through another ontology's terms last), then the more specific first (more ancestors of its own over
    the parent chains), then by label."""
    ancestors = {a for a in context.objects(node, DKG.isaPartofAncestor) if isinstance(a, URIRef) and a != node}
    parents: dict[URIRef, list[URIRef]] = {}
    for a in ancestors:
        own = [p for p in context.objects(a, DKG.isaPartofParent) if isinstance(p, URIRef) and p in ancestors]
        parents[a] = sorted(own, key=lambda p: (_label(context, p).lower(), str(p)))
    above: dict[URIRef, frozenset[URIRef]] = {}

    def up(term: URIRef, seen: frozenset[URIRef] = frozenset()) -> frozenset[URIRef]:
        if term not in above:
            found: set[URIRef] = set()
            for parent in parents.get(term, []):
                if parent not in seen:  # a cycle cannot recurse for ever
                    found |= {parent} | up(parent, seen | {term})
            above[term] = frozenset(found)
        return above[term]

    distance: dict[URIRef, int] = {}
    frontier = [p for p in context.objects(node, DKG.isaPartofParent) if isinstance(p, URIRef) and p in ancestors]
    steps = 1
    while frontier:
        reached = [t for t in dict.fromkeys(frontier) if t not in distance]
        distance.update((t, steps) for t in reached)
        frontier = [p for t in reached for p in parents[t]]
        steps += 1
    far = len(ancestors) + 1
    order = sorted(ancestors, key=lambda a: (distance.get(a, far), -len(up(a)), _label(context, a).lower(), str(a)))
    return [AncestorRow(_link(context, a), compact(str(a)), [_link(context, p) for p in parents[a]]) for a in order]


def build_view(iri: str, graph: Graph, context: Graph | None = None) -> EntityView:
    """Turn a self-contained description into what the page shows; with a module term's ``context``
    (``graph.describe.context_query``), where it sits in its module and the statements about its parts and
    subclasses too."""
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
             SKOS.relatedMatch, *HIERARCHY}
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
    rows = {statement: _statement_row(graph, statement) for statement in statements}
    for statement, row in rows.items():
        row.direct = _roles(graph, statement, node)
    if context is not None:
        view.ancestors = _ancestors(node, context)
        view.module_parents = sorted((_link(context, p) for p in context.objects(node, DKG.isaPartofParent)
                                      if isinstance(p, URIRef)), key=lambda link: link.label.lower())
        under = set(context.subjects(DKG.isaPartofAncestor, node))  # the parts and subclasses statements name
        for statement in sorted({s for s in context.subjects(DKG.quote, None) if isinstance(s, URIRef)}):
            values = sorted({o for o in context.objects(statement, None) if o in under}, key=str)
            if not values:
                continue
            row = rows.get(statement) or _statement_row(context, statement)
            named = [(_link(context, v), _roles(context, statement, v)) for v in values if isinstance(v, URIRef)]
            row.via = sorted(named, key=lambda via: via[0].label.lower())
            rows[statement] = row
            view.rolled_up = True
        if view.ancestors or view.rolled_up:
            view.module = view.curie.split(":", 1)[0]
    view.statements = [rows[s] for s in sorted(rows)]
    return view


def render_entity(iri: str, external: bool = False) -> Response:
    """The HTML page of an IRI, with alternates and embedded JSON-LD."""
    cat = catalog()
    # An external IRI's page links its alternates through /describe, a local one's through /data: two documents.
    page = cat.documents.get(("page", iri, "external" if external else "local"),
                             lambda: _entity_html(iri, external).encode())
    response = Response(page.body, 200, content_type=formats.utf8(formats.HTML))
    response.last_modified = cat.published_at
    response.set_etag(page.etag)
    documents = {media: public_root() + url for media, url in _rdf_documents(iri, external).items()}
    signposting.add(response, signposting.entity_page(iri, documents, cat.rdf_type(iri), local=not external))
    response.make_conditional(request)
    return response


def _entity_html(iri: str, external: bool) -> str:
    cat = catalog()
    triples = describe_triples(iri)
    context = _graph(context_triples(iri)) if external else None
    view = build_view(iri, _graph(triples), context)
    alternates = _rdf_documents(iri, external)
    # Rendered by the template's tojson filter, which escapes <, > and &: a literal holding
    # "</script>" cannot close the element.
    embedded = json.loads(jsonld_document(triples, cat))
    return render_template("entity.html", view=view, alternates=alternates, jsonld=embedded,
                           jsonld_type=formats.media_type("jsonld"), external=external, catalog=cat)


def _rdf_documents(iri: str, external: bool) -> dict[str, str]:
    """Media type → URL (from the root) of each RDF document about ``iri``: through /describe for an external IRI,
    through /data for a local one."""
    if external:
        base = "/describe?" + urlencode({"uri": iri}) + "&format="
        return {formats.media_type(ext): base + ext for ext in RDF_DOCUMENTS.keys}
    return {formats.media_type(ext): f"/data/{iri[len(str(DKG)):]}.{ext}" for ext in RDF_DOCUMENTS.keys}


def _graph(triples: list[ox.Triple]) -> Graph:
    return Graph().parse(data=b"".join(f"{t} .\n".encode() for t in triples), format="nt")


@bp.route("/page/<ident>", methods=["GET", "HEAD"])
def page(ident: str) -> Response:
    """An entity's HTML page."""
    if not known_id(ident, catalog()):
        raise errors.not_found(f"no entity {ident[:80]!r} in this graph")
    return render_entity(str(DKG[ident]))


@bp.route("/")
def home() -> Response:
    """What the graph is, how to use it, and the lesion map."""
    cat = catalog()
    release = cat.release
    # The pictures are the same for every request of a release: drawn once, then from its document cache.
    drawn = cat.documents.get(("home", "pictures"), lambda: pictures().encode()).body.decode()
    html = render_template("home.html", pictures=drawn, catalog=cat, counts=cat.manifest.get("graphs", {}),
                           version=release.version if release else "", hpo=release.hpo if release else {},
                           modules=release.modules if release else {})
    response = Response(html, 200, content_type=formats.utf8(formats.HTML))
    signposting.add(response, signposting.landing(release.dumps if release else []))
    return response


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
    sections: dict[str, list[dict[str, object]]] = defaultdict(list)
    names = {str(OWL.Class): "Classes", str(OWL.ObjectProperty): "Object properties",
             str(OWL.DatatypeProperty): "Datatype properties", str(OWL.AnnotationProperty): "Annotation properties",
             str(OWL.NamedIndividual): "Individuals"}
    for row in select_rows(ONTOLOGY_TERMS):
        sections[names[row["kind"]]].append({
            "curie": compact(row["term"]), "href": page_href(row["term"]), "anchor": compact(row["term"]),
            "label": row.get("label", ""), "definition": row.get("definition", ""),
            "parents": [(compact(p), page_href(p)) for p in row.get("parents", "").split()],
            "domain": compact(row["domain"]) if "domain" in row else "",
            "range": compact(row["range"]) if "range" in row else "",
        })
    metadata = [(compact(r["p"]), r["o"]) for r in select_rows(META)]
    order = ["Classes", "Object properties", "Datatype properties", "Annotation properties", "Individuals"]
    html = render_template("ontology.html", metadata=metadata, sections=[(n, sections[n]) for n in order],
                           iri=str(ONTOLOGY_IRI),
                           alternates={formats.media_type(e): f"/ontology/doc.{e}" for e in RDF_DOCUMENTS.keys})
    return Response(html, 200, content_type=formats.utf8(formats.HTML))
