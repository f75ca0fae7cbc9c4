"""An N-Quads corpus validated a range of its lines per worker, each range loaded straight into a store.

Splitting a big corpus into files by ente (:mod:`piao_lod.ente_files`) hands Python one object per quad and
writes every quad again, and each ente's files are then parsed once more into the store that is validated:
about half the CPU a plan costs. Here a worker loads its range of whole lines strictly into an in-memory
store (the load is the syntax check, without a Python object per quad) and validates the enti of the range
in that store. The ranges are cut where the ente of the lines' graph changes, so that each holds whole enti.

The shapes never relate two enti (see :mod:`piao_lod.plan_pool`), so the enti of a range validated together
give the results they give one by one. Whatever could make the two differ sends the whole input back to the
split by ente, with the messages it gives: a range that is not valid N-Quads, has a triple of the default
graph, may have blank nodes or a graph that is not a plan's; a graph or an ente found in two ranges (an input
whose enti are not contiguous, or an ente given in two files); an ente whose graphs describe something outside
it; a result whose focus is in none of the range's enti.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pyoxigraph as ox

from piao_lod import ente_files
from piao_lod.ente_files import DROPPED_PREDICATES, OTHERS, ente_of
from piao_lod.graph_inputs import PARSE_ERRORS, GraphName, own_graph_mark
from piao_lod.plan_pool import describes_only_enti, map_in_workers, validation_key
from piao_lod.work_cache import WorkCache

MOST_RANGES = 16                # a range ends within this many times RANGE_BYTES, cut inside an ente if need be
CUT_SCAN_BYTES = 2 * 2**20      # read at a time to find where the ente a range ends in goes on to


@dataclass(frozen=True)
class RangeValidated:
    """One range's enti (each with its plan graphs, sorted), every graph it held (its plans' own graphs too) and
    the located findings of its enti, in report order."""

    enti: dict[str, list[ox.NamedNode]]
    graphs: frozenset[GraphName]
    findings: list


@dataclass(frozen=True)
class ValidatedRanges:
    """The inputs' graphs, in order (what :class:`~piao_lod.graph_inputs.LoadedInputs` says), and the located
    findings of every ente, in report order."""

    graphs: list[GraphName]
    findings: list


def line_ente(line: bytes) -> bytes:
    """The ente of a line's graph, as far as a glance at the line's last IRI tells (a guess: the ranges are checked
    once loaded)."""
    graph = line[line.rfind(b"<") + 1:line.rfind(b">")]
    return graph[:graph.rfind(b"/piano/")]


def ente_ranges(path: Path) -> list[tuple[int, int]]:
    """The file cut into ranges of about :data:`~piao_lod.ente_files.RANGE_BYTES` of whole lines, each end moved on
    past the last line that names the graph of the ente it fell in (looked for :data:`CUT_SCAN_BYTES` at a time, at
    C speed; the check of the loaded ranges catches a cut inside an ente)."""
    size, ranges, start = path.stat().st_size, [], 0
    with path.open("rb") as handle:
        while start < size:
            handle.seek(min(start + ente_files.RANGE_BYTES, size))
            handle.readline()
            end = handle.tell()
            mark = b"<" + line_ente(handle.readline()) + b"/piano/"
            handle.seek(end)
            while end < min(size, start + MOST_RANGES * ente_files.RANGE_BYTES):
                window = handle.read(CUT_SCAN_BYTES) + handle.readline()
                if (last := window.rfind(mark)) < 0:
                    break
                line_end = window.find(b"\n", last)
                end += len(window) if line_end < 0 else line_end + 1
                if 0 <= line_end < len(window) - 1:
                    break
            ranges.append((start, end))
            start = end
            handle.seek(end)
    return ranges


def validate_range(job: tuple[Path, int, int], cache: WorkCache | None) -> RangeValidated | None:
    """The enti of one range of an N-Quads file's lines, validated in one store; None when the range cannot be
    validated apart (see the module's docstring)."""
    from piao_lod.validation import validate_store

    path, start, end = job
    with path.open("rb") as handle:
        handle.seek(start)
        lines = handle.read(end - start)
    if b"_:" in lines:
        return None
    store = ox.Store()
    try:
        store.load(lines, format=ox.RdfFormat.N_QUADS)
    except PARSE_ERRORS:
        return None
    del lines
    if next(store.quads_for_pattern(None, None, None, ox.DefaultGraph()), None) is not None:
        return None
    graphs = frozenset(store.named_graphs())
    enti: dict[str, list[ox.NamedNode]] = {}
    for graph in graphs:
        if own_graph_mark(graph) in store:
            store.remove_graph(graph)
        elif (ente := ente_of(graph)) == OTHERS:
            return None
        else:
            enti.setdefault(ente, []).append(graph)
    for predicate in DROPPED_PREDICATES:
        for quad in list(store.quads_for_pattern(None, predicate, None, None)):
            store.remove(quad)
    enti = {ente: sorted(named, key=lambda graph: graph.value) for ente, named in sorted(enti.items())}
    if any(other.startswith(ente + "/") for ente in enti for other in enti) \
            or (enti and not describes_only_enti(store, enti)):
        return None
    findings, keys = {ente: [] for ente in enti}, {}
    for ente, named in enti.items():
        if cache is None:
            continue
        keys[ente] = validation_key(store, named)
        if (found := cache.get("validation", keys[ente])) is not None:
            findings[ente] = found
            del keys[ente]
            for graph in named:
                store.remove_graph(graph)
    if enti and (cache is None or keys):
        for located in validate_store(store).findings:
            focus = str(located[0].focus)
            owner = next((ente for ente in enti if focus == ente or focus.startswith(ente + "/")), None)
            if owner is None:
                return None
            findings[owner].append(located)
        for ente, key in keys.items():
            cache.put("validation", key, findings[ente])
    return RangeValidated(enti, graphs, [located for part in findings.values() for located in part])


def validated_in_ranges(paths: Sequence[Path], workers: int, cache: WorkCache | None) -> ValidatedRanges | None:
    """The N-Quads files validated a range each in ``workers`` processes, or None when they cannot be (then
    nothing was written but the cache, whose entries are the same either way)."""
    from piao_lod.validation import finding_order, prepare_validation

    prepare_validation()
    jobs = [(path, start, end) for path in dict.fromkeys(paths) for start, end in ente_ranges(path)]
    parts = map_in_workers(partial(validate_range, cache=cache), jobs, workers)
    if None in parts or not any(part.enti for part in parts):
        return None
    seen_graphs, seen_enti, graphs = set(), set(), {}
    for (path, _, _), part in zip(jobs, parts):
        if seen_graphs & part.graphs or seen_enti & part.enti.keys():
            return None
        seen_graphs |= part.graphs
        seen_enti |= part.enti.keys()
        graphs.setdefault(path, []).extend(graph for named in part.enti.values() for graph in named)
    findings = [located for part in parts for located in part.findings]
    return ValidatedRanges([graph for named in graphs.values() for graph in sorted(named, key=str)],
                           sorted(findings, key=lambda located: finding_order(located[0])))
