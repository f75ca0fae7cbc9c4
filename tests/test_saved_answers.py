"""The answers a store keeps of the saved queries without parameters (``piao_lod.saved_answers``): ``query NAME
--store`` gives, in every format, the very output of running the query, on the example with two other plans and on
a synthetic corpus of several comuni and years, and so do the server's saved-query pages; a second load that changes one ente leaves answers equal to those of
a store loaded afresh; a store written since by another program, or kept answers damaged, answer by running."""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from fastapi.testclient import TestClient

from answers import PLANS
from piao_lod.cli import app
from piao_lod.embedded_store import open_store_for_reading
from piao_lod.server.app import create_app
from piao_lod.server.query_runner import InProcessQueries
from piao_lod.server.settings import ServerSettings
from piao_lod.resources import packaged
from piao_lod.saved_answers import kept_queries
from piao_lod.store_directory import ANSWERS_DIR
from test_query_rewrites import generated_corpus

FORMATS = ["tsv", "csv", "json", "table"]
KEPT = [query.name for query in kept_queries()]


def invoke(*args) -> object:
    return CliRunner().invoke(app, [str(arg) for arg in args], catch_exceptions=False)


def load(store: Path, *inputs: Path) -> None:
    result = invoke("load", *inputs, "--store", store, "--lang", "en")
    assert result.exit_code in (0, 1), result.output


def copies_of_saved_queries(folder: Path) -> dict[str, Path]:
    """Each saved query as a ``.rq`` file of its own: a file is run, never answered from what a store keeps."""
    folder.mkdir(exist_ok=True)
    copies = {}
    for name in KEPT:
        copies[name] = folder / f"{name}.rq"
        copies[name].write_text(packaged("queries").joinpath(f"{name}.rq").read_text(encoding="utf-8"), encoding="utf-8")
    return copies


def output(store: Path, query: str | Path, fmt: str) -> bytes:
    result = CliRunner().invoke(app, ["query", str(query), "--store", str(store), "--format", fmt, "--lang", "en"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def assert_kept_answers_are_the_queries(store: Path, copies: dict[str, Path], formats=FORMATS) -> None:
    for name in KEPT:
        for fmt in formats:
            assert output(store, name, fmt) == output(store, copies[name], fmt), (name, fmt)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> list[Path]:
    return generated_corpus(tmp_path_factory.mktemp("corpus") / "small")


@pytest.fixture(scope="module")
def copies(tmp_path_factory) -> dict[str, Path]:
    return copies_of_saved_queries(tmp_path_factory.mktemp("queries"))


def test_every_saved_query_without_parameters_is_kept():
    assert {"graph-sizes", "plan-counts", "source-table", "targets-by-unit", "objectives-dropped"} <= set(KEPT)
    assert "shared-pnrr-measures" not in KEPT     # "# kept: no": its whole answer grows with the square of the corpus
    assert "indicator-targets" not in KEPT        # its parameters have defaults: one ente, flat


@pytest.mark.parametrize("corpus", ["example", "synthetic"])
def test_kept_answers_are_the_rows_of_the_query_in_its_order_in_every_format(tmp_path, corpus, synthetic, copies):
    store = tmp_path / "store"
    load(store, *(PLANS if corpus == "example" else synthetic))
    kept = store / ANSWERS_DIR
    assert (kept / "manifest.json").is_file() and {f"{name}.tsv" for name in KEPT} <= {p.name for p in kept.iterdir()}
    assert_kept_answers_are_the_queries(store, copies)
    kept_pages = saved_query_pages(store)
    shutil.rmtree(kept)                   # the same pages from the queries run
    assert saved_query_pages(store) == kept_pages


def saved_query_pages(store: Path) -> dict[str, bytes]:
    """Each kept query's page of ``serve --store``, in both editions."""
    runner = InProcessQueries(open_store_for_reading(store))
    with TestClient(create_app(ServerSettings(None, store), runner), follow_redirects=False) as client:
        pages = {f"/{edition}query/{name}/": client.get(f"/{edition}query/{name}/") for edition in ("", "en/")
                 for name in KEPT}
    assert all(response.status_code == 200 for response in pages.values())
    return {path: response.content for path, response in pages.items()}


def test_a_second_load_changing_one_ente_gives_the_answers_of_a_fresh_load(tmp_path, synthetic, copies):
    enti = sorted({plan.name.split("-")[1] for plan in synthetic})
    changed = [plan for plan in synthetic if plan.name.split("-")[1] == enti[1]]
    first = [plan for plan in synthetic if plan not in changed[-1:]]
    store, fresh = tmp_path / "store", tmp_path / "fresh"
    load(store, *first)
    before = {name: output(store, name, "tsv") for name in KEPT}
    load(store, changed[-1])             # the latest year of one ente: its answers change, the others' are kept
    load(fresh, *synthetic)
    assert any(output(store, name, "tsv") != before[name] for name in KEPT)
    for name in KEPT:
        assert output(store, name, "tsv") == output(fresh, name, "tsv"), name
    assert_kept_answers_are_the_queries(store, copies, ["tsv"])


def test_a_store_written_by_another_program_is_answered_by_running_the_query(tmp_path, copies):
    store = tmp_path / "store"
    load(store, *PLANS)
    before = output(store, "plan-counts", "tsv")
    written = ox.Store(str(store))
    graphs = [graph for graph in written.named_graphs() if "/x_999999/" in graph.value]
    for graph in graphs:
        written.remove_graph(graph)
    written.flush()
    del written
    assert output(store, "plan-counts", "tsv") != before
    assert_kept_answers_are_the_queries(store, copies, ["tsv"])


def test_damaged_or_missing_kept_answers_are_answered_by_running_the_query(tmp_path, copies):
    store = tmp_path / "store"
    load(store, *PLANS)
    kept = store / ANSWERS_DIR
    (kept / "plan-counts.tsv").write_bytes((kept / "plan-counts.tsv").read_bytes()[:-40])
    (kept / "source-table.tsv").unlink()
    assert_kept_answers_are_the_queries(store, copies, ["tsv"])
    (kept / "manifest.json").write_text("{", encoding="utf-8")
    assert_kept_answers_are_the_queries(store, copies, ["tsv"])
    shutil.rmtree(kept)
    assert_kept_answers_are_the_queries(store, copies, ["tsv"])
    load(store, PLANS[0])                 # a load after that keeps answers again, every ente computed
    assert (kept / "manifest.json").is_file()
    assert_kept_answers_are_the_queries(store, copies, ["tsv"])


def test_kept_answers_of_many_enti_are_merged_within_the_open_files_limit(tmp_path, copies):
    """A kept answer ordered by something else than the ente merged every ente's part at once, two open files a
    part: a load of 150 enti under a limit of 256 open files failed ("Too many open files"), one of the 7,896 comuni
    under the usual 1,024 too. Now parts are merged 64 at a time, and the answers are still the queries'."""
    header = "Ente;Anno;Dirigente;Settore;Codice Obiettivo;Titolo Obiettivo;Codice Ind;Titolo Indicatore;Target Atteso;Peso"
    plans = tmp_path / "plans"
    plans.mkdir()
    for number in range(150):
        row = (f"x_{number:06d};2025;Rossi Mario;Settore {number % 7};1.1.1_{number:04d};Obiettivo {number};"
               f"{number % 11};Indicatore {number % 13};{number};100")
        (plans / f"piano-{149 - number:03d}.csv").write_text(f"{header}\n{row}\n", encoding="utf-8")
    store = tmp_path / "store"

    def few_open_files() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))
    loaded = subprocess.run([sys.executable, "-m", "piao_lod", "load", str(plans), "--store", str(store), "--no-cache",
                             "--lang", "en"], capture_output=True, text=True, preexec_fn=few_open_files, check=False)
    assert loaded.returncode in (0, 1) and "loaded 150 graphs" in loaded.stderr, loaded.stderr
    assert len(output(store, "source-table", "tsv").splitlines()) == 1 + 2 * 150     # a header and a row a plan
    assert_kept_answers_are_the_queries(store, copies, formats=["tsv"])
    assert not list((store / ANSWERS_DIR).glob("*.merging-*"))
