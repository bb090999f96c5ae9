"""HTML for people: the home page (with the lesion map), entity pages and the ontology documentation.
Plain server-rendered HTML; no JavaScript needed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, SKOS
from rdflib.term import Node

from graph import formats
from graph.formats import RDF_DOCUMENTS
from graph.incoming import Pointer
from graph.titles import parts_from_graph, statement_title
from graph.vocab import BIBO, DKG, IAO_DEFINITION, OBOINOWL, ONTOLOGY_GRAPH, ONTOLOGY_IRI, PROV, compact

from . import errors, signposting
from .busy import Slots
from .catalog import catalog
from .documents import (
    context_quads,
    describe_quads,
    home_resolver,
    incoming_links,
    jsonld_object,
    known_id,
    page_href,
    rdflib_term,
    triples,
)
from .host import public_root
from .lesion_map import pictures
from .pool import select_rows

bp = Blueprint("pages", __name__)

STATEMENT_CORE = {RDF.type, DKG.quote, PROV.wasDerivedFrom, DKG.citation, DKG.evidence}
HIERARCHY = (DKG.isaPartofParent, DKG.isaPartofAncestor)  # a module term's: shown as where it sits
SYNONYMS = (OBOINOWL.hasExactSynonym, OBOINOWL.hasRelatedSynonym, OBOINOWL.hasBroadSynonym,
            OBOINOWL.hasNarrowSynonym, SKOS.altLabel)
MAX_PAGE = 1_000_000  # a ?page= above this is refused as malformed, not looked up


@dataclass(frozen=True)
class GraphMark:
    """A named graph a triple shown on a page is in: its name (the last segment of its IRI) and its IRI."""

    name: str
    iri: str

    @classmethod
    def of(cls, iri: str) -> GraphMark:
        """The mark of the named graph ``iri``."""
        return cls(iri.rstrip("/").rsplit("/", 1)[-1], iri)


Marks = list[GraphMark]
Where = Callable[[Node, Node, Node], Marks]  # a triple → the named graphs it is in


def nowhere(s: Node, p: Node, o: Node) -> Marks:
    """For triples whose graphs are not known."""
    return []


@dataclass
class Link:
    """A term shown as a link: label and where it goes; the graphs of the triple that names it."""

    label: str
    href: str
    iri: str
    external: str = ""
    graphs: Marks = field(default_factory=list)


@dataclass
class Text:
    """A literal shown as text, with the graphs of the triple that gives it."""

    text: str
    graphs: Marks = field(default_factory=list)


@dataclass
class StatementRow:
    """A statement about the entity, as a table row."""

    link: Link
    title: str
    types: list[Link]
    quote: Text
    qualifiers: list[tuple[str, list[Link]]]
    source: list[Link]
    citations: list[dict[str, Any]]  # label, href, graphs (the citation triple's), doi and pmid where known
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
    definitions: list[Text] = field(default_factory=list)
    synonyms: list[Text] = field(default_factory=list)
    types: list[Link] = field(default_factory=list)
    parents: list[Link] = field(default_factory=list)
    matches: list[Link] = field(default_factory=list)
    facts: list[tuple[str, list[Link | Text]]] = field(default_factory=list)
    external_links: list[tuple[str, str]] = field(default_factory=list)
    statements: list[StatementRow] = field(default_factory=list)
    module: str = ""  # the ontology whose module holds the term (UBERON, MONDO, CHEBI), when it is a module term
    module_parents: list[Link] = field(default_factory=list)  # is_a or part_of, distance 1
    ancestors: list[AncestorRow] = field(default_factory=list)  # nearest first
    rolled_up: bool = False  # the statements include those about the term's parts and subclasses
    statement: StatementRow | None = None  # when the entity is a statement: itself, shown first by its quote


def _label(graph: Graph, node: URIRef) -> str:
    value = graph.value(node, RDFS.label) or graph.value(node, DCTERMS.title)
    return str(value) if value is not None else compact(str(node))


def _link(graph: Graph, node: URIRef, graphs: Marks | None = None) -> Link:
    iri = str(node)
    return Link(_label(graph, node), page_href(iri), iri,
                home_resolver(iri) if not iri.startswith(str(DKG)) else "", graphs or [])


def _named(graph: Graph, where: Where, s: URIRef, p: Node, o: Node) -> Link | Text:
    """The object of a triple as a link (an IRI), text (a literal) or an ellipsis (a blank node), with the triple's
    graphs."""
    if isinstance(o, URIRef):
        return _link(graph, o, where(s, p, o))
    return Text(str(o) if isinstance(o, Literal) else "…", where(s, p, o))


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


def _statement_row(graph: Graph, statement: URIRef, where: Where) -> StatementRow:
    qualifiers: dict[str, list[Link]] = defaultdict(list)
    for p, o in sorted(graph.predicate_objects(statement)):
        if p in STATEMENT_CORE or not isinstance(o, URIRef | Literal):
            continue
        name = compact(str(p)).removeprefix("dkg:")
        named = _named(graph, where, statement, p, o)
        qualifiers[name].append(named if isinstance(named, Link) else Link(named.text, "", "", graphs=named.graphs))
    citations = []
    for c in sorted(graph.objects(statement, DKG.citation), key=str):
        assert isinstance(c, URIRef)
        entry: dict[str, Any] = {"label": _label(graph, c), "href": page_href(str(c)),
                                 "graphs": where(statement, DKG.citation, c)}
        for doi in graph.objects(c, BIBO.doi):
            entry["doi"] = str(doi)
        for pmid in graph.objects(c, BIBO.pmid):
            entry["pmid"] = str(pmid)
        citations.append(entry)
    types = sorted((t for t in graph.objects(statement, RDF.type) if isinstance(t, URIRef)), key=str)
    quote = graph.value(statement, DKG.quote)

    def links(prop: URIRef) -> list[Link]:
        return [_link(graph, o, where(statement, prop, o)) for o in sorted(graph.objects(statement, prop), key=str)
                if isinstance(o, URIRef)]

    return StatementRow(
        link=Link(compact(str(statement)), page_href(str(statement)), str(statement)),
        title=statement_title(parts_from_graph(graph, statement), compact(str(statement))),
        types=sorted((_link(graph, t, where(statement, RDF.type, t)) for t in types), key=lambda t: t.label),
        quote=Text(str(quote or ""), where(statement, DKG.quote, quote) if quote is not None else []),
        qualifiers=sorted(qualifiers.items()),
        source=links(PROV.wasDerivedFrom),
        citations=citations,
        evidence=links(DKG.evidence),
    )


def _ancestors(node: URIRef, context: Graph, where: Where) -> list[AncestorRow]:
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
    return [AncestorRow(_link(context, a, where(node, DKG.isaPartofAncestor, a)), compact(str(a)),
                        [_link(context, p, where(a, DKG.isaPartofParent, p)) for p in parents[a]]) for a in order]


def build_view(iri: str, graph: Graph, context: Graph | None = None, where: Where = nowhere) -> EntityView:
    """Turn a self-contained description into what the page shows; with a module term's ``context``
    (``graph.describe.context_query``), where it sits in its module and the statements about its parts and
    subclasses too. ``where`` names the graphs of each triple shown."""
    node = URIRef(iri)
    view = EntityView(iri, _label(graph, node), compact(iri))
    view.definitions = [Text(str(d), where(node, IAO_DEFINITION, d))
                        for d in sorted(graph.objects(node, IAO_DEFINITION), key=str)]
    synonyms: dict[str, Marks] = defaultdict(list)
    for prop in SYNONYMS:
        for synonym in graph.objects(node, prop):
            synonyms[str(synonym)] += [m for m in where(node, prop, synonym) if m not in synonyms[str(synonym)]]
    view.synonyms = [Text(text, marks) for text, marks in sorted(synonyms.items())]
    view.types = [_link(graph, t, where(node, RDF.type, t)) for t in sorted(graph.objects(node, RDF.type), key=str)
                  if isinstance(t, URIRef)]
    parents = sorted(graph.objects(node, RDFS.subClassOf), key=str)
    view.parents = [_link(graph, p, where(node, RDFS.subClassOf, p)) for p in parents if isinstance(p, URIRef)]
    view.matches = [_link(graph, m, where(node, p, m)) for p in (SKOS.exactMatch, SKOS.closeMatch, SKOS.relatedMatch)
                    for m in sorted(graph.objects(node, p), key=str) if isinstance(m, URIRef)]
    shown = {RDF.type, RDFS.subClassOf, RDFS.label, IAO_DEFINITION, *SYNONYMS, SKOS.exactMatch, SKOS.closeMatch,
             SKOS.relatedMatch, *HIERARCHY}
    # A statement (as graph.describe.statement_node tells one: a quote, or the class of HPO's annotations): its
    # title heads the page, and its quote comes first.
    if (node, DKG.quote, None) in graph or (node, RDF.type, DKG.DiseasePhenotypeAnnotation) in graph:
        view.statement = _statement_row(graph, node, where)
        view.label = view.statement.title
        shown.add(DKG.quote)
    facts: dict[str, list[Link | Text]] = defaultdict(list)
    for p, o in sorted(graph.predicate_objects(node)):
        if p in shown or not isinstance(p, URIRef):
            continue
        key = _label(graph, p) if (p, RDFS.label, None) in graph else compact(str(p))
        facts[key].append(_named(graph, where, node, p, o))
    view.facts = sorted(facts.items())
    view.external_links = _external_links(iri, graph)
    statements = sorted({s for s, _, o in graph if o == node and isinstance(s, URIRef)
                         and (s, DKG.quote, None) in graph})
    rows = {statement: _statement_row(graph, statement, where) for statement in statements}
    for statement, row in rows.items():
        row.direct = _roles(graph, statement, node)
    if context is not None:
        view.ancestors = _ancestors(node, context, where)
        view.module_parents = sorted((_link(context, p, where(node, DKG.isaPartofParent, p))
                                      for p in context.objects(node, DKG.isaPartofParent) if isinstance(p, URIRef)),
                                     key=lambda link: link.label.lower())
        under = set(context.subjects(DKG.isaPartofAncestor, node))  # the parts and subclasses statements name
        for statement in sorted({s for s in context.subjects(DKG.quote, None) if isinstance(s, URIRef)}):
            values = sorted({o for o in context.objects(statement, None) if o in under}, key=str)
            if not values:
                continue
            row = rows.get(statement) or _statement_row(context, statement, where)
            named = [(_link(context, v), _roles(context, statement, v)) for v in values if isinstance(v, URIRef)]
            row.via = sorted(named, key=lambda via: via[0].label.lower())
            rows[statement] = row
            view.rolled_up = True
        if view.ancestors or view.rolled_up:
            view.module = view.curie.split(":", 1)[0]
    view.statements = [rows[s] for s in sorted(rows)]
    return view


def requested_page() -> int:
    """The page of incoming links a request asks for (``?page=``, from 1; 1 without it); 400 when malformed."""
    value = request.args.get("page", "1")
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= MAX_PAGE:
        raise errors.bad_request(f"page must be a whole number from 1 to {MAX_PAGE}, not {value[:40]!r}")
    return int(value)


def render_entity(iri: str, external: bool = False) -> Response:
    """The HTML page of an IRI, with alternates, embedded JSON-LD and the page of incoming links ``?page=`` asks
    for."""
    cat = catalog()
    number = requested_page()
    # An external IRI's page links its alternates through /describe, a local one's through /data: two documents.
    page = cat.documents.get(("page", iri, "external" if external else "local", str(number)),
                             lambda: _rendered(iri, external, number))
    response = Response(page.body, 200, content_type=formats.utf8(formats.HTML))
    response.last_modified = cat.published_at
    response.set_etag(page.etag)
    documents = {media: public_root() + url for media, url in _rdf_documents(iri, external).items()}
    signposting.add(response, signposting.entity_page(iri, documents, cat.rdf_type(iri), local=not external))
    response.make_conditional(request)
    return response


# One page rendered at a time, two more waiting: a crawl, however many connections it opens, takes at most one
# core of the server's process (two connections crawling took both, and tripled a steady client's p99).
RENDERING = Slots("page rendering", running=1, waiting=2, wait=5.0)


def _rendered(iri: str, external: bool, number: int) -> bytes:
    with RENDERING.turn():
        return _entity_html(iri, external, number).encode()


def _page_url(iri: str, external: bool, number: int) -> str:
    """The URL of page ``number`` of an entity page's incoming links."""
    if external:
        return "/describe?" + urlencode({"uri": iri, "format": "html", "page": number}) + "#incoming"
    return page_href(iri) + f"?page={number}#incoming"


def _entity_html(iri: str, external: bool, number: int) -> str:
    cat = catalog()
    quads = describe_quads(iri)
    graph, where = _graph(quads)
    context = None
    if external:
        context, in_context = _graph(context_quads(iri))
        where = _either(where, in_context)
    pointers = incoming_links(iri, number)
    if number > pointers.pages:
        raise errors.not_found(f"no page {number} of what points at {compact(iri)[:200]}: "
                               f"{pointers.total} statement link(s), {pointers.pages} page(s)")
    view = build_view(iri, graph, context, where)
    alternates = _rdf_documents(iri, external)
    pages = {n: _page_url(iri, external, n) for n in (number - 1, number + 1) if 1 <= n <= pointers.pages}
    # Rendered by the template's tojson filter, which escapes <, > and &: a literal holding
    # "</script>" cannot close the element.
    return render_template("entity.html", view=view, alternates=alternates, jsonld=jsonld_object(triples(quads), cat),
                           jsonld_type=formats.media_type("jsonld"), external=external, catalog=cat,
                           incoming=pointers, previous=pages.get(number - 1), next=pages.get(number + 1),
                           incoming_roles=[(role, [(_pointer(p), compact(p.iri)) for p in role.statements])
                                           for role in pointers.roles])


def _pointer(pointer: Pointer) -> Link:
    """A statement pointing at the page's entity, as a link titled by its content."""
    return Link(pointer.title, page_href(pointer.iri), pointer.iri, graphs=[GraphMark.of(g) for g in pointer.graphs])


def _graph(quads: list[ox.Quad]) -> tuple[Graph, Where]:
    """The triples of ``quads`` as one graph, and where each triple is."""
    graph = Graph()
    index: dict[tuple[Node, Node, Node], Marks] = defaultdict(list)
    for quad in quads:
        triple = (rdflib_term(quad.subject), rdflib_term(quad.predicate), rdflib_term(quad.object))
        graph.add(triple)
        if isinstance(quad.graph_name, ox.NamedNode):  # always, from GRAPH ?g
            index[triple].append(GraphMark.of(quad.graph_name.value))
    return graph, lambda s, p, o: sorted(index.get((s, p, o), []), key=lambda m: m.name)


def _either(first: Where, second: Where) -> Where:
    """The graphs either index knows for a triple."""
    return lambda s, p, o: sorted({*first(s, p, o), *second(s, p, o)}, key=lambda m: m.name)


def _rdf_documents(iri: str, external: bool) -> dict[str, str]:
    """Media type → URL (from the root) of each RDF document about ``iri``: through /describe for an external IRI,
    through /data for a local one."""
    if external:
        base = "/describe?" + urlencode({"uri": iri}) + "&format="
        return {formats.media_type(ext): base + ext for ext in RDF_DOCUMENTS.keys}
    return {formats.media_type(ext): f"/data/{iri[len(str(DKG)):]}.{ext}" for ext in RDF_DOCUMENTS.keys}


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
    # The same for every request of a release: rendered once, then from its document cache (rendering it for
    # each request let one client keep the server process busy: helper-47).
    html = cat.documents.get(("home",), lambda: render_template(
        "home.html", pictures=pictures(), catalog=cat, counts=cat.manifest.get("graphs", {}),
        version=release.version if release else "", hpo=release.hpo if release else {},
        modules=release.modules if release else {}).encode()).body
    response = Response(html, 200, content_type=formats.utf8(formats.HTML))
    signposting.add(response, signposting.landing(release.dumps if release else []))
    return response


ONTOLOGY_TERMS = f"""
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX obo: <http://purl.obolibrary.org/obo/>
SELECT ?term ?kind ?label ?definition (GROUP_CONCAT(DISTINCT STR(?parent); separator=" ") AS ?parents)
       ?domain ?range
WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{
  VALUES ?kind {{ owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty owl:NamedIndividual }}
  ?term a ?kind FILTER(STRSTARTS(STR(?term), "{DKG}"))
  OPTIONAL {{ ?term rdfs:label ?label }} OPTIONAL {{ ?term obo:IAO_0000115 ?definition }}
  OPTIONAL {{ ?term rdfs:subClassOf ?parent FILTER(isIRI(?parent)) }}
  OPTIONAL {{ ?term rdfs:domain ?domain }} OPTIONAL {{ ?term rdfs:range ?range }}
}} }} GROUP BY ?term ?kind ?label ?definition ?domain ?range ORDER BY ?kind ?label ?term"""
# The parents' labels, wherever they are (an external parent's in its ontology's graph: HPO, UBERON...).
PARENT_LABELS = f"""
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?parent (MIN(STR(?label)) AS ?parentLabel)
WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?term rdfs:subClassOf ?parent FILTER(isIRI(?parent)) }}
        ?parent rdfs:label ?label }}
GROUP BY ?parent"""
META = f"""SELECT ?p ?o WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ <{ONTOLOGY_IRI}> ?p ?o }} }} ORDER BY ?p ?o"""


@bp.route("/ontology.html")
def ontology_page() -> Response:
    """The ontology documented as HTML: metadata, then classes, properties and individuals."""
    documents = {formats.media_type(e): f"/ontology/doc.{e}" for e in RDF_DOCUMENTS.keys}
    # The same for every request of a release, as the home page.
    html = catalog().documents.get(("ontology-page",), lambda: _ontology_html(documents).encode()).body
    response = Response(html, 200, content_type=formats.utf8(formats.HTML))
    root = public_root()
    signposting.add(response, signposting.entity_page(
        str(ONTOLOGY_IRI), {media: root + url for media, url in documents.items()}, str(OWL.Ontology), local=True))
    return response


def _ontology_html(documents: dict[str, str]) -> str:
    sections: dict[str, list[dict[str, object]]] = defaultdict(list)
    names = {str(OWL.Class): "Classes", str(OWL.ObjectProperty): "Object properties",
             str(OWL.DatatypeProperty): "Datatype properties", str(OWL.AnnotationProperty): "Annotation properties",
             str(OWL.NamedIndividual): "Individuals"}
    labels = {row["parent"]: row["parentLabel"] for row in select_rows(PARENT_LABELS)}
    for row in select_rows(ONTOLOGY_TERMS):
        parents = sorted(row.get("parents", "").split(), key=lambda p: (labels.get(p, compact(p)).lower(), p))
        sections[names[row["kind"]]].append({
            "curie": compact(row["term"]), "href": page_href(row["term"]), "anchor": compact(row["term"]),
            "label": row.get("label", ""), "definition": row.get("definition", ""),
            "parents": [(labels.get(p, compact(p)), compact(p), page_href(p)) for p in parents],
            "domain": compact(row["domain"]) if "domain" in row else "",
            "range": compact(row["range"]) if "range" in row else "",
        })
    metadata = [(compact(r["p"]), r["o"]) for r in select_rows(META)]
    order = ["Classes", "Object properties", "Datatype properties", "Annotation properties", "Individuals"]
    return render_template("ontology.html", metadata=metadata, sections=[(n, sections[n]) for n in order],
                           iri=str(ONTOLOGY_IRI), alternates=documents)
