"""The ontology's documentation page and its RDF beside it, byte-identical from build to build.

The page is the site's own template (``ontology.html``): pyLODE 3.3 was tried first, but its
page changed from run to run (it walks sets of blank nodes), took the ``piao:TargetKinds``
scheme for the ontology, and failed the site's accessibility checks (no language, no landmarks,
not responsive). The ontology's blank nodes (a union domain, an anonymous inverse) get stable
labels from ``rdflib.compare.to_canonical_graph``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, SKOS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.compare import to_canonical_graph

from piao_lod.messages import N_, gettext
from piao_lod.namespaces import PIAO
from piao_lod.resources import ontology_file
from piao_lod.website.resource_files import write_resource_files

ONTOLOGY_IRI = URIRef("https://w3id.org/piao-lod/ontology")
SECTIONS = ((N_("Classes"), OWL.Class), (N_("Object properties"), OWL.ObjectProperty),
            (N_("Datatype properties"), OWL.DatatypeProperty), (N_("Individuals"), OWL.NamedIndividual))


@lru_cache(maxsize=1)
def canonical_ontology() -> Graph:
    source = Graph().parse(data=ontology_file("piao.ttl").read_text(encoding="utf-8"), format="turtle")
    canonical = Graph()
    for prefix, namespace in source.namespaces():
        canonical.bind(prefix, namespace)
    for triple in to_canonical_graph(source):
        canonical.add(triple)
    return canonical


def as_oxigraph(term):
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)) if term.datatype else None)


def write_ontology_files(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    write_resource_files(directory, [ox.Triple(*map(as_oxigraph, triple)) for triple in canonical_ontology()])


@dataclass
class Term:
    iri: str
    local: str
    labels: dict[str, str]
    comments: dict[str, str]
    parents: list[str] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    ranges: list[str] = field(default_factory=list)


def text_by_language(graph: Graph, subject, predicate) -> dict[str, str]:
    return {value.language or "": str(value) for value in sorted(graph.objects(subject, predicate), key=str)
            if isinstance(value, Literal)}


def named(graph: Graph, node) -> list[str]:
    """A class expression as named classes: itself, or the members of its owl:unionOf."""
    if isinstance(node, URIRef):
        return [str(node)]
    union = graph.value(node, OWL.unionOf)
    return [str(member) for member in Collection(graph, union)] if union is not None else []


def ontology_sections(lang: str = "it") -> tuple[dict, list[tuple[str, list[Term]]]]:
    """The ontology's header (title, version...) and its own terms by kind, in name order; section titles in ``lang``."""
    return ontology_header(), [(gettext(lang, title), terms) for title, terms in ontology_terms()]


@lru_cache(maxsize=1)
def ontology_header() -> dict:
    graph = canonical_ontology()
    return {"iri": str(ONTOLOGY_IRI), "titles": text_by_language(graph, ONTOLOGY_IRI, URIRef("http://purl.org/dc/terms/title")),
            "descriptions": text_by_language(graph, ONTOLOGY_IRI, URIRef("http://purl.org/dc/terms/description")),
            "version": str(graph.value(ONTOLOGY_IRI, OWL.versionInfo) or ""),
            "version_iri": str(graph.value(ONTOLOGY_IRI, OWL.versionIRI) or "")}


@lru_cache(maxsize=1)
def ontology_terms() -> tuple[tuple[str, list[Term]], ...]:
    """The ontology's own terms by kind (section titles in English), in name order."""
    graph = canonical_ontology()
    sections = []
    for title, kind in SECTIONS:
        terms = []
        for subject in sorted(set(graph.subjects(RDF.type, kind)), key=str):
            if not isinstance(subject, URIRef) or not str(subject).startswith(str(PIAO)):
                continue
            comments = text_by_language(graph, subject, RDFS.comment) or text_by_language(graph, subject, SKOS.definition)
            terms.append(Term(str(subject), str(subject)[len(str(PIAO)):], text_by_language(graph, subject, RDFS.label)
                              or text_by_language(graph, subject, SKOS.prefLabel), comments,
                              sorted(p for node in graph.objects(subject, RDFS.subClassOf) for p in named(graph, node))
                              + sorted(str(p) for p in graph.objects(subject, RDFS.subPropertyOf) if isinstance(p, URIRef)),
                              sorted(d for node in graph.objects(subject, RDFS.domain) for d in named(graph, node)),
                              sorted(r for node in graph.objects(subject, RDFS.range) for r in named(graph, node))))
        sections.append((title, terms))
    return tuple(sections)
