"""Oxigraph terms and triples as rdflib ones, for the edges that need rdflib (pyshacl, the public API).

Inside the pipeline every graph is Oxigraph's; this is the one place that crosses over.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_rdflib(value) -> Node | None:
    if value is None:
        return None
    if isinstance(value, ox.NamedNode):
        return URIRef(value.value)
    if isinstance(value, ox.BlankNode):
        return BNode(value.value)
    if value.language:
        return Literal(value.value, lang=value.language)
    if value.datatype.value == XSD_STRING:
        return Literal(value.value)    # rdflib keeps plain and xsd:string literals apart; RDF 1.1 does not
    return Literal(value.value, datatype=URIRef(value.datatype.value))


def add_triples(graph: Graph, triples: Iterable[ox.Triple]) -> Graph:
    for triple in triples:
        graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
    return graph


def to_oxigraph(value):
    """An rdflib term as an Oxigraph one."""
    if isinstance(value, URIRef):
        return ox.NamedNode(str(value))
    if isinstance(value, BNode):
        return ox.BlankNode(str(value))
    if value.language:
        return ox.Literal(str(value), language=value.language)
    return ox.Literal(str(value), datatype=ox.NamedNode(str(value.datatype))) if value.datatype else ox.Literal(str(value))
