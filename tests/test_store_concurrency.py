"""Loads and readers at the same time: a second load is refused while one writes (exit 2, a clear message),
and every reader sees the store before or after a load, never a mix, also when it opened the store before
the load swapped it and reads on afterwards.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from piao_lod.embedded_store import open_store_for_reading
from piao_lod.publish import graph_sizes
from store_states import before, versions  # noqa: F401 (fixtures)
from store_states import leftovers, load_command, piao_lod, start_paused_load, store_state, wait_for

# A reader in a process of its own: opens the store, says so, waits for a line on stdin, then prints
# every quad it reads (as store_states.store_state does, but through the pinned store it opened).
READER = r"""
import re, sys
from pathlib import Path
import pyoxigraph as ox
from piao_lod.embedded_store import open_store_for_reading
store = open_store_for_reading(Path(sys.argv[1]))
print("OPEN", flush=True)
sys.stdin.readline()
text = store.dump(format=ox.RdfFormat.N_QUADS).decode("utf-8")
print("\n".join(sorted(re.sub(r"_:[A-Za-z0-9]+", "_:b", text).splitlines())))
"""


@pytest.fixture
def store(tmp_path, before) -> Path:
    shutil.copytree(before, tmp_path / "store")
    return tmp_path / "store"


def sizes_by_cli(store: Path) -> dict[str, int]:
    result = subprocess.run([piao_lod(), "query", "graph-sizes", "--store", str(store), "--format", "json"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return {row["graph"]["value"]: int(row["triples"]["value"]) for row in json.loads(result.stdout)["results"]["bindings"]}


def test_a_second_load_is_refused_while_one_writes(tmp_path, store, versions):
    before = store_state(store)
    first = start_paused_load("after-clearing", tmp_path / "go", versions[1], store)
    second = subprocess.run(load_command(versions[2], store), capture_output=True, text=True)
    assert second.returncode == 2
    assert f"{store}: errore: un altro piao-lod load sta scrivendo questo store (processo {first.pid})" in second.stderr
    assert "Traceback" not in second.stderr
    assert store_state(store) == before                   # nor did the refused load touch anything
    (tmp_path / "go").touch()
    _, errors = first.communicate(timeout=300)
    assert first.returncode == 0, errors
    again = subprocess.run(load_command(versions[2], store), capture_output=True, text=True)
    assert again.returncode == 0, again.stderr             # the lock goes with the load that held it


def test_queries_during_a_load_see_the_store_before_or_after(tmp_path, store, versions):
    before = graph_sizes(store=open_store_for_reading(store))
    paused = start_paused_load("before-swap", tmp_path / "go", versions[1], store)
    assert sizes_by_cli(store) == before                  # the new store is complete beside it, not yet in place
    (tmp_path / "go").touch()
    seen = []
    while paused.poll() is None:                          # the swap and the removal of the old store
        seen.append(graph_sizes(store=open_store_for_reading(store)))
    assert paused.returncode == 0, paused.stderr.read()
    after = sizes_by_cli(store)
    assert after != before and all(sizes in (before, after) for sizes in seen)


def test_a_load_running_on_its_own_is_seen_whole_by_every_reader(store, versions):
    before = graph_sizes(store=open_store_for_reading(store))
    process = subprocess.Popen(load_command(versions[1], store), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seen = []
    while process.poll() is None:
        seen.append(graph_sizes(store=open_store_for_reading(store)))
    assert process.returncode == 0, process.stderr.read()
    after = graph_sizes(store=open_store_for_reading(store))
    assert seen and all(sizes in (before, after) for sizes in seen)


def test_a_reader_keeps_the_store_it_opened_until_it_is_done(store, versions):
    """The old directory is not deleted under a reader: it waits beside the store, and the next load
    removes it once the reader is gone."""
    before = store_state(store)
    reader = subprocess.Popen([sys.executable, "-c", READER, str(store)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert reader.stdout.readline().strip() == "OPEN", reader.stderr.read()
    load = subprocess.run(load_command(versions[1], store), capture_output=True, text=True)
    assert load.returncode == 0, load.stderr
    after = store_state(store)
    assert after != before and [name.split("-")[0] for name in leftovers(store)] == ["store.old"]
    answer, errors = reader.communicate("\n", timeout=120)
    assert reader.returncode == 0, errors
    assert answer.splitlines() == before
    wait_for(lambda: reader.poll() is not None)
    again = subprocess.run(load_command(versions[2], store), capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert leftovers(store) == []
