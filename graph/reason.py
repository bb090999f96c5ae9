"""OWL reasoning with owlready2 and HermiT: the only module that imports owlready2.

owlready2 cannot read Turtle, so the graph is handed over as N-Triples. What HermiT infers
(owlready2 keeps it apart in its ``http://inferrences/`` ontology) is returned as its own graph so
that the release can keep inferred triples in a named graph of their own.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from rdflib import OWL, RDF, RDFS, Graph, URIRef


class ReasonerError(Exception):
    """The ontology is inconsistent or has unsatisfiable classes."""

    def __init__(self, message: str, unsatisfiable: list[str] | None = None) -> None:
        self.unsatisfiable = unsatisfiable or []
        super().__init__(message)


@dataclass(frozen=True)
class Inference:
    """HermiT's result: the triples it added."""

    graph: Graph

    @property
    def subclass_links(self) -> int:
        """How many inferred ``rdfs:subClassOf`` links."""
        return len(set(self.graph.triples((None, RDFS.subClassOf, None))))

    @property
    def type_assertions(self) -> int:
        """How many inferred ``rdf:type`` assertions."""
        return len(set(self.graph.triples((None, RDF.type, None))))


_TRIVIAL_OBJECTS = {OWL.Thing, OWL.NamedIndividual, OWL.Class, OWL.Ontology}


def reason(graph: Graph) -> Inference:
    """Check consistency and classify with HermiT; raise :class:`ReasonerError` naming the problem.

    One HermiT run over the whole graph. Its time grows with the statements, under a millisecond each (bench/
    scale.py), as long as the ontology has no nominal: with one, HermiT takes every statement into each class test
    (``tests/test_reason.py`` keeps the ontology free of them).
    """
    return Inference(_hermit(graph))


def _hermit(graph: Graph) -> Graph:
    """What HermiT infers beyond ``graph``."""
    import owlready2

    with tempfile.TemporaryDirectory(prefix="dkg-reason-") as tmp:
        source = Path(tmp) / "input.nt"
        graph.serialize(source, format="nt", encoding="utf-8")
        world = owlready2.World()
        world.get_ontology(source.as_uri()).load(format="ntriples")
        try:
            # Outside a `with ontology:` block owlready2 files inferences under http://inferrences/.
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError as exc:
            raise ReasonerError(f"the ontology is inconsistent (HermiT): {exc}") from exc
        unsatisfiable = sorted(c.iri for c in world.inconsistent_classes() if c is not owlready2.Nothing)
        if unsatisfiable:
            raise ReasonerError(
                "unsatisfiable classes (equivalent to owl:Nothing): " + ", ".join(unsatisfiable), unsatisfiable
            )
        inferred_path = Path(tmp) / "inferred.nt"
        world.get_ontology("http://inferrences/").save(file=str(inferred_path), format="ntriples")
        raw = Graph().parse(inferred_path, format="nt")
    classes = set(graph.subjects(RDF.type, OWL.Class))
    inferred = Graph()
    for s, p, o in raw:
        if not isinstance(s, URIRef) or not isinstance(o, URIRef) or s == o or o in _TRIVIAL_OBJECTS:
            continue
        if (s, p, o) in graph:
            continue
        # A class used as a value (punning) comes back from owlready2 typed by its superclasses:
        # that is an artefact of the round trip, not an inference about an individual.
        if (p == RDF.type and s not in classes) or (p == RDFS.subClassOf and s in classes):
            inferred.add((s, p, o))
    return inferred
