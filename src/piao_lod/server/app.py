"""The FastAPI application: the site, ``/sparql``, ``/health``; gzip, CORS and an access log with timings.

:func:`create_app` takes what answers the queries as an argument (a
:class:`~piao_lod.server.query_runner.QueryRunner`): by default the worker processes over the
site's dump or ``--store``, which stop a query at the time limit; tests pass an in-process
runner over a store they hold and drive the app with FastAPI's test client.
"""

from __future__ import annotations

import logging
import time
from contextlib import asynccontextmanager
from functools import partial

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.openapi.utils import get_openapi

from piao_lod import __version__
from piao_lod.embedded_store import open_store_for_reading
from piao_lod.errors import UsageError
from piao_lod.messages import N_
from piao_lod.server import errors, site_files, sparql_protocol
from piao_lod.server.followed_store import FollowedStorePages
from piao_lod.server.pages import ServerPages
from piao_lod.server.query_answers import DataSource
from piao_lod.server.query_runner import QueryRunner
from piao_lod.server.query_workers import QueryWorkers
from piao_lod.server.request_paths import PathGuard
from piao_lod.store_directory import StoreGeneration
from piao_lod.server.settings import ServerSettings
from piao_lod.server.store_pages import StorePages
from piao_lod.website.store_site import StoreCatalogue
from piao_lod.website.addresses import SiteAddresses
from piao_lod.website.build import site_url_of

access_log = logging.getLogger("piao_lod.access")
MAX_LOGGED_PATH = 300


def data_source(settings: ServerSettings) -> DataSource:
    """The store if given, else the site's own dump: the endpoint answers over the data the pages show."""
    if settings.store is not None:
        open_store_for_reading(settings.store)     # the same check as ``query --store``: a clear error, not a worker crash
        return DataSource(store=settings.store)
    dump = settings.site / "dati" / "piao-lod.nq"
    if not dump.is_file():
        raise UsageError(N_("no dati/piao-lod.nq in this site; rebuild it with piao-lod build, or give --store"),
                         subject=str(settings.site))
    return DataSource(dumps=(dump,))


def store_pages(settings: ServerSettings) -> StorePages:
    """The pages from ``settings.store``, for the site's URL (a site given with it) or the one its plans were made for."""
    sources = settings.sources or (settings.site / "dati" / "fonti" if settings.site is not None else None)
    if settings.sources is not None and not settings.sources.is_dir():
        raise UsageError(N_("--sources must be a folder (of the plans' source documents)"), subject=str(settings.sources))
    catalogue = StoreCatalogue.open(settings.store, site_url_of(settings.site) if settings.site else None, sources)
    return StorePages(catalogue, sources)


def query_workers(settings: ServerSettings) -> QueryWorkers:
    return QueryWorkers(data_source(settings), settings.query_workers, settings.query_timeout_s,
                        settings.max_result_bytes)


def create_app(settings: ServerSettings, queries: QueryRunner | None = None) -> FastAPI:
    """The app serving ``settings.site`` and, with ``settings.store``, every page the site lacks rendered from the
    store; ``queries`` answers ``/sparql`` (default: :func:`query_workers`)."""
    if settings.site is None and settings.store is None:
        raise UsageError(N_("give --site (a folder written by piao-lod build) or --store (a store filled by piao-lod "
                            "load)"))
    from_store = FollowedStorePages(partial(store_pages, settings), StoreGeneration(settings.store)) \
        if settings.store is not None else None
    site_url = site_url_of(settings.site) if settings.site is not None else from_store.catalogue.addresses.site_url
    queries = queries if queries is not None else query_workers(settings)
    pages = ServerPages(SiteAddresses(site_url))

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await queries.start()
        yield
        await queries.close()

    app = FastAPI(title="piao-lod", version=__version__, lifespan=lifespan,
                  telemetry={"tracing": False, "metrics": False, "logs": False},   # else checked on every request
                  description="PIAO plans as linked data: resource pages with content negotiation and a read-only "
                              "SPARQL 1.1 endpoint.")
    app.state.queries = queries
    app.add_middleware(PathGuard, not_found_page=pages.not_found, html_headers=pages.html_headers)
    app.add_middleware(GZipWhenAsked, minimum_size=1000)
    app.add_middleware(AccessLog)
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
                       allow_headers=["*"], expose_headers=["ETag", "Last-Modified", "Server-Timing", "Content-Location"])
    errors.install(app, pages.not_found, pages.html_headers)

    @app.get("/health", summary="Liveness and what is served")
    async def health() -> dict:
        return {"status": "ok", "site": settings.site.name if settings.site else None,
                "store": from_store.catalogue.identity[:16] if from_store else None, "triples": queries.triples,
                "query_timeout_s": settings.query_timeout_s}

    app.router.routes.extend(sparql_protocol.routes(pages, settings.client_timeout_s))
    app.include_router(site_files.make_router(settings.site, from_store.answer if from_store else None))
    app.openapi = partial(openapi_schema, app, sparql_protocol.OPENAPI_PATHS)
    return app


def openapi_schema(app: FastAPI, extra_paths: dict) -> dict:
    """FastAPI's schema of its own routes, with the paths described by hand (``/sparql``'s plain routes)."""
    if app.openapi_schema is None:
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        schema["paths"] = {**extra_paths, **schema["paths"]}
        app.openapi_schema = schema
    return app.openapi_schema


def start_queries(app: FastAPI) -> None:
    """Start the query workers before the server listens, so that data they cannot open (a damaged dump) is a
    message and an exit code, not a traceback from the server's startup."""
    import asyncio

    asyncio.run(app.state.queries.start())


def serve(app: FastAPI, host: str, port: int, settings: ServerSettings) -> None:
    """Run the app on uvicorn with the slow-client time limits of :mod:`piao_lod.server.http_protocol`."""
    import uvicorn

    from piao_lod.server.http_protocol import GuardedHttpToolsProtocol

    uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning",
                http=partial(GuardedHttpToolsProtocol, client_timeout=settings.client_timeout_s))


class GZipWhenAsked(GZipMiddleware):
    """Starlette's gzip, entered only by requests that accept gzip: the others pay nothing for it."""

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and any(name == b"accept-encoding" and b"gzip" in value
                                           for name, value in scope["headers"]):
            return await super().__call__(scope, receive, send)
        return await self.app(scope, receive, send)


class AccessLog:
    """One log line per request with its status and time (499: the client went away first), as plain ASGI
    (Starlette's ``@app.middleware`` wraps every response in extra tasks and costs about a millisecond a
    request). Every response also says ``X-Content-Type-Options: nosniff``: an error message quoting a
    query is text, never a page a browser might guess it to be."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        status = {}

        async def send_and_note(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message["headers"] = [*message.get("headers", ()), (b"x-content-type-options", b"nosniff")]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            if access_log.isEnabledFor(logging.INFO):
                client = scope.get("client")
                path = scope.get("raw_path", b"").decode("latin-1") or scope["path"]   # encoded: no line breaks in the log
                if len(path) > MAX_LOGGED_PATH:
                    path = path[:MAX_LOGGED_PATH] + "…"
                # makeRecord + handle: what .info() does, less looking up the caller's frame (a tenth of a request)
                access_log.handle(access_log.makeRecord(
                    access_log.name, logging.INFO, "", 0, '%s "%s %s" %s %.1f ms',
                    (client[0] if client else "-", scope["method"], path, status.get("code", "-"),
                     (time.perf_counter() - started) * 1000), None))
