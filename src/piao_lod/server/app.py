"""The FastAPI application: the site, ``/sparql``, ``/health``; gzip, CORS and an access log with timings."""

from __future__ import annotations

import logging
import time
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware

from piao_lod import __version__
from piao_lod.embedded_store import open_store_for_reading
from piao_lod.errors import UsageError
from piao_lod.server import site_files, sparql_protocol
from piao_lod.server.pages import ServerPages
from piao_lod.server.query_workers import DataSource, QueryWorkers
from piao_lod.server.settings import ServerSettings
from piao_lod.website.addresses import SiteAddresses
from piao_lod.website.build import site_url_of

access_log = logging.getLogger("piao_lod.access")


def data_source(settings: ServerSettings) -> DataSource:
    """The store if given, else the site's own dump: the endpoint answers over the data the pages show."""
    if settings.store is not None:
        open_store_for_reading(settings.store)     # the same check as ``query --store``: a clear error, not a worker crash
        return DataSource(store=settings.store)
    dump = settings.site / "dati" / "piao-lod.nq"
    if not dump.is_file():
        raise UsageError(f"{settings.site}: no dati/piao-lod.nq in this site; rebuild it with piao-lod build, or give --store")
    return DataSource(dumps=(dump,))


def create_app(settings: ServerSettings) -> FastAPI:
    site_url = site_url_of(settings.site)
    source = data_source(settings)
    pages = ServerPages(SiteAddresses(site_url))
    state: dict = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        state["workers"] = QueryWorkers(source, settings.query_workers, settings.query_timeout_s,
                                        settings.max_result_bytes)
        yield
        state["workers"].close()

    app = FastAPI(title="piao-lod", version=__version__, lifespan=lifespan,
                  description="PIAO plans as linked data: resource pages with content negotiation and a read-only "
                              "SPARQL 1.1 endpoint.")
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    app.add_middleware(AccessLog)
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
                       allow_headers=["*"], expose_headers=["ETag", "Last-Modified", "Server-Timing"])

    @app.get("/health", summary="Liveness and what is served")
    async def health() -> dict:
        workers = state.get("workers")
        return {"status": "ok", "site": settings.site.name, "triples": workers.triples if workers else None,
                "query_timeout_s": settings.query_timeout_s}

    app.include_router(sparql_protocol.make_router(WorkersProxy(state), pages))
    app.include_router(site_files.make_router(settings.site, pages.not_found))
    return app


class AccessLog:
    """One log line per request with its status and time, as plain ASGI (Starlette's ``@app.middleware``
    wraps every response in extra tasks and costs about a millisecond a request)."""

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
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            client = scope.get("client")
            access_log.info('%s "%s %s" %s %.1f ms', client[0] if client else "-", scope["method"], scope["path"],
                            status.get("code", "-"), (time.perf_counter() - started) * 1000)


class WorkersProxy:
    """The query workers start with the application (lifespan), after the routes are made."""

    def __init__(self, state: dict):
        self.state = state

    def run(self, text: str, results_type: str | None, graph_type: str | None, dataset) -> tuple[str, bytes]:
        return self.state["workers"].run(text, results_type, graph_type, dataset)
