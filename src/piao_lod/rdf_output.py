"""Write plans as RDF, plan by plan, byte-identical for the same input.

Each plan's triples are sorted and handed to Oxigraph's serialiser as a stream, so memory
holds one plan at a time whatever the number of plans. Formats with named graphs (TriG,
N-Quads) keep one graph per plan; the others hold the union of the plans, where what
several plans say of their ente (the ente itself, settori, dirigenti, indicators) is
written once, by the first plan that says it.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import BinaryIO

import pyoxigraph as ox

from piao_lod.plan_graph import plan_graph_name, plan_triples
from piao_lod.rdf_formats import RdfFormat, format_named
from piao_lod.records import Plan


def sort_key(term_holder) -> str:
    return str(term_holder)


def sorted_plan_triples(plan: Plan, base: str) -> list[ox.Triple]:
    return sorted(plan_triples(plan, base), key=sort_key)


PlanTriples = Callable[[Plan, str], Sequence[ox.Triple]]


def plan_statements(plans: Iterable[Plan], base: str, fmt: RdfFormat,
                    triples_of: PlanTriples = sorted_plan_triples) -> Iterator[ox.Triple | ox.Quad]:
    """The stream a serialiser reads: each plan's statements sorted (``triples_of``: made by a worker, say),
    plans in the order given."""
    shared_written: set[ox.Triple] = set()
    for plan in plans:
        graph = plan_graph_name(plan, base)
        triples = triples_of(plan, base)
        if fmt.named_graphs:
            for triple in triples:
                yield ox.Quad(triple.subject, triple.predicate, triple.object, graph)
            continue
        plan_prefix = graph.value + "/"
        for triple in triples:
            subject = triple.subject.value
            if subject == graph.value or subject.startswith(plan_prefix):
                yield triple                  # only this plan describes its own resources
            elif triple not in shared_written:
                shared_written.add(triple)
                yield triple


def write_plans(plans: Iterable[Plan], base: str, fmt: RdfFormat | str, output: BinaryIO,
                triples_of: PlanTriples = sorted_plan_triples) -> None:
    fmt = format_named(fmt) if isinstance(fmt, str) else fmt
    fmt.serialize(plan_statements(plans, base, fmt, triples_of), output)


def serialize_plans(plans: Sequence[Plan], base: str, fmt: RdfFormat | str) -> bytes:
    """The plans in one RDF format, as bytes (``fmt``: a registry format or its name, e.g. ``"ttl"``)."""
    buffer = io.BytesIO()
    write_plans(plans, base, fmt, buffer)
    return buffer.getvalue()
