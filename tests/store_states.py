"""Helpers shared by the store tests: plan files big enough that a load takes a few seconds, a ``piao-lod
load`` that can be paused at a named point, and a store's content as comparable values.

The plans are the three of ``answers.PLANS`` copied under many graph names (version A) and the same
with a seventh of their triples dropped and a comment added to each graph (version B, the "plans
loaded again" of issue 11): ``load`` of B over A changes every graph.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from answers import BASE, PLANS
from piao_lod.graph_inputs import load_inputs
from piao_lod.store_directory import current_directory

COPIES = 12
COMMENT = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
BLANK_LABEL = re.compile(r"_:[A-Za-z0-9]+")
STORE_SIBLINGS = ("lock", "loading", "replaced")
PAUSED = "PAUSED"

# A load run by this script stops at a named point until a file appears (or is killed there): the points
# are functions of piao_lod.store_directory wrapped here, so production code has no test hooks.
PAUSING_LOAD = r"""
import functools, os, sys, time
from piao_lod import embedded_store, store_directory

point, release, args = sys.argv[1], sys.argv[2], sys.argv[3:]

def pause():
    print("PAUSED", flush=True)
    while not os.path.exists(release):
        time.sleep(0.02)

def before(module, name):
    original = getattr(module, name)
    @functools.wraps(original)
    def wrapper(*a, **k):
        pause()
        return original(*a, **k)
    setattr(module, name, wrapper)

def after(module, name):
    original = getattr(module, name)
    @functools.wraps(original)
    def wrapper(*a, **k):
        result = original(*a, **k)
        pause()
        return result
    setattr(module, name, wrapper)

if point == "after-copy":            # the previous store copied, nothing written yet
    after(store_directory, "copy_store_files")
elif point == "after-clearing":      # in the new store, the replaced graphs emptied, the new triples not yet written
    original_clear = embedded_store.clear_graphs
    def clear_graphs(store, graphs):
        original_clear(store, graphs)
        pause()
    embedded_store.clear_graphs = clear_graphs
elif point == "before-swap":         # the new store complete and closed
    before(store_directory, "swap_in")
elif point == "after-swap":          # swapped, the old store not yet deleted
    after(store_directory, "swap_in")
elif point == "between-renames":     # no RENAME_EXCHANGE: the old store moved away, the new one not yet in place
    store_directory.exchange = lambda first, second: False
    original_rename = os.rename
    def rename(source, target):
        original_rename(source, target)
        if str(target).endswith(".replaced"):
            pause()
    store_directory.os.rename = rename
elif point == "no-exchange":         # no pause: a whole load without RENAME_EXCHANGE
    store_directory.exchange = lambda first, second: False
elif point != "none":
    raise SystemExit(f"unknown point {point}")

from piao_lod.cli import app
app(args)
"""


def write_plan_versions(directory: Path) -> tuple[Path, Path, Path]:
    """``A.nq`` and ``B.nq`` (every graph changed), and ``one.nq``: B's version of a single graph."""
    plans = [quad for quad in load_inputs(PLANS, BASE).store]
    version_a, version_b = [], []
    for copy in range(COPIES):
        graphs = set()
        for index, quad in enumerate(plans):
            graph = ox.NamedNode(f"{quad.graph_name.value}/copia-{copy}")
            graphs.add(graph)
            moved = ox.Quad(quad.subject, quad.predicate, quad.object, graph)
            version_a.append(moved)
            if index % 7:
                version_b.append(moved)
        version_b.extend(ox.Quad(graph, COMMENT, ox.Literal("versione B"), graph) for graph in graphs)
    paths = directory / "A.nq", directory / "B.nq", directory / "one.nq"
    one_graph = version_b[-1].graph_name
    for path, quads in zip(paths, (version_a, version_b, [q for q in version_b if q.graph_name == one_graph])):
        path.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
    return paths


def piao_lod() -> str:
    return str(Path(sys.executable).with_name("piao-lod"))


def load_command(source: Path, store: Path) -> list[str]:
    return [piao_lod(), "load", str(source), "--store", str(store)]


def patched_load_command(point: str, release: Path, source: Path, store: Path) -> list[str]:
    """``piao-lod load`` with the point of ``PAUSING_LOAD`` in place."""
    return [sys.executable, "-c", PAUSING_LOAD, point, str(release), "load", str(source), "--store", str(store)]


def start_paused_load(point: str, release: Path, source: Path, store: Path) -> subprocess.Popen:
    """A load that stops at ``point`` (it has printed PAUSED when this returns) until ``release`` exists."""
    process = subprocess.Popen(patched_load_command(point, release, source, store),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline().strip()
    if line != PAUSED:
        process.kill()
        raise AssertionError(f"the load did not reach {point}: {line!r} {process.stderr.read()[-3000:]}")
    return process


def store_state(path: Path) -> list[str]:
    """Every quad of the store as sorted N-Quads lines, blank nodes unlabelled (the ontology's blank nodes
    are new at every load). Found as readers find it, but not pinned, so a later load can delete it."""
    store = ox.Store.read_only(str(current_directory(path)))
    text = store.dump(format=ox.RdfFormat.N_QUADS).decode("utf-8")
    return sorted(BLANK_LABEL.sub("_:b", text).splitlines())


def leftovers(store: Path) -> list[str]:
    """What lies beside the store other than its lock file."""
    return sorted(entry.name for entry in store.parent.iterdir()
                  if entry.name.startswith(f"{store.name}.") and entry.name != f"{store.name}.lock")


def wait_for(condition, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.02)


# Fixtures the store test modules import (each module builds its own, once).

@pytest.fixture(scope="module")
def versions(tmp_path_factory) -> tuple[Path, Path, Path]:
    return write_plan_versions(tmp_path_factory.mktemp("plan-versions"))


@pytest.fixture(scope="module")
def before(tmp_path_factory, versions) -> Path:
    """A store holding version A of every graph, as ``piao-lod load`` wrote it."""
    store = tmp_path_factory.mktemp("before") / "store"
    result = subprocess.run(load_command(versions[0], store), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return store
