"""``/sparql``: the SPARQL 1.1 Protocol, read-only, each query bounded in time and answer size.

Queries reach the data only through the app's query runner (:mod:`piao_lod.server.query_runner`).
Before that, this module refuses what must never reach it: updates, and bodies over the size limit
(as soon as they pass it, chunked or not) or slower than the time limit. What needs the query's text
read (nesting, SERVICE, syntax) is refused by the runner, under its time limit.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from urllib.parse import parse_qs

import pyoxigraph as ox
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from piao_lod.messages import DEFAULT_LANGUAGE, LANGUAGES
from piao_lod.server.errors import Refusal
from piao_lod.server.limits import MAX_REQUEST_BYTES
from piao_lod.server.negotiation import choose
from piao_lod.server.query_answers import GRAPH_FORMATS, RESULTS_FORMATS, QueryRequest

RESULTS_TYPES = (*RESULTS_FORMATS, "text/html")     # the server's order of preference
GRAPH_TYPES = (*GRAPH_FORMATS, "text/html")
# Parameters clients use to name a format (SPARQLWrapper sends all three), and the names they give.
FORMAT_PARAMETERS = ("format", "output", "results")
FORMAT_NAMES = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                "csv": "text/csv", "tsv": "text/tab-separated-values", "html": "text/html",
                "ttl": "text/turtle", "turtle": "text/turtle", "n3": "text/turtle", "jsonld": "application/ld+json",
                "json-ld": "application/ld+json", "nt": "application/n-triples", "ntriples": "application/n-triples",
                "n-triples": "application/n-triples", "rdf": "application/rdf+xml", "rdf+xml": "application/rdf+xml",
                "rdfxml": "application/rdf+xml"}
# Where a name means something else for CONSTRUCT/DESCRIBE: SPARQLWrapper sends format=xml (its default for
# graphs) and format=json for RDF/XML and JSON-LD, not SPARQL results.
GRAPH_FORMAT_NAMES = {**FORMAT_NAMES, "xml": "application/rdf+xml", "json": "application/ld+json"}
READ_ONLY = "this endpoint is read-only: SPARQL updates are refused"
# /sparql's OpenAPI description: its routes are plain Starlette ones (FastAPI's per-request dependency solving
# would double the cost of a small query), so the app adds this to the generated schema.
OPENAPI_PATHS = {"/sparql": {
    "get": {"summary": "SPARQL 1.1 query (GET ?query=); without a query, the service description", "operationId": "sparql_get",
            "parameters": [
                {"name": "query", "in": "query", "required": False, "schema": {"type": "string"}},
                {"name": "default-graph-uri", "in": "query", "required": False, "style": "form", "explode": True,
                 "schema": {"type": "array", "items": {"type": "string"}}},
                {"name": "named-graph-uri", "in": "query", "required": False, "style": "form", "explode": True,
                 "schema": {"type": "array", "items": {"type": "string"}}},
                {"name": "format", "in": "query", "required": False, "schema": {"type": "string"},
                 "description": "json, xml, csv, tsv, html, ttl, jsonld, nt, rdf or a media type; wins over Accept"}],
            "responses": {"200": {"description": "the answer, in the negotiated format"},
                          "4XX": {"description": "refused; the body gives the error code"}}},
    "post": {"summary": "SPARQL 1.1 query (POST form-encoded or application/sparql-query)", "operationId": "sparql_post",
             "requestBody": {"required": True, "content": {
                 "application/sparql-query": {"schema": {"type": "string"}},
                 "application/x-www-form-urlencoded": {"schema": {"type": "object", "required": ["query"],
                                                                  "properties": {"query": {"type": "string"}}}}}},
             "responses": {"200": {"description": "the answer, in the negotiated format"},
                           "4XX": {"description": "refused; the body gives the error code"}}},
}}


def protocol_dataset(parameters: dict[str, list[str]]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The RDF dataset a request names with ``default-graph-uri`` and ``named-graph-uri`` (SPARQL 1.1 Protocol §2.1.4)."""
    return tuple(parameters.get("default-graph-uri", ())), tuple(parameters.get("named-graph-uri", ()))


async def read_body(request: Request, limit: int, timeout: float) -> bytes:
    """The request body, read as it arrives: refused as soon as it passes ``limit`` bytes (a declared
    Content-Length before reading anything), or when it has not all arrived after ``timeout`` seconds."""
    too_large = Refusal("request-too-large", f"the request body is larger than {limit:,} bytes")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    parts, size = [], 0
    try:
        async with asyncio.timeout(timeout):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise too_large
                parts.append(chunk)
    except TimeoutError:
        raise Refusal("request-timeout", f"the request body did not arrive within {timeout:g} s") from None
    return b"".join(parts)


async def read_query(request: Request, body_timeout: float) -> tuple[str | None, tuple[tuple[str, ...], tuple[str, ...]]]:
    """The query of a GET or POST request (form-encoded or direct) and the dataset it names; updates are refused."""
    url_parameters = {key: request.query_params.getlist(key) for key in request.query_params}
    if request.method in ("GET", "HEAD"):
        if "update" in url_parameters:
            raise Refusal("update-refused", READ_ONLY)
        return request.query_params.get("query"), protocol_dataset(url_parameters)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/sparql-update":
        raise Refusal("update-refused", READ_ONLY)
    if content_type not in ("application/sparql-query", "application/x-www-form-urlencoded", ""):
        raise Refusal("unsupported-media-type",
                      "send the query as application/sparql-query or application/x-www-form-urlencoded")
    body = await read_body(request, MAX_REQUEST_BYTES, body_timeout)
    if content_type == "application/sparql-query":
        return body.decode("utf-8", "replace"), protocol_dataset(url_parameters)
    form = parse_qs(body.decode("utf-8", "replace"))
    if "update" in form:
        raise Refusal("update-refused", READ_ONLY)
    values = form.get("query") or [request.query_params.get("query")]
    return values[0], protocol_dataset(form)


def response_types(request: Request) -> tuple[str | None, str | None]:
    """The media types to answer in: for SELECT/ASK, for CONSTRUCT/DESCRIBE (None: that form is not acceptable)."""
    accept = request.headers.get("accept")
    requested = [value.strip().lower() for name in FORMAT_PARAMETERS for value in request.query_params.getlist(name)]
    return response_type(accept, requested, graph=False), response_type(accept, requested, graph=True)


def response_type(accept: str | None, requested: list[str], graph: bool) -> str | None:
    """A ``format=`` the endpoint knows wins over Accept; one it does not know (SPARQLWrapper's ``n3`` for a
    SELECT...) is ignored when the Accept header names a type that fits; otherwise it is a 406."""
    available = GRAPH_TYPES if graph else RESULTS_TYPES
    if requested:
        names = GRAPH_FORMAT_NAMES if graph else FORMAT_NAMES
        for value in requested:     # SPARQLWrapper repeats it, as a name and as a media type
            chosen = names.get(value) or (choose(value, available) if "/" in value else None)
            if chosen in available:
                return chosen
        specific = specific_ranges(accept)
        return choose(",".join(specific), available) if specific else None
    return choose(accept, available if wants_html(accept) else available[:-1])


def specific_ranges(accept: str | None) -> list[str]:
    """The parts of an Accept header that name a type (``*/*`` says nothing about what a client wants)."""
    return [part for part in (accept or "").split(",") if part.split(";")[0].strip() not in ("", "*/*")]


def wants_html(accept: str | None) -> bool:
    """Browsers list text/html explicitly; ``*/*`` alone (curl, libraries) gets data, not a page."""
    return bool(accept) and "text/html" in accept


def routes(pages, body_timeout: float) -> list[Route]:
    """``pages``: a :class:`piao_lod.server.pages.ServerPages`. The query runner is the app's ``state.queries``."""

    async def endpoint(request: Request) -> Response:
        started = time.perf_counter()
        text = None
        lang = request.query_params.get("lang", DEFAULT_LANGUAGE)     # the edition the form was sent from
        lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE

        def form_with_error(error: Refusal) -> Response:
            """A browser gets the form back with its query kept and the error marked in it; other clients get
            the answer of the one error mapping (errors.py)."""
            if text is not None and wants_html(request.headers.get("accept")):
                return HTMLResponse(pages.query_page(text, None, str(error), lang), status_code=error.kind.status,
                                    headers={**timing(started), **pages.html_headers})
            raise error

        try:
            text, dataset = await read_query(request, body_timeout)
        except ClientDisconnect:
            return Response(status_code=499)        # nobody to answer; the access log says who went away
        if text is None:
            if request.method == "POST":
                raise Refusal("missing-query", "the request has no query: send query= or an application/sparql-query body")
            if wants_html(request.headers.get("accept")):
                return HTMLResponse(pages.query_page(None, None, lang=lang), headers={"Vary": "Accept", **pages.html_headers})
            return Response(pages.service_description(str(request.url_for("sparql"))),
                            media_type="text/turtle", headers={"Vary": "Accept"})
        try:
            results_type, graph_type = response_types(request)
            if results_type is None and graph_type is None:
                raise Refusal("not-acceptable", "none of the requested formats is available; ask for one of: "
                                                + ", ".join(dict.fromkeys(RESULTS_TYPES + GRAPH_TYPES)))
            media_type, body = await request.app.state.queries.run(QueryRequest(
                text, wire_type(results_type, "application/sparql-results+json"),
                wire_type(graph_type, "application/n-triples"), dataset))
        except Refusal as error:
            return form_with_error(error)
        graph = media_type in GRAPH_TYPES
        if (graph_type if graph else results_type) == "text/html":
            answer = (list(triples(body)) if graph
                      else ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON))
            return HTMLResponse(pages.query_page(text, answer, lang=lang), headers={**timing(started), **pages.html_headers})
        charset = "; charset=utf-8" if media_type.startswith("text/") else ""
        return Response(body, media_type=media_type + charset, headers=timing(started))

    return [Route("/sparql", endpoint, methods=["GET", "POST"], name="sparql"),
            Route("/sparql/", endpoint, methods=["GET"])]


def triples(n_triples: bytes) -> Iterable[ox.Triple]:
    return (quad.triple for quad in ox.parse(n_triples, format=ox.RdfFormat.N_TRIPLES))


def wire_type(chosen: str | None, for_html: str) -> str | None:
    """What a worker writes: the chosen type, or the data a page is rendered from when the client wants HTML."""
    return for_html if chosen == "text/html" else chosen


def timing(started: float) -> dict[str, str]:
    return {"Vary": "Accept", "Server-Timing": f"query;dur={(time.perf_counter() - started) * 1000:.1f}"}
