"""Write plans as RDF, plan by plan, byte-identical for the same input.

Each plan's triples are sorted and handed to Oxigraph's serialiser as a stream as soon as the plan
is read, so memory holds one plan at a time whatever the number of plans, and of the plans already
written only their outlines: the plans' own graphs (their versions' order, written last) need only
each plan's IRI, version IRI and adoption date. Formats with named graphs (TriG, N-Quads) keep one
graph per plan; the others hold the union of the plans, where what several plans say of their ente
(the ente itself, settori, dirigenti, indicators) is written once, by the first plan that says it,
and what the versions of one plan say of it (objectives...) likewise: see :class:`WrittenBefore`.
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing, nullcontext
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from piao_lod.iris import PlanIris
from piao_lod.plan_graph import plan_iris, plan_triples
from piao_lod.plan_pool import packed, triples_of, unpacked
from piao_lod.plan_versions import entries_in_order_given, indexes
from piao_lod.rdf_formats import RdfFormat, format_named
from piao_lod.records import Plan

PackedPlan = tuple[Plan, bytes]   # a plan (or its conversion.PlanOutline) and its sorted triples, plan_pool.packed


def sort_key(term_holder) -> str:
    return str(term_holder)


def sorted_plan_triples(plan: Plan, base: str) -> list[ox.Triple]:
    return sorted(plan_triples(plan, base), key=sort_key)


class WrittenBefore:
    """What the plans written so far said, for a union format to write each triple once without holding every
    plan: what a version says (the version, its document and rows) is its own; what the versions of one plan say
    of it (objectives...) is written by the first version that says it; what plans say of their ente, by the first
    plan of that ente. Every subject a plan mints is its ente's IRI or under it, so no two enti say the same triple.

    Each plan's packed triples go to ``spool`` (a temporary file) and only (plan, version, offset, length) stays in
    memory, by ente; what the plans of the ente written last said of it is held, and read back from the spool when
    an ente comes back after another (tables not given ente by ente), as what the versions of a plan said of it
    when another version of it comes."""

    def __init__(self, spool: BinaryIO):
        self.spool = spool
        self.spooled: dict[str, list[tuple[str, str, int, int]]] = {}   # ente IRI -> its plans' places in the spool
        self.ente: str | None = None
        self.of_ente: set[ox.Triple] = set()

    def unwritten(self, iris: PlanIris, triples: Sequence[ox.Triple], packed_triples: bytes) -> Iterator[ox.Triple]:
        """The plan's triples that no plan written before said (``triples`` are ``packed_triples`` parsed; a plan's
        triples are distinct)."""
        if iris.ente != self.ente:
            self.ente, self.of_ente = iris.ente, self.said_before(iris.ente)
        of_plan = self.said_before(iris.ente, iris.plan)          # nothing to read back for a plan's first version
        for triple in triples:
            subject = triple.subject.value
            if is_under(subject, iris.version):
                yield triple
            elif is_under(subject, iris.plan):
                if triple not in of_plan:
                    yield triple
            elif triple not in self.of_ente:
                self.of_ente.add(triple)
                yield triple
        offset = self.spool.seek(0, io.SEEK_END)
        self.spool.write(packed_triples)
        self.spooled.setdefault(iris.ente, []).append((iris.plan, iris.version, offset, len(packed_triples)))

    def said_before(self, ente: str, plan: str | None = None) -> set[ox.Triple]:
        """What the plans of ``ente`` written so far said of it, or, given ``plan``, what its versions said of it."""
        said = set()
        for spooled_plan, version, offset, length in self.spooled.get(ente, ()):
            if plan is not None and spooled_plan != plan:
                continue
            self.spool.seek(offset)
            for triple in triples_of(self.spool.read(length)):
                subject = triple.subject.value
                if not is_under(subject, version) and is_under(subject, spooled_plan) == (plan is not None):
                    said.add(triple)
        return said


def is_under(subject: str, iri: str) -> bool:
    return subject == iri or subject.startswith(iri + "/")


def plan_statements(plans: Iterable[PackedPlan], base: str, fmt: RdfFormat,
                    spool_dir: str | Path | None = None) -> Iterator[ox.Triple | ox.Quad]:
    """The stream a serialiser reads: each plan version's sorted statements as the plan arrives, in the order
    given, then the plans' own graphs. A union format spools what was written to a temporary file in ``spool_dir``
    (default: the system's), removed when the stream is closed (on Linux it has no name at all)."""
    given = []
    spooling = nullcontext() if fmt.named_graphs else tempfile.TemporaryFile(prefix=".piao-lod-spool-", dir=spool_dir)
    with spooling as spool:
        written = WrittenBefore(spool) if spool is not None else None
        for plan, packed_triples in plans:
            iris = plan_iris(plan, base)
            given.append(version_entry(plan, base))
            triples = triples_of(packed_triples)
            if fmt.named_graphs:
                graph = ox.NamedNode(iris.version)
                for triple in triples:
                    yield ox.Quad(triple.subject, triple.predicate, triple.object, graph)
            else:
                yield from written.unwritten(iris, triples, packed_triples)
    for quad in indexes(entries_in_order_given(given)):
        yield quad if fmt.named_graphs else quad.triple


def version_entry(plan: Plan, base: str) -> tuple[str, str, dt.date | None]:
    """What the plan's own graph needs of one of its versions (a Plan or its outline)."""
    iris = plan_iris(plan, base)
    return iris.plan, iris.version, plan.version.adopted


def plan_version_indexes(plans: Sequence[Plan], base: str) -> list[ox.Quad]:
    """Each plan's own graph: its versions in the order given (see :mod:`piao_lod.plan_versions`)."""
    return indexes(entries_in_order_given([version_entry(plan, base) for plan in plans]))


def write_packed_plans(plans: Iterable[PackedPlan], base: str, fmt: RdfFormat, output: BinaryIO,
                       spool_dir: str | Path | None = None) -> None:
    """Write each plan as it arrives (see :func:`plan_statements`)."""
    if fmt.oxigraph == ox.RdfFormat.N_QUADS:
        write_nquads_lines(plans, base, output)
        return
    with closing(plan_statements(plans, base, fmt, spool_dir)) as statements:
        fmt.serialize(statements, output)


def write_nquads_lines(plans: Iterable[PackedPlan], base: str, output: BinaryIO) -> None:
    """N-Quads without parsing the workers' N-Triples again: each line is their line with the graph put before its
    final " ." (the bytes Oxigraph's N-Quads serialiser writes for the same quad; the parent of a national
    ``convert`` spent two thirds of its time parsing and serialising them again)."""
    written = []
    for plan, packed_triples in plans:
        written.append(plan)
        graph = f" <{plan_iris(plan, base).version}> .\n".encode()
        output.writelines(line[:-3] + graph for line in unpacked(packed_triples).splitlines(keepends=True))
    ox.serialize(plan_version_indexes(written, base), output, format=ox.RdfFormat.N_QUADS)


def write_plans(plans: Iterable[Plan], base: str, fmt: RdfFormat | str, output: BinaryIO) -> None:
    fmt = format_named(fmt) if isinstance(fmt, str) else fmt
    write_packed_plans(((plan, packed(sorted_plan_triples(plan, base))) for plan in plans), base, fmt, output)


def serialize_plans(plans: Sequence[Plan], base: str, fmt: RdfFormat | str) -> bytes:
    """The plans in one RDF format, as bytes (``fmt``: a registry format or its name, e.g. ``"ttl"``)."""
    buffer = io.BytesIO()
    write_plans(plans, base, fmt, buffer)
    return buffer.getvalue()
