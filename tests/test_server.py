"""`piao-lod serve` as a real process: what needs uvicorn, the query worker processes or real HTTP clients.

The HTTP interface itself is tested in-process (tests/test_server_http.py). Here the server is
``python -m piao_lod serve`` on 127.0.0.1, read with curl, rdflib, SPARQLWrapper, rdflib's
SPARQLStore, raw sockets, schemathesis and a short load test: query time limits, worker crashes
and kills, slow and vanishing clients, bodies over the limit, and requests no library would send.
"""

from __future__ import annotations

import itertools
import json
import os
import posixpath
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.client import HTTPConnection
from pathlib import Path
from xml.dom.minidom import Document

import pyoxigraph as ox
import pytest
from bs4 import BeautifulSoup
import rdflib
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, JSONLD, N3, POST, TURTLE, XML, SPARQLWrapper

from conftest import free_port
from served_site import (BROWSER_ACCEPT, CODES_QUERY, COUNT_QUERY, OBJECTIVE_DIR, OBJECTIVE_IRI, OBJECTIVE_PATH, SPARQL_JSON,
                         answer_rows, embedded, header_values, media_type_of, objective_codes, objective_graph,  # noqa: F401
                         site)  # noqa: F401

START_TIMEOUT_S = 90
QUERY_TIMEOUT_S = 1                   # the limited server's --query-timeout
CLIENT_TIMEOUT_S = 1                  # the limited server's --client-timeout
LOAD_CLIENTS, LOAD_SECONDS = 8, 6
CURL_CALLS = itertools.count()
HEAVY_CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
VALUES_300 = "{ " + " ".join(str(number) for number in range(300)) + " }"
# No data needed: 27 million rows computed from VALUES alone (about 7 s on Oxigraph 0.5).
DATA_FREE_HEAVY_ASK = f"ASK {{ VALUES ?a {VALUES_300} VALUES ?b {VALUES_300} VALUES ?c {VALUES_300} FILTER(?a + ?b + ?c < 0) }}"


# -- the servers -------------------------------------------------------------------------------------

@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for_log(self, pattern: str, seconds: float = 10) -> str:
        deadline = time.monotonic() + seconds
        while not re.search(pattern, self.log_text()) and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.log_text()

    def workers(self) -> list[int]:
        """The query worker processes (children of the server process)."""
        children = []
        for task in Path(f"/proc/{self.process.pid}/task").iterdir():
            children += [int(pid) for pid in (task / "children").read_text().split()]
        return [pid for pid in children if "spawn_main" in Path(f"/proc/{pid}/cmdline").read_text()]

    def rss_kb(self) -> int:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+)", status).group(1))


def start_server(work: Path, *options: str, cwd: Path | None = None) -> Server:
    """``python -m piao_lod serve OPTIONS`` on a free port; returns once /health answers."""
    port = free_port()
    log = work / f"serve-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "piao_lod", "serve", "--host", "127.0.0.1", "--port", str(port),
                                    *options], stdout=out, stderr=subprocess.STDOUT, cwd=cwd,
                                   env={**os.environ, "PYTHONUNBUFFERED": "1"})
    server = Server(f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            with urllib.request.urlopen(server.url + "/health", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            stop_server(server)
            pytest.fail(f"piao-lod serve did not start (exit {process.returncode}):\n{server.log_text()[-3000:]}")
        time.sleep(0.2)


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=10)


@pytest.fixture(scope="module")
def server(site, tmp_path_factory):
    running = start_server(tmp_path_factory.mktemp("serve"), "--site", str(site))
    yield running
    stop_server(running)
    assert "Traceback" not in running.log_text(), running.log_text()[-3000:]


@pytest.fixture(scope="module")
def limited_server(site, tmp_path_factory):
    """A server with a 1 s query time limit and a 1 s limit on slow clients."""
    running = start_server(tmp_path_factory.mktemp("serve-limited"), "--site", str(site),
                           "--query-timeout", str(QUERY_TIMEOUT_S), "--client-timeout", str(CLIENT_TIMEOUT_S))
    yield running
    stop_server(running)
    assert "Traceback" not in running.log_text(), running.log_text()[-3000:]


# -- HTTP clients ------------------------------------------------------------------------------------

@dataclass
class Reply:
    status: int
    headers: dict[str, str] = field(default_factory=dict)   # lower-case names; repeated headers joined by ", "
    body: bytes = b""

    @property
    def media_type(self) -> str:
        return media_type_of(self.headers)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def curl(url: str, *options: str, work: Path) -> Reply:
    """Debian's curl; the last response's status, headers and raw body (after any -L redirects)."""
    call = next(CURL_CALLS)
    head, body = work / f"curl-{call}-head", work / f"curl-{call}-body"
    completed = subprocess.run(["curl", "-sS", "--max-time", "30", "-D", str(head), "-o", str(body), *options, url],
                               capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    blocks = [block for block in head.read_bytes().decode("latin-1").split("\r\n\r\n") if block.strip()]
    lines = blocks[-1].strip().splitlines()
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name, value = name.strip().lower(), value.strip()
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return Reply(int(lines[0].split()[1]), headers, body.read_bytes())


def fetch(url: str, method: str = "GET", headers: dict[str, str] | None = None, data: bytes | None = None,
          timeout: float = 30) -> Reply:
    """urllib, without raising on error statuses and without decompressing."""
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Reply(response.status, {k.lower(): v for k, v in response.headers.items()}, response.read())
    except urllib.error.HTTPError as error:
        return Reply(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())


def sparql(server: Server, query: str, accept: str = SPARQL_JSON, timeout: float = 30) -> Reply:
    return fetch(server.url + "/sparql", "POST", {"Accept": accept, "Content-Type": "application/sparql-query"},
                 query.encode(), timeout)


def answering(server: Server, seconds: float = 60) -> Server:
    """The server once a query gets an answer again (workers stopped by earlier tests are back)."""
    deadline = time.monotonic() + seconds
    while sparql(server, "ASK {}").status != 200:
        assert time.monotonic() < deadline, "no query worker came back"
        time.sleep(0.2)
    return server


def raw_exchange(server: Server, request: bytes, timeout: float = 20) -> bytes:
    """Send bytes no HTTP library would send; everything the server answers until it closes."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return received


def flood(server: Server, head: bytes, piece: bytes, up_to: int) -> tuple[int, bytes]:
    """Send ``head``, then ``piece`` after ``piece`` until the server closes the connection (or ``up_to`` bytes are
    sent); the bytes of pieces sent, and the start of the server's answer."""
    sent = 0
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as sock:
        sock.sendall(head)
        try:
            while sent < up_to:
                sock.sendall(piece)
                sent += len(piece)
        except OSError:
            pass                              # the server closed the connection: it will not read more
        return sent, sock.recv(4096)


def status_of(raw: bytes) -> int:
    return int(raw.split(b" ", 2)[1])


# -- linked-data clients on resource IRIs ------------------------------------------------------------

def test_curl_follows_the_303_to_the_page_and_gets_rdf_at_the_iri(server, site, tmp_path):
    redirected = curl(server.url + OBJECTIVE_PATH, work=tmp_path)        # curl's own Accept: */*
    assert redirected.status == 303 and redirected.headers["location"] == OBJECTIVE_PATH + "/"
    followed = curl(server.url + OBJECTIVE_PATH, "-L", work=tmp_path)
    assert (followed.status, followed.media_type) == (200, "text/html")
    assert followed.body == (site / OBJECTIVE_DIR / "index.html").read_bytes()
    turtle = curl(server.url + OBJECTIVE_PATH, "-H", "Accept: text/turtle", work=tmp_path)
    assert (turtle.status, turtle.headers["content-location"]) == (200, OBJECTIVE_PATH + "/index.ttl")
    assert turtle.body == (site / OBJECTIVE_DIR / "index.ttl").read_bytes()


def test_rdflib_parses_the_objective_from_its_address(server, site):
    graph = rdflib.Graph().parse(server.url + OBJECTIVE_PATH)
    assert isomorphic(graph, objective_graph(site))
    assert (rdflib.URIRef(OBJECTIVE_IRI), DCTERMS.identifier, rdflib.Literal("1.3.2_0003")) in graph
    as_jsonld = rdflib.Graph().parse(server.url + OBJECTIVE_PATH + "?format=jsonld", format="json-ld")
    assert isomorphic(as_jsonld, graph)


def test_rdflib_reads_catalog_void_and_well_known_void(server):
    for path in ("/catalog", "/void", "/.well-known/void"):
        assert len(rdflib.Graph().parse(server.url + path)) > 0, path


# -- SPARQL through real clients ---------------------------------------------------------------------

def wrapper(server: Server, query: str, return_format: str) -> SPARQLWrapper:
    client = SPARQLWrapper(server.url + "/sparql")
    client.setQuery(query)
    client.setReturnFormat(return_format)
    return client


def test_sparqlwrapper_select_json_and_xml(server, objective_codes):
    as_json = wrapper(server, CODES_QUERY, JSON).query().convert()
    assert as_json["head"]["vars"] == ["code"]
    assert [binding["code"]["value"] for binding in as_json["results"]["bindings"]] == objective_codes
    posted = wrapper(server, CODES_QUERY, JSON)
    posted.setMethod(POST)
    assert posted.query().convert() == as_json
    as_xml = wrapper(server, CODES_QUERY, XML).query().convert()
    assert isinstance(as_xml, Document)
    assert [literal.firstChild.data for literal in as_xml.getElementsByTagName("literal")] == objective_codes


def test_sparqlwrapper_ask(server):
    assert wrapper(server, f"ASK {{ <{OBJECTIVE_IRI}> a <https://w3id.org/piao-lod/ontology#Objective> }}", JSON).query().convert()["boolean"] is True
    assert wrapper(server, f"ASK {{ <{OBJECTIVE_IRI}-nessuno> ?p ?o }}", XML).query().convert().getElementsByTagName("boolean")[0].firstChild.data == "false"


@pytest.mark.parametrize("return_format", [TURTLE, N3, XML, JSONLD])
def test_sparqlwrapper_construct_in_every_format_it_asks_for(server, site, return_format):
    """Regression: SPARQLWrapper's N3 sends format=n3 (and output=n3, results=n3) with Turtle in Accept: it was a 406."""
    query = f"CONSTRUCT {{ <{OBJECTIVE_IRI}> ?p ?o }} WHERE {{ <{OBJECTIVE_IRI}> ?p ?o }}"
    expected = rdflib.Graph()
    for triple in objective_graph(site).triples((rdflib.URIRef(OBJECTIVE_IRI), None, None)):
        expected.add(triple)
    assert len(expected) >= 10
    converted = wrapper(server, query, return_format).query().convert()
    if isinstance(converted, bytes):                                   # Turtle and N3 come back as text
        converted = rdflib.Graph().parse(data=converted, format="turtle")
    assert isomorphic(rdflib.Graph().parse(data=converted.serialize(format="nt"), format="nt"), expected)


def test_rdflib_sparqlstore(server, site, objective_codes):
    graph = rdflib.Graph(store=SPARQLStore(query_endpoint=server.url + "/sparql"))
    assert [str(row.code) for row in graph.query(CODES_QUERY)] == objective_codes
    remote = set(graph.triples((rdflib.URIRef(OBJECTIVE_IRI), None, None)))
    assert remote == set(objective_graph(site).triples((rdflib.URIRef(OBJECTIVE_IRI), None, None)))


# -- requests no library sends: malformed paths, bodies ------------------------------------------------

@pytest.mark.parametrize("path", [b"/%00", b"/" + b"a" * 300, b"/%zz", b"/a\\b", b"/id/../../../etc/passwd",
                                  b"/id/%2e%2e/%2e%2e/etc/passwd", b"/" + b"a/" * 3000, b"/%ff", b"/id/\x01", b"/\xc3\xa8",
                                  b"/sparql/../health", b"//etc/passwd"])
def test_malformed_paths_are_4xx_never_5xx(server, path):
    """Regression: /%00 and segments over 255 bytes gave 500 (unhandled exceptions)."""
    answer = raw_exchange(server, b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    assert 400 <= status_of(answer) < 500, answer[:300]


def test_a_chunked_body_is_refused_as_soon_as_it_passes_the_limit(server):
    """Regression: the whole chunked body was buffered before its size was checked (400 MB: +690 MB of memory)."""
    before = server.rss_kb()
    sent, answer = flood(server, b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
                                 b"Transfer-Encoding: chunked\r\n\r\n", b"%x\r\n" % 65536 + b"#" * 65536 + b"\r\n",
                         200_000_000)
    assert status_of(answer) == 413 and b"request-too-large" in answer
    assert sent < 50_000_000, f"the server read {sent:,} bytes of a body over its 1,000,000-byte limit"
    assert server.rss_kb() - before < 30_000


def test_request_headers_over_the_limit_are_431_as_soon_as_they_pass_it(server):
    """Regression: 20 MB of headers were read whole and answered 200: a request's head had no bound."""
    sent, answer = flood(server, b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ", b"a" * 65536, 50_000_000)
    assert status_of(answer) == 431 and b"request-head-too-large" in answer
    assert sent < 10_000_000, f"the server read {sent:,} bytes of a head over its 65,536-byte limit"
    normal = raw_exchange(server, b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + b"a" * 30_000
                          + b"\r\nConnection: close\r\n\r\n")
    assert status_of(normal) == 200


def test_a_client_that_goes_away_mid_body_is_one_log_line(server):
    """Regression: client disconnects filled the log with tracebacks."""
    def went_away(log: str) -> int:
        return len(re.findall(r'"POST /sparql" 499 ', log))

    before, lines_before = went_away(server.log_text()), len(server.log_text().splitlines())
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
                     b"Content-Length: 1000\r\n\r\nASK {")
        time.sleep(0.3)
    deadline = time.monotonic() + 10
    while went_away(server.log_text()) == before and time.monotonic() < deadline:
        time.sleep(0.05)
    log = server.log_text()
    assert went_away(log) == before + 1, log[-2000:]
    assert len(log.splitlines()) == lines_before + 1 and "Traceback" not in log


def test_clients_that_go_away_before_their_answer_leave_one_log_line_each(server):
    """Regression (issue 11): a client closing (or resetting) its connection while its query ran or its answer
    was being sent must not put a traceback in the log; each request is one access-log line."""
    query = urllib.parse.quote("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }")
    request = f"GET /sparql?query={query} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/csv\r\n\r\n".encode()
    lines_before = len(server.log_text().splitlines())
    for reset, wait_s in itertools.product((False, True), (0, 0.05, 0.3)):
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            if reset:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            sock.sendall(request)
            time.sleep(wait_s)
    deadline = time.monotonic() + 15
    while len(server.log_text().splitlines()) < lines_before + 6 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)                       # anything logged late would be a traceback
    log = server.log_text()
    assert len(log.splitlines()) == lines_before + 6, log[-3000:]
    assert "Traceback" not in log and sparql(server, "ASK { ?s ?p ?o }").status == 200


# -- slow clients ---------------------------------------------------------------------------------------

def test_a_request_head_sent_too_slowly_is_cut_off(limited_server):
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", limited_server.port), timeout=10) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        with pytest.raises(OSError):
            for _ in range(40):               # a header line every 0.25 s, never the end of the head
                sock.sendall(b"X-Slow: 1\r\n")
                time.sleep(0.25)
            pytest.fail("the server kept a connection whose head never ended for 10 s")
    assert time.monotonic() - started < 10
    assert "closed: the client spent more than 1 s sending its request" in limited_server.wait_for_log("sending its request")


def test_an_idle_connection_is_closed(limited_server):
    with socket.create_connection(("127.0.0.1", limited_server.port), timeout=10) as sock:
        assert sock.recv(10) == b""           # closed by the server, not by our 10 s timeout


def test_a_body_sent_too_slowly_is_408(limited_server):
    answer = raw_exchange(limited_server, b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                                          b"application/sparql-query\r\nContent-Length: 100\r\n\r\nASK")
    assert status_of(answer) == 408 and b"request-timeout" in answer


# -- the query workers: time limit, crashes, kills -------------------------------------------------------

def test_malformed_query_from_the_form_comes_back_in_the_form_with_the_error_marked(server):
    query = "SELECT ?s WHERE {\n  ?s ?p ?o .\n  FILTER(?s = )\n  }"
    with pytest.raises(SyntaxError) as parsed:
        ox.Store().query(query)
    line = int(re.search(r"(\d+):(\d+)", str(parsed.value)).group(1))
    for lang, heading in (("it", "La query non ha risposta"), ("en", "The query has no answer")):
        data = urllib.parse.urlencode({"query": query}).encode()
        reply = fetch(server.url + f"/sparql?lang={lang}", method="POST", data=data,
                      headers={"Accept": BROWSER_ACCEPT, "Content-Type": "application/x-www-form-urlencoded"})
        assert (reply.status, reply.media_type) == (400, "text/html"), reply.text[:300]
        page = BeautifulSoup(reply.body, "html.parser")
        assert page.html["lang"] == lang
        assert page.find("textarea", attrs={"name": "query"}).get_text() == query      # the typed query is kept
        alert = page.find(id="errore-query")
        assert alert is not None and alert.get("role") == "alert" and alert.h2.get_text() == heading, alert
        assert ("Riga " if lang == "it" else "Line ") in alert.get_text(), alert.get_text()
        marked = page.select_one(".query-lines .error-line")
        assert marked is not None and marked.find("mark") is not None
        assert marked.get_text().rstrip() == query.splitlines()[line - 1]
        assert marked.find_previous_sibling("span", class_="line-number").get_text().strip() == str(line)


def test_unknown_english_paths_get_the_english_404_page(server):
    reply = fetch(server.url + "/en/id/c_d150/piano/2024/obiettivo/nessuno/", headers={"Accept": BROWSER_ACCEPT})
    assert reply.status == 404
    page = BeautifulSoup(reply.body, "html.parser")
    assert page.html["lang"] == "en" and page.title.string.startswith("Page not found")


def test_query_over_the_time_limit_is_stopped_and_the_server_goes_on(limited_server):
    started = time.monotonic()
    reply = sparql(answering(limited_server), HEAVY_CROSS_JOIN, timeout=60)
    elapsed = time.monotonic() - started
    assert reply.status == 503 and "query-timeout" in reply.text, (reply.status, reply.text)
    assert reply.headers["retry-after"] == "1"
    assert "limit" in reply.text and f"{QUERY_TIMEOUT_S} s" in reply.text
    assert elapsed < QUERY_TIMEOUT_S + 10
    assert fetch(limited_server.url + "/health", timeout=5).status == 200
    assert answer_rows(SPARQL_JSON, sparql(answering(limited_server), "ASK { ?s ?p ?o }", timeout=10).body) == [(True,)]


def test_a_data_free_heavy_query_is_stopped_too_and_blocks_nothing(limited_server):
    """Regression: check_syntax() ran each query on an empty store in the event loop to parse it; Oxigraph
    evaluates ASK and aggregates at once, so a query that needs no data (VALUES cross join) froze the
    whole server, past the time limit."""
    outcome: dict[str, object] = {}
    answering(limited_server)

    def heavy():
        started = time.monotonic()
        outcome["reply"] = sparql(limited_server, DATA_FREE_HEAVY_ASK, timeout=60)
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=heavy)
    thread.start()
    time.sleep(0.3)
    started = time.monotonic()
    health = fetch(limited_server.url + "/health", timeout=10)
    health_seconds = time.monotonic() - started
    thread.join(70)
    assert health.status == 200 and health_seconds < 1, f"/health took {health_seconds:.1f} s during a query"
    assert outcome["reply"].status == 503, (outcome["reply"].status, outcome["reply"].text)
    assert outcome["seconds"] < QUERY_TIMEOUT_S + 10


def test_long_queries_and_long_answers_cross_the_worker_pipe(server, embedded):
    """Regression: uvloop leaves the pipe non-blocking after waiting on it, and an answer (or a query) larger than
    the pipe's buffer failed half-read, as if the worker had died."""
    answer = sparql(server, "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }" + " " * 600_000)
    assert answer.status == 200 and len(answer.body) > 1_000_000, (answer.status, answer.text[:300])
    assert len(answer_rows(SPARQL_JSON, answer.body)) == len(embedded)
    assert "replacing" not in server.log_text()


def test_ten_deeply_nested_queries_in_a_row_cost_no_worker(server):
    """Regression: a query nested ~2,200 deep crashed its worker; ten in a row cost seconds of restarts."""
    workers = server.workers()
    for _ in range(10):
        reply = sparql(server, "SELECT * WHERE " + "{" * 5000 + " ?s ?p ?o " + "}" * 5000)
        assert reply.status == 400 and "query-too-deep" in reply.text
    assert server.workers() == workers
    assert "replacing" not in server.log_text()
    assert answer_rows(SPARQL_JSON, sparql(server, "ASK { ?s ?p ?o }").body) == [(True,)]


def test_a_long_chain_runs_into_the_time_limit_not_the_stack(limited_server):
    """10,000 UNIONs overflow an 8 MB stack in Oxigraph's parser (a crash); on the workers' large stack the
    parse is only slow, and the time limit stops it like any slow query."""
    reply = sparql(answering(limited_server), "SELECT * WHERE { " + " UNION ".join(["{}"] * 10_000) + " }", timeout=60)
    assert reply.status == 503 and "query-timeout" in reply.text, (reply.status, reply.text[:300])
    log = limited_server.wait_for_log("ran past the time limit")
    assert "ran past the time limit" in log and "exit code -11" not in log


def test_a_killed_worker_is_replaced_and_no_query_fails(server):
    victim = server.workers()[0]
    os.kill(victim, signal.SIGKILL)
    time.sleep(0.2)
    for _ in range(6):
        assert sparql(server, "ASK { ?s ?p ?o }").status == 200
    server.wait_for_log(rf"query worker {victim} stopped")
    deadline = time.monotonic() + 60
    while len(server.workers()) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert victim not in server.workers() and len(server.workers()) == 2


# -- schemathesis and a short load test ------------------------------------------------------------------

def test_schemathesis_finds_no_server_errors(server, tmp_path):
    command = Path(sys.executable).with_name("schemathesis")
    assert command.exists(), "schemathesis is in the test extras: pip install '.[test]'"
    completed = subprocess.run([str(command), "run", server.url + "/openapi.json", "--checks", "not_a_server_error",
                                "--max-examples", "50", "--seed", "1", "--workers", "1", "--request-timeout", "20",
                                "--phases", "examples,coverage,fuzzing", "--no-shrink",
                                "--report", "junit", "--report-dir", str(tmp_path)],
                               capture_output=True, text=True, timeout=75, cwd=tmp_path)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-6000:]
    report = next(tmp_path.glob("junit*.xml")).read_text(encoding="utf-8")
    tested = int(re.search(r'<testsuite [^>]*tests="(\d+)"', report).group(1))
    assert tested >= 4, output[-3000:]   # /health, /sparql GET and POST, the site's files


def test_concurrent_clients_get_correct_answers(server, site, objective_codes):
    turtle = (site / OBJECTIVE_DIR / "index.ttl").read_bytes()
    query_path = "/sparql?" + urllib.parse.urlencode({"query": CODES_QUERY})
    deadline = time.monotonic() + LOAD_SECONDS

    def client(number: int) -> tuple[list[float], list[str]]:
        latencies, errors = [], []
        connection = HTTPConnection("127.0.0.1", server.port, timeout=30)
        turn = number
        while time.monotonic() < deadline:
            turn += 1
            resource = turn % 2 == 0
            started = time.perf_counter()
            try:
                connection.request("GET", OBJECTIVE_PATH if resource else query_path,
                                   headers={"Accept": "text/turtle" if resource else SPARQL_JSON})
                response = connection.getresponse()
                body = response.read()
                latencies.append(time.perf_counter() - started)
                if response.status != 200:
                    errors.append(f"{response.status} {body[:200]!r}")
                elif resource and body != turtle:
                    errors.append("wrong resource body")
                elif not resource and [b["code"]["value"] for b in json.loads(body)["results"]["bindings"]] != objective_codes:
                    errors.append("wrong SPARQL answer")
            except (OSError, ValueError) as error:
                errors.append(repr(error))
                connection.close()
                connection = HTTPConnection("127.0.0.1", server.port, timeout=30)
        connection.close()
        return latencies, errors

    with ThreadPoolExecutor(LOAD_CLIENTS) as pool:
        results = list(pool.map(client, range(LOAD_CLIENTS)))
    latencies = sorted(latency for result in results for latency in result[0])
    errors = [error for result in results for error in result[1]]
    p50, p99 = statistics.median(latencies), latencies[int(len(latencies) * 0.99) - 1]
    summary = (f"{len(latencies)} requests from {LOAD_CLIENTS} clients in {LOAD_SECONDS} s, {len(errors)} errors, "
               f"p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms")
    print(summary)
    assert errors == [], f"{summary}; first errors: {errors[:5]}"
    assert len(latencies) >= 20 * LOAD_SECONDS, summary
    assert p99 < 5, summary


# -- the CLI -----------------------------------------------------------------------------------------------

def test_serve_without_options_builds_and_serves_the_example(site, tmp_path):
    running = start_server(tmp_path, cwd=tmp_path)
    try:
        assert (tmp_path / "_site" / "dati" / "piao-lod.nq").is_file()
        reply = fetch(running.url + OBJECTIVE_PATH, headers={"Accept": "text/turtle"})
        assert reply.status == 200
        assert isomorphic(rdflib.Graph().parse(data=reply.body, format="turtle"), objective_graph(site))
        count = answer_rows(SPARQL_JSON, sparql(running, COUNT_QUERY).body)
        assert int(count[0][0]) > 2000
    finally:
        stop_server(running)


@pytest.mark.parametrize("option", ["--store", "--site"])
def test_a_missing_store_or_site_is_a_clear_error_not_a_traceback(site, tmp_path, option):
    arguments = ["--site", str(site), "--store", str(tmp_path / "nothing")] if option == "--store" \
        else ["--site", str(tmp_path / "nothing")]
    completed = subprocess.run([sys.executable, "-m", "piao_lod", "serve", *arguments, "--port", "1"],
                               capture_output=True, text=True, check=False, timeout=60)
    assert completed.returncode == 2, completed.stderr
    assert "Traceback" not in completed.stderr
    assert str(tmp_path / "nothing") in completed.stderr


def test_a_site_whose_dump_is_damaged_is_a_message_not_a_traceback(site, tmp_path):
    """The query workers load the dump when the server starts: one cut short stopped every worker with a
    SyntaxError, and the server's startup with an EOFError traceback (exit 3). It is now unusable input, named
    by its file and line, before the server listens."""
    import shutil

    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    with (copy / "dati" / "piao-lod.nq").open("a", encoding="utf-8") as dump:
        dump.write("<https://example.org/cut")
    lines = (copy / "dati" / "piao-lod.nq").read_text(encoding="utf-8").count("\n")
    completed = subprocess.run([sys.executable, "-m", "piao_lod", "serve", "--site", str(copy), "--port",
                                str(free_port()), "--lang", "en"], capture_output=True, text=True, timeout=300)
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr
    assert f"{copy / 'dati' / 'piao-lod.nq'}:{lines + 1} [column 1]: error: not valid RDF" in completed.stderr
