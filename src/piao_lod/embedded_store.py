"""The on-disk Oxigraph store that ``piao-lod load`` fills and ``query`` and ``publish`` read.

pyoxigraph has no ``close()``: a store closes when its last reference goes.
:func:`load_into_store` therefore keeps the writable store to itself and
returns only what it did, so a query in the same process (a test, a notebook)
can open the store as soon as the load returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from piao_lod.conversion import Conversion
from piao_lod.errors import StoreError
from piao_lod.graph_inputs import GraphName, load_dataset
from piao_lod.reading import DEFAULT_READING, ReadingOptions

DEFAULT_STORE_DIR = Path("piao-store")
STORE_MARKER = "CURRENT"   # the file every Oxigraph (RocksDB) store directory has


@dataclass
class StoreLoad:
    """What a load did; the store itself is closed by then."""

    conversion: Conversion
    graphs: list[GraphName]
    exit_code: int
    triples: int
    named_graphs: int


def open_store_for_writing(path: Path) -> ox.Store:
    """Open the store at ``path``, creating it; a non-empty directory that is not a store is refused,
    so a typo in ``--store`` never fills someone's folder with database files."""
    if path.exists() and (not path.is_dir() or (any(path.iterdir()) and not (path / STORE_MARKER).exists())):
        raise StoreError(f"{path}: not an Oxigraph store; give --store a new or empty directory")
    try:
        path.mkdir(parents=True, exist_ok=True)
        return ox.Store(str(path))
    except (OSError, RuntimeError) as error:
        raise StoreError(f"{path}: cannot open the store for writing ({error})") from None


def open_store_for_reading(path: Path) -> ox.Store:
    """Open an existing store read-only, so several queries can read it at once (not while a load writes it)."""
    if not (path / STORE_MARKER).is_file():
        raise StoreError(f"{path}: no store here; fill one first with: piao-lod load SOURCE... --store {path}")
    try:
        return ox.Store.read_only(str(path))
    except (OSError, RuntimeError) as error:
        raise StoreError(f"{path}: cannot open the store ({error})") from None


def load_into_store(path: Path, inputs: Sequence[Path], base: str,
                    options: ReadingOptions = DEFAULT_READING) -> StoreLoad:
    """Load plans (tables or RDF) into the store at ``path``, replacing their graphs, with the ontology
    and the PNRR scheme in graphs of their own."""
    store = open_store_for_writing(path)
    loaded = load_dataset(inputs, base, options, store=store)
    store.flush()
    return StoreLoad(loaded.conversion, loaded.graphs, loaded.exit_code, len(store), sum(1 for _ in store.named_graphs()))
