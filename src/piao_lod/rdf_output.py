"""Write plans as RDF, plan by plan, byte-identical for the same input.

Each plan's triples are sorted and handed to Oxigraph's serialiser as a stream, so memory
holds one plan at a time whatever the number of plans. Formats with named graphs (TriG,
N-Quads) keep one graph per plan; the others hold the union of the plans, where what
several plans say of their ente (the ente itself, settori, dirigenti, indicators) is
written once, by the first plan that says it.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from typing import BinaryIO

import pyoxigraph as ox

from piao_lod.plan_graph import plan_iris, plan_triples
from piao_lod.plan_versions import entries_in_order_given, indexes
from piao_lod.rdf_formats import RdfFormat, format_named
from piao_lod.records import Plan


def sort_key(term_holder) -> str:
    return str(term_holder)


def sorted_plan_triples(plan: Plan, base: str) -> list[ox.Triple]:
    return sorted(plan_triples(plan, base), key=sort_key)


PlanTriples = Callable[[Plan, str], Sequence[ox.Triple]]


def plan_statements(plans: Sequence[Plan], base: str, fmt: RdfFormat,
                    triples_of: PlanTriples = sorted_plan_triples) -> Iterator[ox.Triple | ox.Quad]:
    """The stream a serialiser reads: each plan version's statements sorted (``triples_of``: made by a
    worker, say), in the order given.

    In the union formats each triple is written once: what only a version says (the version, its document
    and rows) is unique to it; what the versions of one plan say of it (objectives...) is deduplicated
    while that plan's versions are being written; what plans say of their ente, in a set of its own."""
    versions_of = Counter(plan_iris(plan, base).plan for plan in plans)
    seen_in_plan: dict[str, set[ox.Triple]] = {}
    shared_written: set[ox.Triple] = set()
    for plan in plans:
        iris = plan_iris(plan, base)
        graph = ox.NamedNode(iris.version)
        triples = triples_of(plan, base)
        if fmt.named_graphs:
            for triple in triples:
                yield ox.Quad(triple.subject, triple.predicate, triple.object, graph)
            continue
        for triple in triples:
            subject = triple.subject.value
            if subject == iris.version or subject.startswith(iris.version + "/"):
                yield triple
            elif subject == iris.plan or subject.startswith(iris.plan + "/"):
                if versions_of[iris.plan] == 1:
                    yield triple
                elif triple not in (seen := seen_in_plan.setdefault(iris.plan, set())):
                    seen.add(triple)
                    yield triple
            elif triple not in shared_written:
                shared_written.add(triple)
                yield triple
        versions_of[iris.plan] -= 1
        if not versions_of[iris.plan]:
            seen_in_plan.pop(iris.plan, None)
    for quad in plan_version_indexes(plans, base):
        yield quad if fmt.named_graphs else quad.triple


def plan_version_indexes(plans: Sequence[Plan], base: str) -> list[ox.Quad]:
    """Each plan's own graph: its versions in the order given (see :mod:`piao_lod.plan_versions`)."""
    given = []
    for plan in plans:
        iris = plan_iris(plan, base)
        given.append((iris.plan, iris.version, plan.version.adopted))
    return indexes(entries_in_order_given(given))


def write_plans(plans: Sequence[Plan], base: str, fmt: RdfFormat | str, output: BinaryIO,
                triples_of: PlanTriples = sorted_plan_triples) -> None:
    fmt = format_named(fmt) if isinstance(fmt, str) else fmt
    fmt.serialize(plan_statements(plans, base, fmt, triples_of), output)


def serialize_plans(plans: Sequence[Plan], base: str, fmt: RdfFormat | str) -> bytes:
    """The plans in one RDF format, as bytes (``fmt``: a registry format or its name, e.g. ``"ttl"``)."""
    buffer = io.BytesIO()
    write_plans(plans, base, fmt, buffer)
    return buffer.getvalue()
