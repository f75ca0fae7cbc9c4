"""SPARQL queries answered in worker processes, so that a query can be stopped.

Oxigraph cannot interrupt a running query, and a thread cannot be killed: a query
over its time limit would keep a core busy for as long as it likes. Each worker
process holds the whole graph and answers one query at a time; the server waits
for its answer at most ``timeout`` seconds, then kills it and starts another. Two
workers also use both cores, which threads holding the GIL between Oxigraph calls
would not.
"""

from __future__ import annotations

import multiprocessing
import queue
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from piao_lod.errors import PiaoLodError
from piao_lod.website.addresses import RESOURCE_FILES
from piao_lod.website.resource_files import RESOURCE_FORMATS, rdf_prefixes

RESULTS_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
# The RDF formats offered for CONSTRUCT/DESCRIBE are those written beside every page, in the same order.
GRAPH_FORMATS = {RESOURCE_FILES[suffix]: fmt for suffix, fmt in RESOURCE_FORMATS.items()}


class QueryTimeout(PiaoLodError):
    """The query ran past the time limit and was stopped."""


class QueryTooLarge(PiaoLodError):
    """The answer is larger than the server sends."""


class QueryBusy(PiaoLodError):
    """Every worker stayed busy for the whole time limit."""


class QueryFailed(PiaoLodError):
    """The store could not evaluate the query."""


@dataclass(frozen=True)
class DataSource:
    """Where a worker reads the graph from: an on-disk store (read-only) or RDF dumps loaded into memory."""

    store: Path | None = None
    dumps: tuple[Path, ...] = ()


def open_data(source: DataSource) -> ox.Store:
    from piao_lod.embedded_store import open_store_for_reading
    from piao_lod.graph_inputs import load_reference_graphs

    if source.store is not None:
        return open_store_for_reading(source.store)     # pinned: a load replacing the store does not disturb it
    store = ox.Store()
    for dump in source.dumps:
        store.bulk_load(path=str(dump), format=ox.RdfFormat.from_extension(dump.suffix.lstrip(".")))
    load_reference_graphs(store)
    return store


class LimitedBuffer:
    """A write target that refuses to grow past ``limit`` bytes: serialising stops there."""

    def __init__(self, limit: int):
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise QueryTooLarge(f"the answer is larger than {self.limit:,} bytes: add LIMIT or narrow the query")
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def getvalue(self) -> bytes:
        return b"".join(self.parts)


class QueryRefused(PiaoLodError):
    """The query is not valid SPARQL, uses SERVICE, or none of the accepted formats fits its form."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def dataset_arguments(dataset: tuple[tuple[str, ...], tuple[str, ...]]) -> dict:
    """Store.query arguments for the dataset a request names; without one, the union of every graph."""
    defaults, named = dataset
    arguments: dict = {"use_default_graph_as_union": not defaults}
    if defaults:
        arguments["default_graph"] = [ox.NamedNode(iri) for iri in defaults]
    if named:
        arguments["named_graphs"] = [ox.NamedNode(iri) for iri in named]
    return arguments


def answer(store: ox.Store, text: str, results_type: str | None, graph_type: str | None, limit: int,
           dataset: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())) -> tuple:
    """(status, media type, body). Everything that reads the query happens here, in the worker, under the
    time limit: Oxigraph evaluates some queries while parsing them, and checking for SERVICE parses too."""
    from piao_lod.server.service_check import uses_service
    from piao_lod.sparql_query import syntax_message

    try:
        if uses_service(text):
            return "refused", None, b"SERVICE is refused: this endpoint only queries its own data"
        try:
            arguments = dataset_arguments(dataset)
        except ValueError as error:
            return "syntax", None, f"default-graph-uri / named-graph-uri: not an IRI ({error})".encode()
        try:
            result = store.query(text, **arguments)
        except SyntaxError as error:
            return "syntax", None, syntax_message(str(error), "QUERY").encode()
        graph = isinstance(result, ox.QueryTriples)
        media_type = graph_type if graph else results_type
        if media_type is None:
            offered = ", ".join(GRAPH_FORMATS if graph else RESULTS_FORMATS)
            return "not-acceptable", None, f"none of the requested formats fits this query; ask for one of: {offered}".encode()
        buffer = LimitedBuffer(limit)
        if graph:
            fmt = GRAPH_FORMATS[media_type]
            ox.serialize(result, buffer, fmt, prefixes=rdf_prefixes(fmt))
        else:
            result.serialize(buffer, RESULTS_FORMATS[media_type])
        return "ok", media_type, buffer.getvalue()
    except QueryTooLarge as error:
        return "too-large", None, str(error).encode()
    except Exception as error:  # noqa: BLE001 - a worker outlives any query; the message goes back to the client
        cause = error.__context__ if isinstance(error.__context__, QueryTooLarge) else error
        return ("too-large" if isinstance(cause, QueryTooLarge) else "failed"), None, str(cause).encode()


def worker_main(connection: Connection, source: DataSource, limit: int) -> None:
    store = open_data(source)
    connection.send(("ready", len(store)))
    while True:
        try:
            text, results_type, graph_type, dataset = connection.recv()
        except EOFError:
            return
        connection.send(answer(store, text, results_type, graph_type, limit, dataset))


class Worker:
    def __init__(self, context, source: DataSource, limit: int):
        self.connection, child = context.Pipe()
        self.process = context.Process(target=worker_main, args=(child, source, limit), daemon=True)
        self.process.start()
        child.close()
        status, self.triples = self.connection.recv()

    def stop(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.connection.close()


class QueryWorkers:
    """A fixed set of worker processes, each answering one query at a time."""

    def __init__(self, source: DataSource, size: int, timeout: float, limit: int):
        self.context = multiprocessing.get_context("spawn")
        self.source, self.timeout, self.limit = source, timeout, limit
        self.idle: queue.Queue[Worker] = queue.Queue()
        workers = [Worker(self.context, source, limit) for _ in range(max(1, size))]
        self.triples = workers[0].triples
        for worker in workers:
            self.idle.put(worker)

    def run(self, text: str, results_type: str | None, graph_type: str | None,
            dataset: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())) -> tuple[str, bytes]:
        """(media type, body) of the answer, in ``results_type`` for SELECT/ASK, ``graph_type`` for CONSTRUCT/DESCRIBE."""
        try:
            worker = self.idle.get(timeout=self.timeout)
        except queue.Empty:
            raise QueryBusy(f"every query worker stayed busy for {self.timeout:g} s; try again later") from None
        try:
            worker.connection.send((text, results_type, graph_type, dataset))
            if not worker.connection.poll(self.timeout):
                worker.stop()
                worker = Worker(self.context, self.source, self.limit)
                raise QueryTimeout(f"the query ran longer than the limit of {self.timeout:g} s and was stopped")
            status, media_type, body = worker.connection.recv()
        except (EOFError, OSError):
            worker.stop()
            worker = Worker(self.context, self.source, self.limit)
            raise QueryFailed("the query worker stopped unexpectedly; it was replaced") from None
        finally:
            self.idle.put(worker)
        if status == "too-large":
            raise QueryTooLarge(body.decode())
        if status == "failed":
            raise QueryFailed(body.decode())
        if status != "ok":
            raise QueryRefused({"syntax": 400, "refused": 400, "not-acceptable": 406}[status], body.decode())
        return media_type, body

    def close(self) -> None:
        while True:
            try:
                self.idle.get_nowait().stop()
            except queue.Empty:
                return
