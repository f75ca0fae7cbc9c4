"""``load`` of plan tables writes each plan into the new store as its conversion arrives, instead of converting
every table first and holding every plan until the end: the same store as reading everything into memory, the
same version order, the same reports, and the store left as it was when the load stops half-way."""

from __future__ import annotations

from collections import Counter
from functools import partial
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from answers import BASE, CREMONA_2025, OTHER_COMUNE
from conftest import EXAMPLE
from piao_lod import plan_pool
from piao_lod.cli import app
from piao_lod.embedded_store import open_store_for_reading
from piao_lod.graph_inputs import load_dataset
from piao_lod.saved_queries import saved_query
from piao_lod.sparql_query import query_store
from piao_lod.store_directory import current_directory

HEADER = "Ente;Anno;Settore;Dirigente;Codice Obiettivo;Titolo Obiettivo;Codice Ind;Titolo Indicatore;Target Atteso;Peso"
ROW = "c_d150;{year};Settore Uno;Rossi Maria;1_1;Obiettivo;1;Pratiche evase;{target};100"
VERSION_ORDER = ("PREFIX piao: <https://w3id.org/piao-lod/ontology#> SELECT ?version ?order WHERE { "
                 "GRAPH ?plan { ?version piao:versionOrder ?order } } ORDER BY ?plan ?order")


def invoke(*args):
    return CliRunner().invoke(app, [str(arg) for arg in args], catch_exceptions=False)


def quads(store: ox.Store) -> tuple[set[ox.Quad], Counter]:
    """The quads without blank nodes, and every graph's size (the ontology's blank nodes are renamed by each parse)."""
    plain = {quad for quad in store if not any(isinstance(term, ox.BlankNode) for term in quad)}
    return plain, Counter(quad.graph_name for quad in store)


def rows(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    return [tuple(term.value for term in solution) for solution in query_store(store, query)]


def table(folder: Path, name: str, year: str, target: int) -> Path:
    path = folder / name
    path.write_text(f"{HEADER}\n{ROW.format(year=year, target=target)}\n", encoding="utf-8")
    return path


@pytest.fixture
def five_tables(tmp_path) -> list[Path]:
    """Five tables, three of them undated versions of Cremona's 2025 plan (their order is the order given)."""
    return [table(tmp_path, "a.csv", "2025", 10), EXAMPLE, table(tmp_path, "b.csv", "2025", 8), CREMONA_2025,
            OTHER_COMUNE]


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_load_of_several_tables_gives_the_store_reading_them_in_memory_gives(tmp_path, five_tables, workers):
    result = invoke("load", *five_tables, "--store", tmp_path / "store", "--workers", workers, "--no-cache")
    assert result.exit_code == 1, result.output          # the example has data problems
    assert "5 convertiti da tabelle" in result.stderr
    loaded, expected = open_store_for_reading(tmp_path / "store"), load_dataset(five_tables, BASE).store
    assert quads(loaded) == quads(expected)
    assert rows(loaded, VERSION_ORDER) == rows(expected, VERSION_ORDER)
    versions = [version for version, _ in rows(loaded, VERSION_ORDER) if "/c_d150/piano/2025/" in version]
    assert len(versions) == 3
    assert rows(loaded, saved_query("graph-sizes").text) == rows(expected, saved_query("graph-sizes").text)


def test_a_load_of_tables_over_a_store_keeps_its_other_graphs(tmp_path, five_tables):
    """Few tables over a store of many graphs: the load starts from a copy of the store and empties each plan's
    graph as the plan arrives."""
    store = tmp_path / "store"
    assert invoke("load", *five_tables, "--store", store, "--no-cache").exit_code == 1
    changed = table(tmp_path, "b.csv", "2025", 8)          # the same version again, and a new one
    newer = table(tmp_path, "c.csv", "2025", 12)
    assert invoke("load", changed, newer, "--store", store, "--no-cache").exit_code == 0
    expected = load_dataset([*five_tables, newer], BASE).store
    assert quads(open_store_for_reading(store)) == quads(expected)
    assert rows(open_store_for_reading(store), VERSION_ORDER) == rows(expected, VERSION_ORDER)


def test_an_unusable_third_table_of_five_is_named_with_its_line_and_the_others_are_loaded(tmp_path, five_tables):
    broken = table(tmp_path, "broken.csv", "duemila", 9)
    given = [*five_tables[:2], broken, *five_tables[3:]]
    result = invoke("load", *given, "--store", tmp_path / "store", "--workers", "2", "--no-cache")
    assert result.exit_code == 2
    assert f"{broken}:2 [Anno, colonna 2]: errore:" in result.stderr and "«duemila», non un anno" in result.stderr
    assert "Traceback" not in result.output
    kept = [path for path in given if path != broken]
    assert quads(open_store_for_reading(tmp_path / "store")) == quads(load_dataset(kept, BASE).store)


def test_a_load_stopped_while_its_tables_are_converted_leaves_the_store_as_it_was(tmp_path, five_tables, monkeypatch):
    """The first plans are already in the new store when the fourth table fails: nothing of it is swapped in."""
    store = tmp_path / "store"
    assert invoke("load", OTHER_COMUNE, "--store", store, "--no-cache").exit_code == 0
    before = quads(open_store_for_reading(store))
    read_plan_table, calls = plan_pool.read_plan_table, []

    def fail_at_the_fourth(*args, **kwargs):
        calls.append(args)
        if len(calls) == 4:
            raise RuntimeError("stopped")
        return read_plan_table(*args, **kwargs)

    monkeypatch.setattr(plan_pool, "read_plan_table", fail_at_the_fourth)
    with pytest.raises(RuntimeError, match="stopped"):
        invoke("load", *five_tables, "--store", store, "--workers", "1", "--no-cache")
    assert len(calls) == 4
    assert quads(ox.Store.read_only(str(current_directory(store)))) == before
    assert not (tmp_path / "store.loading").exists()


def started(item: int, folder: Path) -> int:
    (folder / str(item)).touch()
    return item


def test_workers_results_wait_for_the_caller_a_few_at_a_time(tmp_path):
    """A caller that has taken one result has not had every item started: results do not pile up."""
    results = plan_pool.stream_in_workers(partial(started, folder=tmp_path), range(100), 2)
    assert next(results) == 0
    assert len(list(tmp_path.iterdir())) <= plan_pool.RESULTS_AHEAD * 2
    assert list(results) == list(range(1, 100))
