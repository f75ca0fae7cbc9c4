"""``/sparql``: the SPARQL 1.1 Protocol, read-only, each query bounded in time and answer size.

Queries reach the store only through :class:`QueryWorkers`. Updates are refused before
parsing; SERVICE is refused too, since it would make this server fetch from anywhere.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from piao_lod.server.negotiation import choose
from piao_lod.server.query_workers import (GRAPH_FORMATS, RESULTS_FORMATS, QueryBusy, QueryFailed, QueryRefused,
                                           QueryTimeout, QueryTooLarge, QueryWorkers)
from piao_lod.sparql_query import QueryForm

MAX_QUERY_BYTES = 1_000_000
RESULTS_TYPES = [*RESULTS_FORMATS, "text/html"]     # the server's order of preference
GRAPH_TYPES = [*GRAPH_FORMATS, "text/html"]
ALIASES = {"application/json": "application/sparql-results+json", "application/xml": "application/sparql-results+xml",
           "text/xml": "application/sparql-results+xml"}
FORMAT_PARAMETER = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                    "csv": "text/csv", "tsv": "text/tab-separated-values", "html": "text/html",
                    "ttl": "text/turtle", "turtle": "text/turtle", "jsonld": "application/ld+json",
                    "nt": "application/n-triples", "rdf": "application/rdf+xml"}
# What ?format= means for CONSTRUCT/DESCRIBE where it differs: SPARQLWrapper sends format=xml (its default for
# graphs), format=rdf+xml or format=json-ld and means RDF/XML and JSON-LD, not SPARQL results.
GRAPH_FORMAT_PARAMETER = {"xml": "application/rdf+xml", "rdf+xml": "application/rdf+xml",
                          "json": "application/ld+json", "json-ld": "application/ld+json"}


class ProtocolError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status



def protocol_dataset(parameters: dict[str, list[str]]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The RDF dataset a request names with ``default-graph-uri`` and ``named-graph-uri`` (SPARQL 1.1 Protocol §2.1.4)."""
    return tuple(parameters.get("default-graph-uri", ())), tuple(parameters.get("named-graph-uri", ()))


async def read_query(request: Request) -> tuple[str | None, tuple[tuple[str, ...], tuple[str, ...]]]:
    """The query of a GET or POST request (form-encoded or direct) and the dataset it names; updates are refused."""
    url_parameters = {key: request.query_params.getlist(key) for key in request.query_params}
    if request.method == "GET" or request.method == "HEAD":
        if "update" in url_parameters:
            raise ProtocolError(403, "this endpoint is read-only: SPARQL updates are refused")
        return request.query_params.get("query"), protocol_dataset(url_parameters)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if len(body) > MAX_QUERY_BYTES:
        raise ProtocolError(413, f"the request is larger than {MAX_QUERY_BYTES:,} bytes")
    if content_type == "application/sparql-update":
        raise ProtocolError(403, "this endpoint is read-only: SPARQL updates are refused")
    if content_type == "application/sparql-query":
        return body.decode("utf-8", "replace"), protocol_dataset(url_parameters)
    if content_type in ("application/x-www-form-urlencoded", ""):
        form = parse_qs(body.decode("utf-8", "replace"))
        if "update" in form:
            raise ProtocolError(403, "this endpoint is read-only: SPARQL updates are refused")
        values = form.get("query") or [request.query_params.get("query")]
        return values[0], protocol_dataset(form)
    raise ProtocolError(415, "send the query as application/sparql-query or application/x-www-form-urlencoded")


def response_type(request: Request, form: QueryForm) -> str | None:
    requested = request.query_params.getlist("format")
    available = GRAPH_TYPES if form is QueryForm.graph else RESULTS_TYPES
    if requested:
        # SPARQLWrapper repeats the parameter, as a name and as media types: format=json-ld&format=application/ld+json
        for value in (value.strip().lower() for value in requested):
            chosen = (GRAPH_FORMAT_PARAMETER if form is QueryForm.graph else {}).get(value) \
                or FORMAT_PARAMETER.get(value) or (choose(value, available) if "/" in value else None)
            if chosen in available:
                return chosen
        return None
    accept = request.headers.get("accept")
    if accept and form is not QueryForm.graph:
        for alias, canonical in ALIASES.items():
            accept = accept.replace(alias, canonical)
    return choose(accept, [t for t in available if t != "text/html"] if not wants_html(accept) else available)


def wants_html(accept: str | None) -> bool:
    """Browsers list text/html explicitly; ``*/*`` alone (curl, libraries) gets data, not a page."""
    return bool(accept) and "text/html" in accept


def make_router(workers: QueryWorkers, pages) -> APIRouter:
    """``pages``: a :class:`piao_lod.server.pages.ServerPages` (the query page and the service description)."""
    router = APIRouter()

    async def endpoint(request: Request) -> Response:
        started = time.perf_counter()
        text = None
        lang = request.query_params.get("lang", "it")     # the edition of the site the form was sent from
        lang = lang if lang in ("it", "en") else "it"

        def failure(status: int, message: str) -> Response:
            """A browser gets the form back with its query and the error in it; other clients, the text."""
            if text is not None and wants_html(request.headers.get("accept")):
                return HTMLResponse(pages.query_page(text, None, message, lang), status_code=status, headers=timing(started))
            return PlainTextResponse(message + "\n", status_code=status, headers=timing(started))

        try:
            text, dataset = await read_query(request)
            if text is None:
                if wants_html(request.headers.get("accept")):
                    return HTMLResponse(pages.query_page(None, None, lang=lang), headers={"Vary": "Accept"})
                return Response(pages.service_description(str(request.url_for("sparql_get"))),
                                media_type="text/turtle", headers={"Vary": "Accept"})
            results_type = response_type(request, QueryForm.select)
            graph_type = response_type(request, QueryForm.graph)
            if results_type is None and graph_type is None:
                raise ProtocolError(406, "none of the requested formats is available; ask for one of: "
                                         + ", ".join(dict.fromkeys(RESULTS_TYPES + GRAPH_TYPES)))
            media_type, body = await run(workers, text, wire_type(results_type, "application/sparql-results+json"),
                                         wire_type(graph_type, "application/n-triples"), dataset)
            graph = media_type in GRAPH_TYPES
            if (graph_type if graph else results_type) == "text/html":
                answer = ([quad.triple for quad in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)] if graph
                          else ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON))
                return HTMLResponse(pages.query_page(text, answer, lang=lang), headers=timing(started))
            charset = "; charset=utf-8" if media_type.startswith("text/") else ""
            return Response(body, media_type=media_type + charset, headers=timing(started))
        except ProtocolError as error:
            return failure(error.status, str(error))
        except (QueryTimeout, QueryBusy) as error:
            return failure(503, str(error))
        except QueryTooLarge as error:
            return failure(400, str(error))
        except QueryRefused as error:
            return failure(error.status, str(error))
        except QueryFailed as error:
            return failure(400, f"the query failed: {error}")

    @router.get("/sparql", name="sparql_get", summary="SPARQL 1.1 query (GET ?query=)")
    async def sparql_get(request: Request, query: str | None = None, format: str | None = None) -> Response:
        return await endpoint(request)

    @router.get("/sparql/", include_in_schema=False)
    async def sparql_get_slash(request: Request) -> Response:
        return await endpoint(request)

    @router.post("/sparql", name="sparql_post", summary="SPARQL 1.1 query (POST form-encoded or application/sparql-query)")
    async def sparql_post(request: Request) -> Response:
        return await endpoint(request)

    return router


async def run(workers: QueryWorkers, text: str, results_type: str | None, graph_type: str | None,
              dataset: tuple[tuple[str, ...], tuple[str, ...]]) -> tuple[str, bytes]:
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(workers.run, text, results_type, graph_type, dataset)


def wire_type(chosen: str | None, for_html: str) -> str | None:
    """What a worker writes: the chosen type, or the data a page is rendered from when the client wants HTML."""
    return for_html if chosen == "text/html" else chosen


def timing(started: float) -> dict[str, str]:
    return {"Vary": "Accept", "Server-Timing": f"query;dur={(time.perf_counter() - started) * 1000:.1f}"}
