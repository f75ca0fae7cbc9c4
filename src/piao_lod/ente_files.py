"""Inputs split into files by ente, so ``validate`` of a big corpus never holds it whole in memory.

Validation runs ente by ente (:func:`piao_lod.plan_pool.validate_by_ente`), each
in a store of its own. Given more than a few plans (:func:`too_big_for_memory`),
``validate`` no longer reads everything into one in-memory store first: one
streaming pass writes each input's quads, a graph at a time, into a temporary
N-Quads file per ente (the ente is in a plan graph's IRI,
``…/<ente>/piano/<year>/versione/<key>``), and each worker reads the files of the enti it
validates. Reading an ente back from an on-disk Oxigraph store instead was
measured 12 times slower (every term is a random read there).

N-Quads files, being line-based, are split in the worker processes, a range
of whole lines each (:func:`split_nquads_in_workers`), so that the split does
not run in one process alone while the other cores wait; a file that needs to
be read whole (see :func:`split_range`) is split here as before.

Where triples go is :func:`piao_lod.graph_inputs.default_graph_of`. An RDF file
that turns out not to be valid RDF is reported and its files dropped, as if it
had not been given.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import groupby
from operator import attrgetter
from pathlib import Path

import pyoxigraph as ox

from piao_lod.conversion import Conversion, convert_sources, plan_key
from piao_lod.converters import check_readable
from piao_lod.errors import SourceError
from piao_lod.graph_inputs import (INDEX_PREDICATES, PARSE_ERRORS, REFERENCE_GRAPHS, DescribedPlans, GraphName,
                                   LoadedInputs, is_rdf, load_inputs, own_graph_mark, rdf_input_format,
                                   rdf_syntax_error)
from piao_lod.plan_graph import plan_graph_name, plan_triples
from piao_lod.plan_pool import PLAN_GRAPH, default_workers, map_in_workers, unpacked
from piao_lod.rdf_formats import format_of_path
from piao_lod.reading import DEFAULT_READING, ReadingOptions
from piao_lod.work_cache import WorkCache

# Inputs above either size (about 20 plans) are split into files by ente rather than read into memory.
SPLIT_FROM_RDF_BYTES = 20 * 2**20
SPLIT_FROM_TABLES = 20
RANGE_BYTES = 8 * 2**20       # of an N-Quads file's lines, split by one worker
OTHERS = ""        # the bucket of graphs that are not a plan's
DROPPED_PREDICATES = frozenset(INDEX_PREDICATES)


@dataclass
class EnteFiles:
    """Where each ente's quads are: N-Quads files, and N-Triples files of one graph each."""

    folder: Path
    prefix: str = ""                                                                   # of the files' names
    quads: dict[str, list[Path]] = field(default_factory=dict)                         # ente IRI -> N-Quads
    triples: dict[str, list[tuple[Path, GraphName]]] = field(default_factory=dict)    # ente IRI -> (file, graph)
    graphs: dict[str, set[GraphName]] = field(default_factory=dict)                    # ente IRI -> its graphs
    count: int = 0

    def new_file(self, suffix: str) -> Path:
        self.count += 1
        return self.folder / f"{self.prefix}{self.count}{suffix}"

    def by_ente(self) -> dict[str, list[ox.NamedNode]] | None:
        """Ente IRI -> its plan graphs, sorted (as :func:`piao_lod.plan_pool.graphs_by_ente` says of a store); None
        when a graph is not a plan's."""
        if self.graphs.get(OTHERS, set()) - set(REFERENCE_GRAPHS):
            return None
        return {ente: sorted(graphs, key=lambda graph: graph.value)
                for ente, graphs in sorted(self.graphs.items()) if ente != OTHERS}

    def store(self, enti: Sequence[str] | None = None) -> ox.Store:
        """An in-memory store of these enti's quads (of every input, when ``enti`` is None). The files were written
        by Oxigraph from quads it had parsed, so they are read without checking their IRIs again (1.6 times faster)."""
        store = ox.Store()
        for ente in self.graphs if enti is None else enti:
            for path in self.quads.get(ente, []):
                store.load(path=str(path), format=ox.RdfFormat.N_QUADS, lenient=True)
            for path, graph in self.triples.get(ente, []):
                store.load(path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=graph, lenient=True)
        return store


def ente_of(graph: GraphName) -> str:
    match = PLAN_GRAPH.match(graph.value) if isinstance(graph, ox.NamedNode) else None
    return match["ente"] if match else OTHERS


def write_named_run(graph: GraphName, run: Iterable[ox.Quad], files: EnteFiles, written: dict[str, list[Path]],
                    named: set[GraphName]) -> bool:
    """Write a run of one named graph's quads, the version indexes dropped, into its ente's file (made, the first
    time, in ``files`` and noted in ``written``); say whether the run was a plan's own graph, left out: what it
    says (the versions' order) is no rule's concern."""
    run = [quad for quad in run if quad.predicate not in DROPPED_PREDICATES]
    if own_graph_mark(graph) in run:
        return True
    named.add(graph)
    ente = ente_of(graph)
    if ente not in written:
        written[ente] = [files.new_file(".nq")]
    with written[ente][0].open("ab") as handle:
        ox.serialize(run, handle, format=ox.RdfFormat.N_QUADS)
    return False


def split_rdf_file(path: Path, files: EnteFiles) -> list[GraphName]:
    """Write the file's quads into ``files``, graph run by graph run; say which graphs it wrote. All or nothing:
    a file that is not valid RDF leaves ``files`` as it was and raises :class:`SourceError`."""
    rdf_format, file_graph = rdf_input_format(path), ox.NamedNode(path.resolve().as_uri())
    written: dict[str, list[Path]] = {}
    named: set[GraphName] = set()
    described = DescribedPlans()
    default_file = None
    try:
        parsed = ox.parse(path=str(path), format=rdf_format, rename_blank_nodes=True)
        for graph, run in groupby(parsed, key=attrgetter("graph_name")):
            if isinstance(graph, ox.DefaultGraph):
                run = [quad for quad in run if quad.predicate not in DROPPED_PREDICATES]
                default_file = default_file or files.new_file(".nt")
                for quad in run:
                    described.see(quad)
                with default_file.open("ab") as handle:
                    ox.serialize((quad.triple for quad in run), handle, format=ox.RdfFormat.N_TRIPLES)
                continue
            write_named_run(graph, run, files, written, named)
    except PARSE_ERRORS as error:
        for paths in written.values():
            for made in paths:
                made.unlink(missing_ok=True)
        if default_file is not None:
            default_file.unlink(missing_ok=True)
        raise rdf_syntax_error(path, error) from None
    graphs = sorted(named | {file_graph} if default_file else named, key=str)
    if default_file is not None:
        target, added = described.target(path)
        if added:
            with default_file.open("ab") as handle:
                ox.serialize((quad.triple for quad in added), handle, format=ox.RdfFormat.N_TRIPLES)
        files.triples.setdefault(ente_of(target), []).append((default_file, target))
        named.add(target)
        graphs = list(dict.fromkeys(target if graph == file_graph else graph for graph in graphs))
    for ente, paths in written.items():
        files.quads.setdefault(ente, []).extend(paths)
    for graph in named:
        files.graphs.setdefault(ente_of(graph), set()).add(graph)
    return graphs


@dataclass(frozen=True)
class RangeSplit:
    """What a worker wrote of a range of an N-Quads file's lines, and its first and last graph runs (each a graph
    and whether the run was the plan's own graph, left out)."""

    written: dict[str, list[Path]]
    named: set[GraphName]
    runs: tuple[tuple[GraphName, bool], ...] = ()

    def discard(self) -> None:
        for paths in self.written.values():
            for path in paths:
                path.unlink(missing_ok=True)


def line_ranges(path: Path) -> list[tuple[int, int]]:
    """The file cut into ranges of about :data:`RANGE_BYTES`, each of whole lines."""
    size, ranges, start = path.stat().st_size, [], 0
    with path.open("rb") as handle:
        while start < size:
            handle.seek(min(start + RANGE_BYTES, size))
            handle.readline()
            ranges.append((start, handle.tell()))
            start = handle.tell()
    return ranges


def split_range(job: tuple[Path, int, int, Path, str]) -> RangeSplit | None:
    """:func:`split_rdf_file` of a range of an N-Quads file's lines (N-Quads is line-based), in a worker; None (and
    nothing written) when the range is not valid N-Quads, has triples of the default graph (placed by what the
    whole file describes) or may have blank nodes (named by the whole file): then the file is split whole."""
    path, start, end, folder, prefix = job
    files, written, named, runs = EnteFiles(folder, prefix), {}, set(), []
    with path.open("rb") as handle:
        handle.seek(start)
        lines = handle.read(end - start)
    if b"_:" in lines:
        return None
    try:
        for graph, run in groupby(ox.parse(lines, format=ox.RdfFormat.N_QUADS), key=attrgetter("graph_name")):
            if isinstance(graph, ox.DefaultGraph):
                raise ValueError("a triple of the default graph")
            runs.append((graph, write_named_run(graph, run, files, written, named)))
    except PARSE_ERRORS:
        RangeSplit(written, named).discard()
        return None
    return RangeSplit(written, named, tuple(runs[:1] + runs[-1:]))


def split_nquads_in_workers(paths: Sequence[Path], files: EnteFiles, workers: int) -> dict[Path, list[GraphName]]:
    """What :func:`split_rdf_file` says of each N-Quads file, split in ``workers`` processes a range of lines each
    (the split would otherwise run in this process alone, before any ente is validated); the files that could not
    be split so (see :func:`split_range`, and a graph run over two ranges of which one part is a plan's own graph
    and the other not) are left out, to be split whole."""
    jobs = [(path, start, end, files.folder, f"{index}-{start}-")
            for index, path in enumerate(paths) for start, end in line_ranges(path)]
    splits: dict[Path, list[RangeSplit | None]] = {}
    for job, split in zip(jobs, map_in_workers(split_range, jobs, workers)):
        splits.setdefault(job[0], []).append(split)
    graphs = {}
    for path, parts in splits.items():
        runs = [run for part in parts if part is not None for run in part.runs]
        if None in parts or any(graph == next_graph and own != next_own
                                for (graph, own), (next_graph, next_own) in zip(runs, runs[1:])):
            for part in parts:
                if part is not None:
                    part.discard()
            continue
        named = set()
        for part in parts:
            for ente, made in part.written.items():
                files.quads.setdefault(ente, []).extend(made)
            named |= part.named
        for graph in named:
            files.graphs.setdefault(ente_of(graph), set()).add(graph)
        graphs[path] = sorted(named, key=str)
    return graphs


def in_ranges(paths: Sequence[Path]) -> list[Path]:
    """The inputs that may be split a range of lines each: the readable, non-empty N-Quads files."""
    chosen = []
    for path in dict.fromkeys(paths):
        rdf_format = format_of_path(path)
        try:
            if rdf_format is not None and rdf_format.oxigraph == ox.RdfFormat.N_QUADS and path.stat().st_size:
                check_readable(path)
                chosen.append(path)
        except (OSError, SourceError):
            continue              # reported when it is split whole
    return chosen


def split_plans(conversion: Conversion, base: str, files: EnteFiles) -> list[GraphName]:
    """Each converted plan's triples (those its worker made, else made now) into a file of its own."""
    graphs = []
    for plan in conversion.plans:
        name = plan_graph_name(plan, base)
        made = conversion.packed_triples.get(plan_key(plan)) if conversion.base == base else None
        path = files.new_file(".nt")
        if made is not None:
            path.write_bytes(unpacked(made))
        else:
            ox.serialize(plan_triples(plan, base), path, format=ox.RdfFormat.N_TRIPLES)
        files.triples.setdefault(ente_of(name), []).append((path, name))
        files.graphs.setdefault(ente_of(name), set()).add(name)
        graphs.append(name)
    return graphs


def too_big_for_memory(paths: Sequence[Path]) -> bool:
    tables, rdf_bytes = 0, 0
    for path in paths:
        if not is_rdf(path):
            tables += 1
            continue
        try:
            rdf_bytes += path.stat().st_size
        except OSError:
            continue              # reported when it is read
    return tables > SPLIT_FROM_TABLES or rdf_bytes > SPLIT_FROM_RDF_BYTES


@contextmanager
def inputs_to_validate(paths: Sequence[Path], base: str, options: ReadingOptions = DEFAULT_READING,
                       workers: int | None = None, cache: WorkCache | None = None,
                       split: bool = True) -> Iterator[tuple[LoadedInputs, EnteFiles | None]]:
    """The inputs to validate: read into an in-memory store when they are few (or ``split`` is False), else, when
    they are all N-Quads and there are several workers, validated already a range of lines each
    (:mod:`piao_lod.range_validation`: the store that checks a range's syntax is the one its enti are validated
    in), else split into temporary files by ente (deleted afterwards) with an empty store in their place."""
    if not split or not too_big_for_memory(paths):
        yield load_inputs(paths, base, options, workers=workers, cache=cache), None
        return
    tables = [path for path in paths if not is_rdf(path)]
    count = default_workers() if workers is None else workers
    if count > 1 and not tables and in_ranges(paths) == list(dict.fromkeys(paths)):
        from piao_lod.range_validation import validated_in_ranges

        if (validated := validated_in_ranges(paths, count, cache)) is not None:
            yield LoadedInputs(ox.Store(), Conversion(), validated.graphs), validated
            return
    conversion = convert_sources(tables, options, base, workers, cache) if tables else Conversion()
    folder = Path(tempfile.mkdtemp(prefix="piao-lod-enti-"))
    try:
        files, written = EnteFiles(folder), {}
        in_workers = split_nquads_in_workers(in_ranges(paths), files, count) if count > 1 else {}
        for path in paths:
            if is_rdf(path):
                try:
                    graphs = in_workers.pop(path, None)
                    written.update(dict.fromkeys(split_rdf_file(path, files) if graphs is None else graphs))
                except SourceError as error:
                    conversion.unusable.append(error.without_frames())
        written.update(dict.fromkeys(split_plans(conversion, base, files)))
        yield LoadedInputs(ox.Store(), conversion, list(written)), files
    finally:
        shutil.rmtree(folder, ignore_errors=True)
