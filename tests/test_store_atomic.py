"""A load killed at any moment leaves the store as it was before or as it is after a complete load (issue 11).

Before the fix, ``kill -9`` during a reload of the same plans left graphs emptied: the load cleared them
one by one in the store itself, then bulk-loaded. Each test here kills a real ``piao-lod load`` process
(``SIGKILL``), either after a delay or stopped at a named point, and compares every quad of the store
with the store before and the store after an uninterrupted load; the next load then cleans up.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from store_states import before, versions  # noqa: F401 (fixtures)
from store_states import leftovers, load_command, patched_load_command, start_paused_load, store_state

KILL_FRACTIONS = (0.15, 0.35, 0.55, 0.7, 0.85, 0.95)


@pytest.fixture(scope="module")
def expected(tmp_path_factory, before, versions) -> dict[str, object]:
    """The store before, after loading B (every graph replaced) and after loading one graph of B; and how
    long the load of B takes uninterrupted."""
    states: dict[str, object] = {"before": store_state(before)}
    for name, source in (("all", versions[1]), ("one", versions[2])):
        store = copy_of(before, tmp_path_factory.mktemp(f"after-{name}"))
        started = time.monotonic()
        result = subprocess.run(load_command(source, store), capture_output=True, text=True)
        states[f"{name}-seconds"] = time.monotonic() - started
        assert result.returncode == 0, result.stderr
        states[name] = store_state(store)
        assert leftovers(store) == []
    assert states["before"] != states["all"] and states["before"] != states["one"] != states["all"]
    return states


def copy_of(store: Path, directory: Path) -> Path:
    shutil.copytree(store, directory / "store")
    return directory / "store"


def test_a_load_killed_after_any_delay_leaves_the_store_before_or_after(tmp_path, before, versions, expected):
    outcomes = []
    for fraction in KILL_FRACTIONS:
        store = copy_of(before, tmp_path / f"killed-at-{fraction}")
        process = subprocess.Popen(load_command(versions[1], store), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(fraction * expected["all-seconds"])
        process.kill()
        process.wait()
        state = store_state(store)
        assert state in (expected["before"], expected["all"]), f"killed after {fraction:.0%} of a load: a store in between"
        outcomes.append("before" if state == expected["before"] else "after")
    again = subprocess.run(load_command(versions[1], store), capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert store_state(store) == expected["all"] and leftovers(store) == []


@pytest.mark.parametrize("point, source, state", [
    ("after-copy", "one", "before"),          # a load of one graph patches a copy of the store
    ("after-clearing", "one", "before"),
    ("after-clearing", "all", "before"),      # a load of every graph writes a new store
    ("before-swap", "all", "before"),
    ("after-swap", "all", "all"),
    ("between-renames", "all", "all"),        # without RENAME_EXCHANGE: readers take the finished copy
])
def test_a_load_killed_at_each_stage_leaves_the_store_before_or_after(tmp_path, before, versions, expected,
                                                                    point, source, state):
    source_file = versions[1] if source == "all" else versions[2]
    store = copy_of(before, tmp_path)
    process = start_paused_load(point, tmp_path / "never", source_file, store)
    process.kill()
    process.wait()
    assert store_state(store) == expected[state]
    again = subprocess.run(load_command(source_file, store), capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert store_state(store) == expected[source] and leftovers(store) == []


def test_a_load_without_rename_exchange_gives_the_same_store(tmp_path, before, versions, expected):
    store = copy_of(before, tmp_path)
    result = subprocess.run(patched_load_command("no-exchange", tmp_path / "never", versions[1], store),
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert store_state(store) == expected["all"] and leftovers(store) == []


def test_a_store_closed_without_flush_keeps_what_only_its_log_holds(tmp_path, versions):
    """Store.backup of a read-only store leaves out the write-ahead log: the copy a load starts from must not."""
    store = tmp_path / "store"
    graph = ox.NamedNode("https://example.org/scritto-senza-flush")
    quads = [ox.Quad(ox.NamedNode(f"https://example.org/s{i}"), ox.NamedNode("https://example.org/p"), ox.Literal(i), graph)
             for i in range(500)]
    written = ox.Store(str(store))
    written.extend(quads)
    del written
    result = subprocess.run(load_command(versions[2], store), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    kept = ox.Store.read_only(str(store))
    assert sorted(map(str, kept.quads_for_pattern(None, None, None, graph))) == sorted(map(str, quads))
