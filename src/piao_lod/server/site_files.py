"""The built site over HTTP: resource IRIs negotiate among the files beside each page.

A resource folder holds ``index.html`` and its RDF (``index.ttl`` ...): the client's Accept
header (with q-values) or ``?format=`` picks one. Every answer carries an ETag and
Last-Modified, and conditional requests get 304.
"""

from __future__ import annotations

import hashlib
import mimetypes
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from piao_lod.server.negotiation import choose
from piao_lod.website.addresses import RESOURCE_FILES
from piao_lod.website.resource_files import MEDIA_TYPES

BY_MEDIA_TYPE = {media_type: suffix for suffix, media_type in RESOURCE_FILES.items()}
SUFFIX_ALIASES = {"turtle": "ttl", "json": "jsonld", "json-ld": "jsonld", "ntriples": "nt", "xml": "rdf"}
# The RDF files the build writes, by suffix, then the rest that mimetypes does not know.
EXTRA_TYPES = {**{f".{suffix}": media_type for suffix, media_type in MEDIA_TYPES.items() if "." not in suffix},
               ".rq": "application/sparql-query", ".gz": "application/gzip", ".xml": "application/xml",
               ".js": "text/javascript", ".css": "text/css", ".woff2": "font/woff2", ".pf_meta": "application/octet-stream"}


def content_type(path: Path) -> str:
    media_type = EXTRA_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return media_type + "; charset=utf-8" if media_type.startswith("text/") or media_type in (
        "application/ld+json", "application/n-triples") else media_type


def validators(path: Path) -> tuple[str, str]:
    stat = path.stat()
    tag = hashlib.sha1(f"{stat.st_size}-{stat.st_mtime_ns}-{path.name}".encode()).hexdigest()[:20]
    return f'W/"{tag}"', formatdate(stat.st_mtime, usegmt=True)   # weak: gzip may re-encode the body


def not_modified(request: Request, etag: str, last_modified: str) -> bool:
    match = request.headers.get("if-none-match")
    if match is not None:
        weak = etag.removeprefix("W/")
        return weak in [part.strip().removeprefix("W/") for part in match.split(",")] or match.strip() == "*"
    since = request.headers.get("if-modified-since")
    if since:
        try:
            return parsedate_to_datetime(since) >= parsedate_to_datetime(last_modified)
        except (TypeError, ValueError):
            return False
    return False


def file_response(request: Request, path: Path, vary: bool = False) -> Response:
    etag, last_modified = validators(path)
    headers = {"ETag": etag, "Last-Modified": last_modified, "Cache-Control": "public, max-age=300"}
    if vary:
        headers["Vary"] = "Accept"
    if not_modified(request, etag, last_modified):
        return Response(status_code=304, headers=headers)
    body = b"" if request.method == "HEAD" else path.read_bytes()
    response = Response(body, media_type=content_type(path), headers=headers)
    if request.method == "HEAD":
        response.headers["Content-Length"] = str(path.stat().st_size)
    return response


def make_router(site: Path, not_found_page) -> APIRouter:
    """``not_found_page(path)``: the HTML of the site's 404 page, in the edition of the path asked for."""
    router = APIRouter()
    root = site.resolve()

    def not_found(path: str) -> Response:
        return HTMLResponse(not_found_page(path), status_code=404)

    @router.api_route("/{path:path}", methods=["GET", "HEAD"], summary="A page, a resource (negotiated) or a file of the site")
    async def site_file(request: Request, path: str, format: str | None = None) -> Response:
        target = (root / path).resolve()
        if not target.is_relative_to(root) or any(part.startswith(".") and part != ".well-known" for part in Path(path).parts):
            return not_found(path)
        if target.is_file():
            return file_response(request, target)
        if not (target / "index.html").is_file():
            return not_found(path)
        available = {suffix: target / f"index.{suffix}" for suffix in RESOURCE_FILES if (target / f"index.{suffix}").is_file()}
        if format:
            suffix = SUFFIX_ALIASES.get(format.lower(), format.lower())
            if suffix not in available:
                return Response(f"no {format} representation here; try one of: {', '.join(available)}\n",
                                status_code=406, media_type="text/plain; charset=utf-8", headers={"Vary": "Accept"})
        else:
            media_type = choose(request.headers.get("accept"), [RESOURCE_FILES[s] for s in available])
            if media_type is None:
                offered = ", ".join(RESOURCE_FILES[s] for s in available)
                return Response(f"none of the requested media types is available; this resource is offered as: {offered}\n",
                                status_code=406, media_type="text/plain; charset=utf-8", headers={"Vary": "Accept"})
            suffix = BY_MEDIA_TYPE[media_type]
        if suffix == "html" and path and not path.endswith("/"):
            location = "/" + path + "/" + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(location, status_code=301, headers={"Vary": "Accept"})
        return file_response(request, available[suffix], vary=len(available) > 1)

    return router
