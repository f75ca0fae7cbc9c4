"""Inputs written into a store a bounded batch of quads at a time, never held whole in memory.

:func:`piao_lod.graph_inputs.load_inputs` reads every input into an in-memory
store before anything is written: simple, and right for a few plans, but it
held 2.4 GB for 1.85 million quads (the whole corpus, then its N-Quads dump).
``load`` instead goes in two steps:

1. :func:`scan_inputs`, before the store is touched: each RDF file is parsed
   once as a stream, keeping only the names of the graphs it writes (so a
   syntax error is reported, with file and line, before anything is written,
   and the load knows which graphs it replaces);
2. :meth:`ScannedInputs.write_into` the new store (the staging copy, swapped
   in only once it is complete): each file parsed again and its quads written
   :data:`BATCH_QUADS` at a time; then the plan tables converted, in worker
   processes (unchanged ones from the cache), each plan's triples written as
   it arrives and only its :class:`PlanOutline` kept (holding every plan's
   records until the end cost ≈ 0.4 MB a plan).

Where the triples go is :func:`piao_lod.graph_inputs.default_graph_of`: named
graphs keep their names, default-graph triples go to the one plan version they
describe, else to a graph named after the file; plans' own graphs (their
versions' order) are made again by the load, not taken from a file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import pyoxigraph as ox

from piao_lod.conversion import Conversion, PlanOutline, plans_read
from piao_lod.errors import SourceError, outcome_exit_code
from piao_lod.graph_inputs import (
    INDEX_PREDICATES, PARSE_ERRORS, DescribedPlans, GraphName, is_rdf, marks_own_graph, rdf_input_format,
    rdf_syntax_error,
)
from piao_lod.messages import N_
from piao_lod.plan_graph import plan_graph_name, plan_triples
from piao_lod.plan_pool import unpacked
from piao_lod.problems import counts_as_data_problem
from piao_lod.reading import DEFAULT_READING, ReadingOptions
from piao_lod.records import Plan
from piao_lod.work_cache import WorkCache

# Quads handed to Oxigraph's bulk loader at once. It sorts what it is given in memory before writing
# it, so this bounds the memory of a load: ≈ 170 MB at 100,000 (≈ 1.3 GB for one bulk load of a big file).
BATCH_QUADS = 100_000
# ``build``'s, whose store is only its own: 134 MB of peak instead of 282 at 180 plans, for ≈ 4 CPU-s more (more,
# smaller bulk writes); ``load``, whose parent is the bottleneck at national size, keeps the larger batch.
SMALL_BATCH_QUADS = 25_000


@dataclass(frozen=True)
class ScannedFile:
    """An RDF file that parsed, and where its triples go."""

    path: Path
    rdf_format: ox.RdfFormat
    graphs: list[GraphName]              # the graphs it writes, sorted by name
    default_graph: GraphName | None      # where its default-graph triples go (None: it has none)
    added: list[ox.Quad] = field(default_factory=list)      # what the placement adds (an undated version)
    skipped: frozenset = frozenset()     # plans' own graphs, made again by the load from the versions it holds


@dataclass
class ScannedInputs:
    """What a load will write: the RDF files scanned and the tables still to convert, nothing written yet."""

    files: list[ScannedFile]
    tables: list[Path]
    base: str
    options: ReadingOptions = DEFAULT_READING
    workers: int | None = None
    cache: WorkCache | None = None
    rdf_unusable: list[SourceError] = field(default_factory=list)   # RDF files that did not parse
    conversion: Conversion = field(default_factory=Conversion)      # filled by write_into; its plans are outlines
    graphs: list[GraphName] = field(default_factory=list)   # the graphs the inputs write, in order (the plans' once written)

    @property
    def exit_code(self) -> int:
        """2 if an input was unusable (the others are loaded) or none was given, 1 if a table had data problems."""
        return outcome_exit_code(bool(self.conversion.unusable) or not self.graphs,
                                 any(counts_as_data_problem(problem) for problem in self.conversion.problems))

    def write_into(self, store: ox.Store, batch: int = BATCH_QUADS) -> None:
        """Add every input's quads to ``store``, ``batch`` at a time; the graphs of the RDF files are
        the caller's to empty first, those of the plans are emptied here as each plan arrives."""
        for scanned in self.files:
            write_in_batches(store, file_quads(scanned), batch)
        self.conversion = Conversion(base=self.base)
        write_in_batches(store, self.converted_quads(store), batch)
        self.conversion.unusable.extend(self.rdf_unusable)

    def converted_quads(self, store: ox.Store) -> Iterator[ox.Quad]:
        """Each table's plan as it is converted: its graph emptied (unless an RDF input of this load writes it),
        then its triples; the plan's records are let go once they are written."""
        written = set(self.graphs)
        for read in plans_read(self.tables, self.conversion, self.options, self.base, self.workers, self.cache):
            plan = read.plan
            name = plan_graph_name(plan, self.base)
            if name not in written:
                store.clear_graph(name)
                written.add(name)
                self.graphs.append(name)
            yield from plan_quads(plan, read.packed_triples, self.base, name)
            self.conversion.plans.append(PlanOutline.of(plan))


def scan_rdf_file(path: Path) -> ScannedFile:
    """Parse ``path`` once, keeping only which graphs it writes; raise :class:`SourceError` if it is not valid RDF."""
    rdf_format, file_graph = rdf_input_format(path), ox.NamedNode(path.resolve().as_uri())
    named: set[GraphName] = set()
    described, indexes = DescribedPlans(), set()
    has_default = False
    try:
        for quad in ox.parse(path=str(path), format=rdf_format):
            graph = quad.graph_name
            if isinstance(graph, ox.DefaultGraph):
                has_default = True
                described.see(quad)
            else:
                named.add(graph)
                if marks_own_graph(quad):
                    indexes.add(graph)
    except PARSE_ERRORS as error:
        raise rdf_syntax_error(path, error) from None
    named -= indexes
    default_graph, added = None, []
    if has_default:
        default_graph, added = described.target(path)
        named.discard(default_graph)
    graphs = sorted(named | {file_graph} if has_default else named, key=str)
    return ScannedFile(path, rdf_format, [default_graph if graph == file_graph else graph for graph in graphs],
                       default_graph, added, frozenset(indexes))


def file_quads(scanned: ScannedFile) -> Iterator[ox.Quad]:
    """The file's quads, parsed again, its default-graph triples moved to their graph."""
    target = scanned.default_graph
    try:        # blank nodes renamed, as Store.load does: two files' ``_:b1`` are two nodes
        for quad in ox.parse(path=str(scanned.path), format=scanned.rdf_format, rename_blank_nodes=True):
            if quad.graph_name in scanned.skipped or quad.predicate in INDEX_PREDICATES:
                continue
            if target is not None and isinstance(quad.graph_name, ox.DefaultGraph):
                quad = ox.Quad(quad.subject, quad.predicate, quad.object, target)
            yield quad
    except PARSE_ERRORS as error:     # changed since it was scanned: the load is abandoned
        raise SourceError(N_("changed while it was being loaded; load it again ({error})"), str(scanned.path),
                          error=rdf_syntax_error(scanned.path, error).phrase) from None
    yield from scanned.added


def plan_quads(plan: Plan, packed_triples: bytes | None, base: str, graph: ox.NamedNode) -> Iterator[ox.Quad]:
    """The plan's triples in its graph: those its worker made, else made now."""
    triples = ((quad.subject, quad.predicate, quad.object)
               for quad in ox.parse(unpacked(packed_triples), format=ox.RdfFormat.N_TRIPLES)) \
        if packed_triples is not None else ((t.subject, t.predicate, t.object) for t in plan_triples(plan, base))
    for subject, predicate, obj in triples:
        yield ox.Quad(subject, predicate, obj, graph)


def write_in_batches(store: ox.Store, quads: Iterable[ox.Quad], size: int = BATCH_QUADS) -> None:
    """``store.bulk_extend(quads)``, a batch at a time: one bulk write of a whole corpus sorts it all in memory."""
    quads = iter(quads)
    while batch := list(islice(quads, size)):
        store.bulk_extend(batch)


def scan_inputs(paths: Sequence[Path], base: str, options: ReadingOptions = DEFAULT_READING,
                workers: int | None = None, cache: WorkCache | None = None) -> ScannedInputs:
    """Scan the RDF files (an unusable one is recorded and the others are kept); the tables are converted (in
    ``workers`` processes, unchanged ones taken from ``cache``) as they are written."""
    files, written, unusable = [], {}, []      # written: an ordered set of graph names
    for path in paths:
        if is_rdf(path):
            try:
                scanned = scan_rdf_file(path)
            except SourceError as error:
                unusable.append(error.without_frames())
                continue
            files.append(scanned)
            written.update(dict.fromkeys(scanned.graphs))
    tables = [path for path in paths if not is_rdf(path)]
    return ScannedInputs(files, tables, base, options, workers, cache, unusable, graphs=list(written))
