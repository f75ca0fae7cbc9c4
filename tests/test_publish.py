"""Publishing to real triple stores on 127.0.0.1: an Oxigraph server (PyPI ``oxigraph``, the ``test`` extra)
and Virtuoso 7 (Debian ``virtuoso-opensource-7-bin``, installed by ``tools/setup-test-tools.sh``).

The Oxigraph server runs with ``--union-default-graph``, as a piao-lod
endpoint must; Virtuoso answers a query without ``FROM`` over all its graphs
as it comes. Plans are pushed with the Graph Store Protocol and read back
through SPARQLWrapper, and every saved query must answer as the embedded
store and rdflib do, on both servers.
"""

from __future__ import annotations

import hashlib
import http.server
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from answers import PLANS, comparable, is_ordered, oxigraph_rows, rdflib_dataset, rdflib_rows
from piao_lod.cli import app
from piao_lod.embedded_store import load_into_store, open_store_for_reading
from piao_lod.publish import GRAPH_SIZES_QUERY, GraphStoreClient, graph_sizes, http_opener
from piao_lod.saved_queries import saved_queries, saved_query
from piao_lod.sparql_query import prepare, query_store, run_query
from conftest import DATA, free_port

BASE = "https://w3id.org/piao-lod/id/"
START_TIMEOUT_S = 60
VIRTUOSO_INI = DATA / "virtuoso" / "virtuoso.ini"
VIRTUOSO_START_TIMEOUT_S = 120
VIRTUOSO_ADMIN = ("dba", "dba")              # the account a new Virtuoso database is created with


def invoke(*args):
    """``piao-lod`` with its messages in English, the language these assertions are written in."""
    return CliRunner().invoke(app, [str(arg) for arg in args] + (["--lang", "en"] if args[0] == "publish" else []),
                              catch_exceptions=False)


def oxigraph_command() -> str:
    beside_python = Path(sys.executable).with_name("oxigraph")
    found = str(beside_python) if beside_python.exists() else shutil.which("oxigraph")
    if found is None:
        pytest.fail("the oxigraph server is not installed: pip install '.[test]' (run-tests.sh does)")
    return found


def start_server(name: str, command: list[str], ask_url: str, log_path: Path, timeout_s: float) -> subprocess.Popen:
    """Start a server and wait until it answers ``ASK {}`` at ``ask_url``."""
    log = log_path.open("wb")
    process = subprocess.Popen(command, stdout=log, stderr=log)
    log.close()
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(f"{ask_url}?query=ASK%7B%7D", timeout=2):
                return process
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"the {name} server did not start: {log_path.read_text(errors='replace')[-2000:]}")
            time.sleep(0.2)


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """An Oxigraph server on a free local port; yields its base URL."""
    location = tmp_path_factory.mktemp("oxigraph-server")
    url = f"http://127.0.0.1:{free_port()}"
    process = start_server("oxigraph", [oxigraph_command(), "serve", "--location", str(location / "data"),
                                        "--bind", url.removeprefix("http://"), "--union-default-graph"],
                           f"{url}/query", location / "server.log", START_TIMEOUT_S)
    yield url
    stop_server(process)


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    """A Virtuoso server with a new database in a temporary folder, on free local ports; yields its base URL
    and the graphs it holds before anything is published (its own: virtrdf#, ldp#...)."""
    command = shutil.which("virtuoso-t")
    if command is None:
        pytest.skip("virtuoso-t is not installed and could not be: tools/setup-test-tools.sh installs the Debian "
                    "package virtuoso-opensource-7-bin (needs apt and root)")
    directory = tmp_path_factory.mktemp("virtuoso")
    http_port = free_port()
    ini = VIRTUOSO_INI.read_text().format(directory=directory, sql_port=free_port(), http_port=http_port)
    (directory / "virtuoso.ini").write_text(ini)
    url = f"http://127.0.0.1:{http_port}"
    process = start_server("virtuoso", [command, "-c", str(directory / "virtuoso.ini"), "+foreground"],
                           f"{url}/sparql", directory / "server.log", VIRTUOSO_START_TIMEOUT_S)
    yield url, graph_sizes(endpoint=f"{url}/sparql")
    stop_server(process)


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
    assert len(expected) == 10  # three plans, the version of each, the four reference graphs (ontology, PNRR, budget, units)


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
        assert comparable(rdflib_rows(dataset, text), ordered) == comparable(embedded, ordered), query.name


def test_parameters_reach_the_endpoint(published, store_path):
    remote = run_query(saved_query("indicator-targets"), {"indicator": "774", "ente": "x_999999"}, endpoint=published)
    assert [row[:2] for row in oxigraph_rows(remote)] == [("2024", "1.1_0001")]
    result = invoke("query", "plan-counts", "--endpoint", published, "--format", "csv")
    assert result.exit_code == 0, result.output
    cells = result.stdout.splitlines()[1].split(",")
    assert cells[:2] + cells[3:] == ["c_d150", "2024", "37", "67", "28", "14"] and cells[2].startswith("aggiornamento-")


def test_a_refusing_graph_store_exits_2(published, store_path, server):
    result = invoke("publish", "--store", store_path, "--endpoint", published, "--graph-store", f"{server}/nowhere")
    assert result.exit_code == 2
    assert "PUT of graph <" in result.stderr and "HTTP 404" in result.stderr
    unreachable = invoke("publish", "--store", store_path, "--endpoint", "http://127.0.0.1:9/query")
    assert unreachable.exit_code == 2 and "cannot reach the endpoint" in unreachable.stderr
    assert "Traceback" not in result.output + unreachable.output


def test_publish_needs_a_store_or_sources(tmp_path, server):
    result = invoke("publish", "--store", tmp_path / "none", "--endpoint", f"{server}/query")
    assert result.exit_code == 2 and "no store here" in result.stderr
    both = invoke("publish", PLANS[1], "--store", tmp_path, "--endpoint", f"{server}/query")
    assert both.exit_code == 2 and "either SOURCE files or --store" in both.stderr


# -- Virtuoso ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def published_to_virtuoso(virtuoso, store_path) -> str:
    """The store published to Virtuoso through the CLI, as the README tells; yields the query endpoint."""
    url, _ = virtuoso
    user, password = VIRTUOSO_ADMIN
    result = invoke("publish", "--store", store_path, "--endpoint", f"{url}/sparql",
                    "--graph-store", f"{url}/sparql-graph-crud-auth", "--user", user, "--password", password)
    assert result.exit_code == 0, result.output
    assert "holds them all" in result.stderr
    return f"{url}/sparql"


def test_every_saved_query_answers_the_same_on_virtuoso_and_the_oxigraph_server(published_to_virtuoso, published,
                                                                                 virtuoso):
    """Same rows, query by query; graph-sizes also lists the graphs Virtuoso has of its own before any publish."""
    _, own_graphs = virtuoso
    assert own_graphs and not any(graph.startswith(BASE) for graph in own_graphs)
    for query in saved_queries():
        text, _ = prepare(query)
        ordered = is_ordered(text)
        on_virtuoso = oxigraph_rows(run_query(query, endpoint=published_to_virtuoso))
        on_oxigraph = oxigraph_rows(run_query(query, endpoint=published))
        if query.name == GRAPH_SIZES_QUERY:
            on_oxigraph += [(graph, Decimal(count)) for graph, count in own_graphs.items()]
            ordered = False
        assert comparable(on_virtuoso, ordered) == comparable(on_oxigraph, ordered), query.name


def test_saved_queries_given_an_ente_and_a_year_answer_the_same_on_virtuoso_and_the_oxigraph_server(
        published_to_virtuoso, published):
    """Regression: Virtuoso 7's compiler refused some forms that start from a given ente (SP031), which a run with
    the defaults (parameters unbound) does not show."""
    checked = 0
    for query in saved_queries():
        declared = {parameter.name for parameter in query.parameters}
        for given in ({"ente": "c_d150"}, {"ente": "x_999999", "year": "2024"}, {"year": "2025"}):
            given = {name: value for name, value in given.items() if name in declared}
            if not given:
                continue
            text, _ = prepare(query, given)
            ordered = is_ordered(text)
            on_virtuoso = oxigraph_rows(run_query(query, given, endpoint=published_to_virtuoso))
            on_oxigraph = oxigraph_rows(run_query(query, given, endpoint=published))
            assert comparable(on_virtuoso, ordered) == comparable(on_oxigraph, ordered), (query.name, given)
            checked += bool(on_oxigraph)
    assert checked >= 10


def test_publishing_to_virtuoso_again_replaces_and_parameters_reach_it(published_to_virtuoso, virtuoso, store_path):
    url, _ = virtuoso
    before = graph_sizes(endpoint=published_to_virtuoso)
    user, password = VIRTUOSO_ADMIN
    again = invoke("publish", *PLANS, "--endpoint", published_to_virtuoso,
                   "--graph-store", f"{url}/sparql-graph-crud-auth", "--user", user, "--password", password)
    assert again.exit_code == 1, again.output          # Cremona's data problems, as for load
    assert graph_sizes(endpoint=published_to_virtuoso) == before
    remote = run_query(saved_query("indicator-targets"), {"indicator": "774", "ente": "x_999999"},
                       endpoint=published_to_virtuoso)
    assert [row[:2] for row in oxigraph_rows(remote)] == [("2024", "1.1_0001")]


def test_publish_to_virtuoso_without_graph_store_fails_at_once_and_names_the_option(virtuoso, store_path):
    """Before, the graphs were PUT to Virtuoso's /sparql, which never answers a PUT: a 5-minute hang per graph."""
    url, _ = virtuoso
    for extra in ([], ["--graph-store", f"{url}/sparql"]):
        result = subprocess.run([str(Path(sys.executable).with_name("piao-lod")), "publish", "--store", str(store_path),
                                 "--endpoint", f"{url}/sparql", *extra, "--lang", "en"], capture_output=True, text=True,
                                timeout=60)
        assert result.returncode == 2, result.stderr
        assert "this is Virtuoso" in result.stderr and f"--graph-store {url}/sparql-graph-crud-auth" in result.stderr
        assert "Traceback" not in result.stderr


def test_a_wrong_virtuoso_password_exits_2(virtuoso, store_path):
    url, _ = virtuoso
    result = invoke("publish", "--store", store_path, "--endpoint", f"{url}/sparql",
                    "--graph-store", f"{url}/sparql-graph-crud-auth", "--user", "dba", "--password", "not-the-password")
    assert result.exit_code == 2 and "HTTP 401" in result.stderr, result.output


def test_publish_without_graph_store_to_a_server_that_is_not_oxigraph_names_the_option(tmp_path, store_path):
    """A server that does not say it is Oxigraph gets no guessed graph store but a message naming
    --graph-store (Python's http.server stands in for it)."""
    site = tmp_path / "site"
    site.mkdir()
    port = free_port()
    process = start_server("http.server", [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port),
                                           "--directory", str(site)], f"http://127.0.0.1:{port}/",
                           tmp_path / "server.log", START_TIMEOUT_S)
    try:
        result = invoke("publish", "--store", store_path, "--endpoint", f"http://127.0.0.1:{port}/query")
    finally:
        stop_server(process)
    assert result.exit_code == 2, result.output
    assert "is not Oxigraph" in result.stderr and "give --graph-store" in result.stderr


class DigestGraphStore(http.server.BaseHTTPRequestHandler):
    """A graph store that asks for HTTP digest credentials and, like Virtuoso, answers an upload without
    them at once and closes the connection, without reading the body."""

    USER, PASSWORD, REALM, NONCE = "dba", "secret", "graphs", "abc123"
    received: dict[str, int] = {}

    def expected(self, fields: dict[str, str]) -> str:
        def md5(text: str) -> str:
            return hashlib.md5(text.encode()).hexdigest()
        ha1 = md5(f"{self.USER}:{self.REALM}:{self.PASSWORD}")
        ha2 = md5(f"{self.command}:{fields.get('uri', '')}")
        return md5(f"{ha1}:{self.NONCE}:{fields.get('nc')}:{fields.get('cnonce')}:{fields.get('qop')}:{ha2}")

    def authorised(self) -> bool:
        header = self.headers.get("Authorization", "")
        if not header.startswith("Digest "):
            return False
        fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(header[len("Digest "):]))
        return fields.get("username") == self.USER and fields.get("response") == self.expected(fields)

    def challenge(self) -> None:
        self.send_response(401)
        self.send_header("WWW-Authenticate", f'Digest realm="{self.REALM}", nonce="{self.NONCE}", qop="auth"')
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

    def do_GET(self):
        if not self.authorised():
            return self.challenge()
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_PUT(self):
        if not self.authorised():
            self.challenge()
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        body = self.rfile.read(int(self.headers["Content-Length"]))
        DigestGraphStore.received[self.path] = len(body)
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_upload_with_digest_credentials_is_authorised_before_its_body_is_sent():
    """Regression: a large graph PUT to Virtuoso's digest-protected graph store failed with
    "cannot reach the graph store ([Errno 32] Broken pipe)": the body went out before the credentials."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), DigestGraphStore)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/sparql-graph-crud-auth"
        client = GraphStoreClient(url, http_opener("dba", "secret", url), "dba", "secret")
        body = b"<https://example.org/s> <https://example.org/p> \"x\" .\n" * 200_000      # 11 MB
        client.put(ox.NamedNode("https://example.org/g"), body)
    finally:
        server.shutdown()
        server.server_close()
    assert list(DigestGraphStore.received.values()) == [len(body)]
