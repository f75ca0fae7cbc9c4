"""The on-disk Oxigraph store that ``piao-lod load`` fills and ``query``, ``publish`` and ``serve`` read.

A load replaces the store as a whole (:mod:`piao_lod.store_directory`): killed
at any moment, it leaves the store as it was or as it would be after; a second
load at the same time is refused; a reader sees one or the other, never a mix.

pyoxigraph has no ``close()``: a store closes when its last reference goes.
:func:`load_into_store` therefore keeps the writable store to itself and
returns only what it did, so the store can be swapped in (and a query in the
same process can open it) as soon as the load returns.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

import pyoxigraph as ox

from piao_lod.conversion import Conversion
from piao_lod.errors import StoreError
from piao_lod.messages import N_
from piao_lod.graph_inputs import REFERENCE_GRAPHS, GraphName, LoadedInputs, load_reference_graphs, plans_of_versions
from piao_lod.plan_versions import refresh_indexes
from piao_lod.reading import DEFAULT_READING, ReadingOptions
from piao_lod.saved_answers import AnswerWriter
from piao_lod.store_directory import (current_directory, is_store, load_lock, pin_for_reading, replace_store, sibling,
                                      store_of_working_copy)
from piao_lod.streamed_inputs import SMALL_BATCH_QUADS, ScannedInputs, scan_inputs, write_in_batches
from piao_lod.work_cache import WorkCache

DEFAULT_STORE_DIR = Path("piao-store")


@dataclass
class StoreLoad:
    """What a load did; the store itself is closed by then."""

    conversion: Conversion          # its plans are outlines (streamed_inputs.PlanOutline): the rest is in the store
    graphs: list[GraphName]
    exit_code: int
    triples: int
    named_graphs: int


def check_store_location(path: Path) -> Path:
    """The store's absolute path, its parent created; a non-empty directory that is not a store is refused,
    so a typo in ``--store`` never fills someone's folder with database files."""
    refuse_working_copy(path)
    if path.exists() and (not path.is_dir() or (any(path.iterdir()) and not is_store(path))):
        raise StoreError(N_("not an Oxigraph store; give --store a new or empty directory"), subject=str(path))
    try:
        path = path.resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(N_("cannot create the store here ({error})"), subject=str(path), error=error.strerror) from None
    return path


def refuse_working_copy(path: Path) -> None:
    if (store := store_of_working_copy(path)) is not None:
        raise StoreError(N_("this folder is a copy a piao-lod load of {store} writes or deletes, not a store; give "
                            "--store {store}"), subject=str(path), store=str(store))


def open_store_for_reading(path: Path) -> ox.Store:
    """Open an existing store read-only. Several queries can read it at once, also while a load replaces
    it: each keeps the store it opened (see :func:`piao_lod.store_directory.pin_for_reading`)."""
    pinned = pinned_store(path)
    try:
        return ox.Store.read_only(pinned)
    except (OSError, RuntimeError) as error:
        raise StoreError(N_("cannot open the store ({error})"), subject=str(path), error=str(error)) from None


def pinned_store(path: Path) -> str:
    """The path the store at ``path`` reads through as it is now (:func:`pin_for_reading`), once it is known to be one."""
    refuse_working_copy(path)
    if not is_store(current_directory(path)):
        raise StoreError(N_("no store here; fill one first with: piao-lod load SOURCE... --store {path}"),
                         subject=str(path), path=str(path))
    return pin_for_reading(path.resolve())


class ScratchStore:
    """An on-disk store of a command's own (the build's, in a folder it deletes), that every process opens for itself:
    the process that made it writes it, then reads it read-only, as a forked worker does from when it first reads (a
    RocksDB handle is not carried over a fork). It takes the place of an in-memory store, of which the
    whole corpus is resident (≈ 1.3 MB a plan): RocksDB reads from disk what is asked for, through a bounded cache."""

    def __init__(self, path: Path):
        self.path = str(path)
        self.handles = {os.getpid(): ox.Store(self.path)}

    def handle(self) -> ox.Store:
        if self.handles is None:
            raise ValueError(f"the store {self.path} is closed")
        pid = os.getpid()
        if pid not in self.handles:      # the parent's handle, inherited with this object, is never touched here
            self.handles[pid] = ox.Store.read_only(self.path)
        return self.handles[pid]

    def seal(self) -> None:
        """Once written: this process too reads it read-only. Left open for writing, RocksDB goes on compacting it in
        the background and deletes the files it merged, which a worker's read-only handle, a view of the files as
        they were when it opened, then fails to read ("No such file or directory")."""
        self.handle().flush()
        self.handles = {}
        self.handles[os.getpid()] = ox.Store.read_only(self.path)

    def close(self) -> None:
        """Let this process's handle go (pyoxigraph closes a store with its last reference), so the folder can be
        deleted and a later build of the same process open a store at the same path."""
        self.handles = None

    def __getattr__(self, name: str):
        return getattr(self.handle(), name)

    def __len__(self) -> int:
        return len(self.handle())

    def __iter__(self):
        return iter(self.handle())


def load_scratch_store(folder: Path, inputs: Sequence[Path], base: str, options: ReadingOptions = DEFAULT_READING,
                       workers: int | None = None, cache: WorkCache | None = None) -> LoadedInputs:
    """The inputs, the ontology and the vocabularies in a new :class:`ScratchStore` at ``folder``, written plan by
    plan as ``load`` writes them (never the corpus held in memory): what ``build`` works on."""
    scanned = scan_inputs(inputs, base, options, workers=workers, cache=cache)
    store = ScratchStore(folder)
    scanned.write_into(store.handle(), SMALL_BATCH_QUADS)
    plans = complete_dataset(store.handle(), scanned.graphs)
    store.seal()
    return LoadedInputs(store, scanned.conversion, scanned.graphs, sorted(plans))


def complete_dataset(store: ox.Store, graphs: Sequence[GraphName]) -> set[str]:
    """The reference graphs and, from the versions ``graphs`` hold, each of their plans' own graph; returns those plans."""
    load_reference_graphs(store)
    versions = [graph.value for graph in graphs if isinstance(graph, ox.NamedNode)]
    plans = plans_of_versions(store, versions)
    refresh_indexes(store, plans, versions)
    return plans


def load_into_store(path: Path, inputs: Sequence[Path], base: str,
                    options: ReadingOptions = DEFAULT_READING, workers: int | None = None,
                    cache: WorkCache | None = None) -> StoreLoad:
    """Load plans (tables or RDF) into the store at ``path``, replacing their graphs, with the ontology
    and the PNRR scheme in graphs of their own; all of it or, if the load is stopped, none of it.

    The RDF inputs are checked first (:mod:`piao_lod.streamed_inputs`), then written straight into the new
    store a batch at a time, and the tables converted into it plan by plan, never held whole in memory. A load that
    replaces at most half the store's graphs patches a copy of the store; one that replaces more writes
    a new store with the graphs it keeps, which is faster (emptying a graph costs more than writing it)
    and leaves no deleted triples on disk."""
    location = check_store_location(path)
    try:
        with load_lock(location):
            return write_store(location, scan_inputs(inputs, base, options, workers=workers, cache=cache))
    except OSError as error:
        raise StoreError(N_("cannot write the store ({error}); it is left as it was"), subject=str(path),
                         error=str(error.strerror or error)) from None


def write_store(path: Path, loaded: ScannedInputs) -> StoreLoad:
    """Replace the graphs ``loaded`` writes in the store at ``path`` (whose load lock is held).

    The tables are converted while the new store is written, so the graphs of their plans are known only
    at the end: whether to start from a copy counts every table as replacing a graph the store has, and the
    graphs kept from the previous store are copied last."""
    known = [*loaded.graphs, *REFERENCE_GRAPHS]
    answers = AnswerWriter(path, sibling(path, "loading"))

    def mostly_kept(previous: ox.Store) -> bool:
        graphs = set(previous.named_graphs())
        return 2 * (len(graphs.intersection(known)) + len(loaded.tables)) <= len(graphs)

    def fill(store: ox.Store, previous: ox.Store | None) -> StoreLoad:
        clear_graphs(store, known)
        loaded.write_into(store)
        if previous is not None:
            keep_graphs(previous, store, {*loaded.graphs, *REFERENCE_GRAPHS})
        complete_dataset(store, loaded.graphs)
        store.flush()
        answers.write(store, loaded.graphs)
        return StoreLoad(loaded.conversion, loaded.graphs, loaded.exit_code, len(store),
                         sum(1 for _ in store.named_graphs()))

    return replace_store(path, fill, start_from_copy=mostly_kept, closed=answers.seal)


def keep_graphs(previous: ox.Store, store: ox.Store, replaced: set[GraphName]) -> None:
    """Copy into ``store``, in bulk writes, every graph of ``previous`` that is not in ``replaced``
    (and its default graph); empty graphs stay as named graphs."""
    kept = [graph for graph in previous.named_graphs() if graph not in replaced]
    write_in_batches(store, chain.from_iterable(previous.quads_for_pattern(None, None, None, graph)
                                                for graph in [ox.DefaultGraph(), *kept]))
    for graph in kept:
        store.add_graph(graph)


def clear_graphs(store: ox.Store, graphs: Sequence[GraphName]) -> None:
    """Empty the graphs a load replaces (they are only there in a copy of the previous store)."""
    for graph in graphs:
        store.clear_graph(graph)
