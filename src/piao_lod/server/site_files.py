"""The built site over HTTP: resource IRIs negotiate among the files beside each page.

A resource folder holds ``index.html`` and its RDF (``index.ttl`` ...): the client's Accept
header (with q-values) or ``?format=`` picks one, and ``Content-Location`` names the file
chosen. A resource's IRI (its path without the final slash) names the thing, not a page, so
a client that wants HTML is sent to the page with 303 See Other; RDF is served at both
addresses. Other folders of the site (``dati``...) redirect to their slash for good (301). ``/catalog`` and ``/void`` negotiate among the files the build wrote for them.
Every answer carries an ETag and Last-Modified, and conditional requests get 304.

Malformed paths never get here (:mod:`piao_lod.server.request_paths`), and nothing outside the
site's folder is ever read.
"""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Awaitable, Callable
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from piao_lod.server.errors import Refusal
from piao_lod.server.negotiation import choose
from piao_lod.website.addresses import RESOURCE_FILES
from piao_lod.website.content_policy import HEADER_POLICY
from piao_lod.website.hosting import DOCUMENTS
from piao_lod.website.resource_files import MEDIA_TYPES

BY_MEDIA_TYPE = {media_type: suffix for suffix, media_type in RESOURCE_FILES.items()}
SUFFIX_ALIASES = {"turtle": "ttl", "json": "jsonld", "json-ld": "jsonld", "ntriples": "nt", "xml": "rdf"}
# The RDF files the build writes, by suffix, then the rest that mimetypes does not know.
EXTRA_TYPES = {**{f".{suffix}": media_type for suffix, media_type in MEDIA_TYPES.items() if "." not in suffix},
               ".rq": "application/sparql-query", ".gz": "application/gzip", ".xml": "application/xml",
               ".js": "text/javascript", ".css": "text/css", ".woff2": "font/woff2", ".pf_meta": "application/octet-stream"}
NAMED_TYPES = {".well-known/void": "text/turtle"}      # files without a suffix


def content_type(path: Path, relative: str) -> str:
    media_type = (NAMED_TYPES.get(relative) or EXTRA_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0]
                  or "application/octet-stream")
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


def file_response(request: Request, path: Path, relative: str, negotiated: dict[str, str] | None = None) -> Response:
    """``negotiated``: the headers of a representation chosen among several (Vary, Content-Location)."""
    etag, last_modified = validators(path)
    headers = {"ETag": etag, "Last-Modified": last_modified, "Cache-Control": "public, max-age=300", **(negotiated or {})}
    if path.suffix == ".html":
        headers["Content-Security-Policy"] = HEADER_POLICY       # the built page's own, as the hosting files send it
    if not_modified(request, etag, last_modified):
        return Response(status_code=304, headers=headers)
    body = b"" if request.method == "HEAD" else path.read_bytes()
    response = Response(body, media_type=content_type(path, relative), headers=headers)
    if request.method == "HEAD":
        response.headers["Content-Length"] = str(path.stat().st_size)
    return response


def negotiated(location: str, several: bool) -> dict[str, str]:
    return {"Content-Location": location, **({"Vary": "Accept"} if several else {})}


def not_acceptable(offered: list[str]) -> Refusal:
    return Refusal("not-acceptable", "none of the requested media types is available; this resource is offered as: "
                                     + ", ".join(offered), {"Vary": "Accept"})


def make_router(site: Path | None, fallback: Callable[[Request, str, str | None], Awaitable[Response]] | None = None) -> APIRouter:
    """The site's files; what the site does not have, ``fallback`` answers (the pages from a store), if given."""
    router = APIRouter()
    root = site.resolve() if site is not None else None

    def resource(request: Request, path: str, folder: Path, format: str | None) -> Response:
        available = {suffix: folder / f"index.{suffix}" for suffix in RESOURCE_FILES if (folder / f"index.{suffix}").is_file()}
        if format:
            suffix = SUFFIX_ALIASES.get(format.lower(), format.lower())
            if suffix not in available:
                raise Refusal("not-acceptable", f"no {format} representation here; try one of: {', '.join(available)}",
                              {"Vary": "Accept"})
        else:
            media_type = choose(request.headers.get("accept"), [RESOURCE_FILES[s] for s in available])
            if media_type is None:
                raise not_acceptable([RESOURCE_FILES[s] for s in available])
            suffix = BY_MEDIA_TYPE[media_type]
        folder_url = "/" + quote(path.rstrip("/")) + "/" if path else "/"
        if suffix == "html" and path and not path.endswith("/"):
            location = folder_url + (f"?{request.url.query}" if request.url.query else "")
            thing = len(available) > 1              # a resource (it has RDF); else a page of the site, moved for good
            return RedirectResponse(location, status_code=303 if thing else 301, headers={"Vary": "Accept"})
        return file_response(request, available[suffix], f"{path}/index.{suffix}",
                             negotiated(f"{folder_url}index.{suffix}", len(available) > 1))

    def document(request: Request, name: str) -> Response:
        """``/catalog`` and ``/void``: RDF/XML or Turtle, as the build wrote them."""
        available = {RESOURCE_FILES[suffix]: root / f"{name}.{suffix}" for suffix in DOCUMENTS[name]
                     if root is not None and (root / f"{name}.{suffix}").is_file()}
        if not available:
            raise Refusal("not-found", f"this site has no {name}")
        media_type = choose(request.headers.get("accept"), sorted(available, key=lambda t: t != "text/turtle"))
        if media_type is None:
            raise not_acceptable(list(available))
        chosen = available[media_type]
        return file_response(request, chosen, chosen.name, negotiated("/" + chosen.name, len(available) > 1))

    async def site_file(request: Request, path: str, format: str | None = None) -> Response:
        if any(part.startswith(".") and part != ".well-known" for part in path.split("/")):
            raise Refusal("not-found", "hidden files are not served")
        if path in DOCUMENTS:
            return document(request, path)
        try:
            target = (root / path).resolve() if root is not None else None
            if target is not None and not target.is_relative_to(root):
                raise Refusal("not-found", "outside the site")
            if target is not None and target.is_file():
                return file_response(request, target, path)
            if target is not None and (target / "index.html").is_file():
                return resource(request, path, target, format)
        except OSError:
            pass                    # a name the file system refuses: nothing there
        if fallback is not None:
            return await fallback(request, path, format)
        raise Refusal("not-found", f"nothing at /{path}")

    router.add_api_route("/{path:path}", site_file, methods=["GET"],
                         summary="A page, a resource (negotiated) or a file of the site")
    router.add_api_route("/{path:path}", site_file, methods=["HEAD"], include_in_schema=False)
    return router
