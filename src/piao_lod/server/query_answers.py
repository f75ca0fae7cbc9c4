"""One SPARQL query answered on a store: the dataset it sees, the checks that need the parser, the bounded answer.

This is the part of the endpoint that touches the data. It runs inside a query worker process
(:mod:`piao_lod.server.query_workers`), or in the calling process for tests and embedding
(:class:`piao_lod.server.query_runner.InProcessQueries`); either way the same function decides,
so the two cannot drift. Its outcome is a plain tuple, so it crosses a process pipe as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from piao_lod.server.limits import MAX_NESTING
from piao_lod.server.query_scan import names_dataset, too_deep
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
Dataset = tuple[tuple[str, ...], tuple[str, ...]]       # default-graph-uri values, named-graph-uri values


@dataclass(frozen=True)
class QueryRequest:
    """A query and how to answer it: ``results_type`` for SELECT/ASK, ``graph_type`` for CONSTRUCT/DESCRIBE
    (None: that form is not acceptable to the client), ``dataset`` from the protocol's parameters."""

    text: str
    results_type: str | None
    graph_type: str | None
    dataset: Dataset = ((), ())


@dataclass(frozen=True)
class DataSource:
    """Where the graph is read from: an on-disk store (read-only) or RDF dumps loaded into memory."""

    store: Path | None = None
    dumps: tuple[Path, ...] = field(default=())


def open_data(source: DataSource) -> ox.Store:
    from piao_lod.embedded_store import open_store_for_reading
    from piao_lod.graph_inputs import PARSE_ERRORS, load_reference_graphs, rdf_syntax_error

    if source.store is not None:
        return open_store_for_reading(source.store)     # pinned: a load replacing the store does not disturb it
    store = ox.Store()
    for dump in source.dumps:
        try:
            store.bulk_load(path=str(dump), format=ox.RdfFormat.from_extension(dump.suffix.lstrip(".")))
        except PARSE_ERRORS as error:
            raise rdf_syntax_error(dump, error) from None
    load_reference_graphs(store)
    return store


class AnswerTooLarge(Exception):
    pass


class LimitedBuffer:
    """A write target that refuses to grow past ``limit`` bytes: serialising stops there."""

    def __init__(self, limit: int):
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise AnswerTooLarge(f"the answer is larger than {self.limit:,} bytes: add LIMIT or narrow the query")
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def getvalue(self) -> bytes:
        return b"".join(self.parts)


def dataset_arguments(text: str, dataset: Dataset) -> dict:
    """Store.query arguments for the dataset of a query (SPARQL 1.1 Protocol §2.1.4): the protocol's parameters
    if given, else the query's own FROM / FROM NAMED (an unknown graph is an empty one), else the union of
    every graph, which is what the endpoint publishes."""
    defaults, named = dataset
    if defaults or named:
        return {"default_graph": [ox.NamedNode(iri) for iri in defaults],
                "named_graphs": [ox.NamedNode(iri) for iri in named]}
    if names_dataset(text):
        return {}
    return {"use_default_graph_as_union": True}


Outcome = tuple[str, str | None, bytes]     # ("ok" or an error code of piao_lod.server.errors, media type, body)


def answer(store: ox.Store, request: QueryRequest, limit: int) -> Outcome:
    """Everything that reads the query happens here, under the worker's time limit: Oxigraph evaluates some
    queries while parsing them, checking for SERVICE parses too, and measuring the nesting of a query made of
    brackets takes time."""
    from piao_lod.server.service_check import uses_service
    from piao_lod.sparql_query import syntax_message

    try:
        if (depth := too_deep(request.text)) is not None:      # before any parser recurses into it
            return "query-too-deep", None, (f"the query nests brackets {depth} deep; this endpoint parses at most "
                                            f"{MAX_NESTING} levels").encode()
        if uses_service(request.text):
            return "service-refused", None, b"SERVICE is refused: this endpoint only queries its own data"
        try:
            arguments = dataset_arguments(request.text, request.dataset)
        except ValueError as error:
            return "bad-dataset", None, f"default-graph-uri / named-graph-uri: not an IRI ({error})".encode()
        try:
            result = store.query(request.text, **arguments)
        except SyntaxError as error:
            return "malformed-query", None, syntax_message(str(error), "QUERY").encode()
        graph = isinstance(result, ox.QueryTriples)
        media_type = request.graph_type if graph else request.results_type
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
    except AnswerTooLarge as error:
        return "answer-too-large", None, str(error).encode()
    except Exception as error:  # noqa: BLE001 - a worker outlives any query; the message goes back to the client
        # Oxigraph wraps the buffer's exception in its own. No local keeps an exception (its traceback would hold
        # this frame and the query's results in a cycle, freed later by whichever thread collects it).
        if isinstance(error.__context__, AnswerTooLarge):
            return "answer-too-large", None, str(error.__context__).encode()
        return "query-failed", None, str(error).encode()
