"""Plans are independent, so the work on them runs in worker processes, one plan (or ente) per task.

Two kinds of task, both mapped over their inputs by :func:`stream_in_workers`, which keeps the
input order, so the output of N workers is byte-identical to that of one process:

- reading a source: the table becomes a :class:`~piao_lod.records.Plan` and, when the IRI base
  is known, the plan's sorted triples as N-Triples (the costliest half of a conversion), compressed
  (a tenth of the size) for a caller that holds them until it writes them; ``load`` takes each plan as
  it arrives and writes it at once;
- validating an ente: the graphs of the ente's plans are validated in a store of their own, taken
  from the store the worker was forked with or, for a big corpus, from the ente's own files
  (:mod:`piao_lod.ente_files`).
  The shapes never relate two enti (every IRI a plan mints is under its ente, and indicators,
  settori and dirigenti belong to the ente), so the union of the enti's results is the result
  of validating everything at once. Graphs that are not plans' (a Turtle file of several plans
  loaded under the file's name), or a plan graph describing something outside its ente, are
  validated together in one store, as before.

Both consult the :class:`~piao_lod.work_cache.WorkCache` first: an unchanged source is neither
read nor validated again.
"""

from __future__ import annotations

import os
import re
import sys
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import partial
from multiprocessing import get_context
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox

from piao_lod.errors import SourceError, WorkerError
from piao_lod.messages import N_
from piao_lod.plan_table import read_plan_table
from piao_lod.reading import ReadingOptions
from piao_lod.records import Plan
from piao_lod.user_files import read_user_file
from piao_lod.work_cache import WorkCache, digest_of

Item = TypeVar("Item")
Result = TypeVar("Result")

RESULTS_AHEAD = 4      # results done per worker that may wait for the caller of stream_in_workers


def default_workers() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:
        return os.cpu_count() or 1


def map_in_workers(function: Callable[[Item], Result], items: Iterable[Item], workers: int | None = None) -> list[Result]:
    """``[function(item) for item in items]``, in ``workers`` processes (default: every core), in input order.

    Workers are forked, so they start with what the caller holds (an in-memory store, for validation);
    ``function`` and its results cross the process boundary by pickle."""
    return list(stream_in_workers(function, items, workers))


def stream_in_workers(function: Callable[[Item], Result], items: Iterable[Item],
                      workers: int | None = None) -> Iterator[Result]:
    """``function(item)`` of each item, in input order, as soon as it and those before it are done: at most
    :data:`RESULTS_AHEAD` results per worker wait for the caller, so a caller that writes each result away
    holds a few of them, never all (``ProcessPoolExecutor.map`` submits everything at once and keeps every
    result until it is taken)."""
    items = list(items)
    count = min(default_workers() if workers is None else workers, len(items))
    if count <= 1 or sys.platform == "win32":
        yield from (function(item) for item in items)
        return
    with ProcessPoolExecutor(count, mp_context=get_context("fork")) as pool:
        waiting: deque[tuple[Item, Future]] = deque()
        try:
            for item in items:
                waiting.append((item, pool.submit(function, item)))
                if len(waiting) >= RESULTS_AHEAD * count:
                    yield result_of(*waiting.popleft())
            while waiting:
                yield result_of(*waiting.popleft())
        finally:
            for _, future in waiting:     # the caller stopped early (an error): the rest is not needed
                future.cancel()


def result_of(item, future: Future):
    """The future's result; a worker that died under it is a :class:`WorkerError` naming the item, not a
    ``BrokenProcessPool`` traceback."""
    try:
        return future.result()
    except BrokenProcessPool as error:
        label = item[0] if isinstance(item, tuple) and item else item
        raise WorkerError(N_("a worker process stopped while working on it (killed, out of memory, or aborted by a "
                             "library it runs); run again with --workers 1 to see more"),
                          subject=str(label)[:300]) from error


# -- reading ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SourceRead:
    """What reading one source gave: a plan (with its sorted triples, if a base was given) or an error."""

    plan: Plan | None = None
    packed_triples: bytes | None = None      # N-Triples, zlib-compressed
    error: SourceError | None = None
    reused: bool = False


def reading_key(source: Path, options: ReadingOptions, base: str | None) -> str | None:
    """The cache key of a source read with these options, or None when a file it depends on cannot be read
    (the reader then says why), or is not a regular file (a pipe would be read here and found empty after)."""
    if not source.is_file():
        return None
    try:
        parts = [str(source), source.read_bytes(), repr(options), base or ""]
        if options.profile is not None:
            parts.append(read_user_file(Path(options.profile)))
    except OSError:
        return None
    return digest_of(*parts)


def read_source(source: str | Path, options: ReadingOptions, base: str | None, cache: WorkCache | None) -> SourceRead:
    from piao_lod.rdf_output import sorted_plan_triples

    key = reading_key(Path(source), options, base) if cache else None
    if key and (found := cache.get("plans", key)) is not None:
        return SourceRead(found.plan, found.packed_triples, reused=True)
    try:
        plan = read_plan_table(source, options=options)
    except SourceError as error:
        return SourceRead(error=error.without_frames())
    read = SourceRead(plan, packed(sorted_plan_triples(plan, base)) if base else None)
    if key:
        cache.put("plans", key, read)
    return read


def read_sources(sources: Sequence[str | Path], options: ReadingOptions, base: str | None = None,
                 workers: int | None = None, cache: WorkCache | None = None) -> Iterator[SourceRead]:
    """Each source read, in order, as it is done (see :func:`stream_in_workers`)."""
    return stream_in_workers(partial(read_source, options=options, base=base, cache=cache), sources, workers)


def packed(triples: Iterable[ox.Triple]) -> bytes:
    """Triples as the workers hand them over: N-Triples, compressed (fast, a tenth of the size)."""
    return zlib.compress(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), 1)


def unpacked(packed_triples: bytes) -> bytes:
    """The N-Triples a worker made."""
    return zlib.decompress(packed_triples)


def triples_of(packed_triples: bytes) -> list[ox.Triple]:
    return [quad.triple for quad in ox.parse(unpacked(packed_triples), format=ox.RdfFormat.N_TRIPLES)]


# -- validating ---------------------------------------------------------------------------------------

PLAN_GRAPH = re.compile(r"^(?P<ente>.+)/piano/\d{4}(?:/versione/[^/]+)?$")   # a plan's own graph, or one of its versions


def graphs_by_ente(store: ox.Store) -> dict[str, list[ox.NamedNode]] | None:
    """Ente IRI -> the plan graphs of that ente, sorted; None if the store holds a graph that is neither a plan's
    nor one of the project's vocabularies."""
    from piao_lod.graph_inputs import REFERENCE_GRAPHS

    enti: dict[str, list[ox.NamedNode]] = {}
    for graph in store.named_graphs():
        if graph in REFERENCE_GRAPHS:
            continue
        match = PLAN_GRAPH.match(graph.value) if isinstance(graph, ox.NamedNode) else None
        if match is None:
            return None
        enti.setdefault(match["ente"], []).append(graph)
    return {ente: sorted(graphs, key=lambda g: g.value) for ente, graphs in sorted(enti.items())}


_FORKED_STORE: ox.Store | None = None
_ENTE_FILES = None          # an EnteFiles: each ente read from its own files instead


def validate_ente(ente: tuple[str, list[ox.NamedNode]], cache: WorkCache | None):
    """The located findings of one ente's graphs, or None when a graph describes something outside the ente (then
    the enti cannot be validated apart). The ente's own files are read into a store once and validated there;
    from the store the worker was forked with, its graphs are copied into a store of their own."""
    from piao_lod.validation import validate_store

    ente_iri, graphs = ente
    store = _ENTE_FILES.store([ente_iri]) if _ENTE_FILES is not None else graphs_copied(_FORKED_STORE, graphs)
    if not describes_only_enti(store, {ente_iri: graphs}):
        return None
    key = validation_key(store, graphs) if cache else None
    if key and (found := cache.get("validation", key)) is not None:
        return found
    findings = validate_store(store).findings
    if key:
        cache.put("validation", key, findings)
    return findings


def graphs_copied(source: ox.Store, graphs: list[ox.NamedNode]) -> ox.Store:
    store = ox.Store()
    for graph in graphs:
        store.load(source.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph), format=ox.RdfFormat.N_TRIPLES,
                   to_graph=graph)
    return store


def describes_only_enti(store: ox.Store, enti: dict[str, list[ox.NamedNode]]) -> bool:
    """Every subject of each ente's graphs is the ente's IRI or under it (a SPARQL scan: looking at every quad from
    Python took longer than validating them; over distinct subjects, 0.6 times the time of testing every quad)."""
    rows = " ".join(f"({graph} {ox.Literal(ente)} {ox.Literal(ente + '/')})" for ente, graphs in enti.items()
                    for graph in graphs)
    return not store.query(f"ASK {{ VALUES (?graph ?ente ?under) {{ {rows} }} "
                           "{ SELECT DISTINCT ?graph ?subject { GRAPH ?graph { ?subject ?predicate ?object } } } "
                           "FILTER (!isIRI(?subject) || (!STRSTARTS(STR(?subject), ?under) && STR(?subject) != ?ente)) }")


def validation_key(store: ox.Store, graphs: list[ox.NamedNode]) -> str:
    """What the findings of an ente's graphs (sorted) are cached under."""
    return digest_of("validation", *(part for graph in graphs for part in (graph.value, sorted_triples(store, graph))))


def sorted_triples(store: ox.Store, graph: ox.NamedNode) -> bytes:
    """A graph's N-Triples, sorted: what its validation is cached under."""
    return b"\n".join(sorted(store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph).splitlines())) + b"\n"


def validate_by_ente(store: ox.Store, workers: int | None = None, cache: WorkCache | None = None, files=None):
    """The validation report of the store (or of the inputs split into ``files``, an
    :class:`~piao_lod.ente_files.EnteFiles`), computed ente by ente in worker processes (see the module's docstring)."""
    from piao_lod.range_validation import ValidatedRanges
    from piao_lod.validation import ValidationReport, finding_order, prepare_validation, validate_store

    if isinstance(files, ValidatedRanges):
        return ValidationReport(files.findings)
    global _FORKED_STORE, _ENTE_FILES
    enti = graphs_by_ente(store) if files is None else files.by_ente()
    if not enti or (files is None and cache is None and (workers or default_workers()) <= 1):
        return validate_store(store if files is None else files.store())
    prepare_validation()
    _FORKED_STORE, _ENTE_FILES = (store, None) if files is None else (None, files)
    try:
        parts = map_in_workers(partial(validate_ente, cache=cache), enti.items(), workers)
    finally:
        _FORKED_STORE = _ENTE_FILES = None
    if any(part is None for part in parts):
        return validate_store(store if files is None else files.store())
    findings = [located for part in parts for located in part]
    return ValidationReport(sorted(findings, key=lambda located: finding_order(located[0])))
