"""Oxigraph terms and triples as rdflib ones, for the edges that need rdflib (pyshacl, the public API).

Inside the pipeline every graph is Oxigraph's; this is the one place that crosses over.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.processor import SPARQLProcessor
from rdflib.term import Node

from piao_lod.terminal_text import TERMINAL_CONTROLS

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


TRANSLATED_QUERIES: dict = {}


@contextmanager
def sparql_texts_translated_once() -> Iterator[None]:
    """Within the block, rdflib parses each SPARQL text once per process and reuses the translated query (a
    prepared query, which rdflib evaluates again with other bindings). pyshacl hands rdflib the text of a SPARQL
    constraint anew for every shape and target it checks, and rdflib's parser was most of a pyshacl run's time."""
    original = SPARQLProcessor.query

    def query(self, query_or_text, initBindings=None, initNs=None, base=None, DEBUG=False):  # noqa: N803
        if isinstance(query_or_text, str):
            key = (query_or_text, base, tuple(sorted((initNs or {}).items())))
            if key not in TRANSLATED_QUERIES:
                TRANSLATED_QUERIES[key] = translateQuery(parseQuery(query_or_text), base, initNs)
            query_or_text = TRANSLATED_QUERIES[key]
        return original(self, query_or_text, initBindings, initNs, base, DEBUG)

    SPARQLProcessor.query = query
    try:
        yield
    finally:
        SPARQLProcessor.query = original


def turtle_text(graph: Graph) -> str:
    """``graph`` in Turtle, the control characters of its literals written ``\\u001B`` as Oxigraph writes them:
    rdflib writes them as they are (valid Turtle, but an ESC from a cell would reach the terminal). Only literals
    can hold them, so the whole text is escaped at once."""
    return TERMINAL_CONTROLS.sub(lambda found: f"\\u{ord(found[0]):04X}", graph.serialize(format="turtle"))
