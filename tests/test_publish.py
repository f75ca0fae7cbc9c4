"""Publishing to a real triple store: an Oxigraph server (PyPI ``oxigraph``, the ``test`` extra) on 127.0.0.1.

The server runs with ``--union-default-graph``, as a piao-lod endpoint must;
plans are pushed with the Graph Store Protocol and read back through
SPARQLWrapper, and every saved query must answer as the embedded store and
rdflib do.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from answers import PLANS, comparable, is_ordered, oxigraph_rows, rdflib_dataset, rdflib_rows
from piao_lod.cli import app
from piao_lod.embedded_store import load_into_store, open_store_for_reading
from piao_lod.publish import graph_sizes
from piao_lod.saved_queries import saved_queries, saved_query
from piao_lod.sparql_query import prepare, query_store, run_query
from conftest import free_port

BASE = "https://w3id.org/piao-lod/id/"
START_TIMEOUT_S = 60


def invoke(*args):
    return CliRunner().invoke(app, [str(arg) for arg in args], catch_exceptions=False)


def oxigraph_command() -> str:
    beside_python = Path(sys.executable).with_name("oxigraph")
    found = str(beside_python) if beside_python.exists() else shutil.which("oxigraph")
    if found is None:
        pytest.fail("the oxigraph server is not installed: pip install '.[test]' (run-tests.sh does)")
    return found


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """An Oxigraph server on a free local port; yields its base URL."""
    location = tmp_path_factory.mktemp("oxigraph-server")
    port = free_port()
    log = (location.parent / "server.log").open("wb")
    process = subprocess.Popen([oxigraph_command(), "serve", "--location", str(location / "data"),
                                "--bind", f"127.0.0.1:{port}", "--union-default-graph"], stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            with urllib.request.urlopen(f"{url}/query?query=ASK%7B%7D", timeout=2):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"the oxigraph server did not start: {(location.parent / 'server.log').read_text()[-2000:]}")
            time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(timeout=30)
    log.close()


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("publish") / "piao-store"
    assert load_into_store(path, PLANS, BASE).exit_code == 1
    return path


@pytest.fixture(scope="module")
def published(server, store_path) -> str:
    """The store published once through the CLI; yields the query endpoint."""
    result = invoke("publish", "--store", store_path, "--endpoint", f"{server}/query")
    assert result.exit_code == 0, result.output
    assert f"to {server}/store" in result.stderr and "holds them all" in result.stderr
    return f"{server}/query"


def test_every_graph_is_published_with_all_its_triples(published, store_path):
    expected = graph_sizes(store=open_store_for_reading(store_path))
    assert graph_sizes(endpoint=published) == expected
    assert len(expected) == 5   # three plans, the ontology, the PNRR scheme


def test_publishing_twice_keeps_the_same_triple_count(published, store_path):
    before = graph_sizes(endpoint=published)
    again = invoke("publish", "--store", store_path, "--endpoint", published)
    assert again.exit_code == 0, again.output
    assert graph_sizes(endpoint=published) == before


def test_publishing_sources_directly_gives_the_same_graphs(published):
    before = graph_sizes(endpoint=published)
    result = invoke("publish", *PLANS, "--endpoint", published)
    assert result.exit_code == 1, result.output        # Cremona's data problems are reported, as by load
    assert "[pnrr-without-code]" in result.stderr
    assert graph_sizes(endpoint=published) == before


def test_every_saved_query_answers_the_same_on_the_server_the_embedded_store_and_rdflib(published, store_path):
    store = open_store_for_reading(store_path)
    dataset = rdflib_dataset(store)
    for query in saved_queries():
        text, _ = prepare(query)
        ordered = is_ordered(text)
        embedded = oxigraph_rows(query_store(store, text))
        remote = oxigraph_rows(run_query(query, endpoint=published))
        assert comparable(remote, ordered) == comparable(embedded, ordered), query.name
        if query.name == "source-table":
            continue   # no DISTINCT: Oxigraph's union default graph repeats shared triples, rdflib's does not
        assert comparable(rdflib_rows(dataset, text), ordered) == comparable(embedded, ordered), query.name


def test_parameters_reach_the_endpoint(published, store_path):
    remote = run_query(saved_query("indicator-targets"), {"indicator": "774", "ente": "x_999999"}, endpoint=published)
    assert [row[:2] for row in oxigraph_rows(remote)] == [("2024", "1.1_0001")]
    result = invoke("query", "plan-counts", "--endpoint", published, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1] == "c_d150,2024,37,67,28,14"


def test_a_refusing_graph_store_exits_2(published, store_path, server):
    result = invoke("publish", "--store", store_path, "--endpoint", published, "--graph-store", f"{server}/nowhere")
    assert result.exit_code == 2
    assert "PUT of graph <" in result.stderr and "HTTP 404" in result.stderr
    unreachable = invoke("publish", "--store", store_path, "--endpoint", "http://127.0.0.1:9/query")
    assert unreachable.exit_code == 2 and "cannot reach the graph store" in unreachable.stderr
    assert "Traceback" not in result.output + unreachable.output


def test_publish_needs_a_store_or_sources(tmp_path, server):
    result = invoke("publish", "--store", tmp_path / "none", "--endpoint", f"{server}/query")
    assert result.exit_code == 2 and "no store here" in result.stderr
    both = invoke("publish", PLANS[1], "--store", tmp_path, "--endpoint", f"{server}/query")
    assert both.exit_code == 2 and "either SOURCE files or --store" in both.stderr
