"""Pages rendered from the store on request (``piao-lod serve --store``), at the paths the static build writes.

The same addresses, negotiation and redirects as a built site (:mod:`piao_lod.server.site_files`):
a resource's page in each edition (``id/…/``, ``en/id/…/``), its RDF beside the Italian one
(``id/…/index.ttl``), 303 from the IRI to the page for a client that wants HTML; the home page
and its pages of plans, the saved queries, the ontology, the SPARQL form and the publisher's
statements; the plans' downloads in ``dati/`` and the site's style sheets and fonts.

The store a catalogue opened never changes (a load swaps in a new one beside it, which the server then
opens: :mod:`piao_lod.server.followed_store`), so every answer is validated by the store's identity, the
code's and the address: the ETag changes with a new store or a new piao-lod, and not otherwise; Last-Modified is when the store was
written. A page costs one rendering per edition and store, then a 304 for every client (or cache)
that has it; rendered pages are also kept in memory, up to :data:`KEPT_PAGES`.
"""

from __future__ import annotations

import hashlib
from email.utils import formatdate
from importlib.resources import as_file
from pathlib import Path
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from piao_lod.messages import DEFAULT_LANGUAGE
from piao_lod.rdf_formats import BY_NAME
from piao_lod.resources import packaged
from piao_lod.server.errors import Refusal
from piao_lod.server.negotiation import choose
from piao_lod.server.site_files import SUFFIX_ALIASES, file_response, negotiated, not_acceptable, not_modified
from piao_lod.website.addresses import EDITIONS, RESOURCE_FILES, check_relative
from piao_lod.website.page_context import fixed_page_makers
from piao_lod.website.page_rendering import fixed_page, resource_page, resource_rdf
from piao_lod.website.resource_files import RESOURCE_FORMATS, resource_document
from piao_lod.website.store_site import Remembered, StoreCatalogue
from piao_lod.work_cache import toolkit_digest

KEPT_PAGES = 2000              # rendered pages kept in memory
CACHE_CONTROL = "public, max-age=300"
# Pages of a build that need the whole corpus at once (see piao_lod.website.store_site): not rendered here.
WHOLE_CORPUS_PAGES = ("validazione/index.html", "dati/index.html", "404.html")
BY_MEDIA_TYPE = {media_type: suffix for suffix, media_type in RESOURCE_FILES.items()}


def media_type_of(suffix: str) -> str:
    """``html`` or an RDF suffix of the files beside a page, as sent (the RDF registry's media type)."""
    if suffix == "html":
        return "text/html; charset=utf-8"
    media_type = BY_NAME[suffix].media_type
    return media_type + "; charset=utf-8" if media_type != "application/rdf+xml" else media_type


class StorePages:
    """Answers the paths of a site from a :class:`StoreCatalogue`."""

    def __init__(self, catalogue: StoreCatalogue, sources: Path | None = None):
        """``sources``: the folder of the source documents, served at ``dati/fonti/`` (see ``--sources``)."""
        self.catalogue = catalogue
        self.sources = sources.resolve() if sources is not None else None
        self.rendered = Remembered(KEPT_PAGES)
        self.version = hashlib.sha256(f"{catalogue.identity}:{toolkit_digest()}".encode()).hexdigest()
        self.last_modified = formatdate(catalogue.modified, usegmt=True)
        with as_file(packaged("site").joinpath("static")) as static:
            self.static = Path(static).resolve()

    async def answer(self, request: Request, path: str, format: str | None) -> Response:
        if path.startswith("static/"):
            return self.static_file(request, path)
        if path.startswith("dati/"):
            return await self.download(request, path)
        lang, rest = edition_of(path)
        folder, _, name = rest.rpartition("/") if rest.rsplit("/", 1)[-1].startswith("index.") else (rest, "", "")
        folder = folder.strip("/") + "/" if folder.strip("/") else ""
        fixed = fixed_path(folder)
        if fixed is not None:
            return await self.fixed(request, path, lang, folder, name, fixed, format)
        iri = await run_in_threadpool(self.catalogue.pages.owner, folder)
        if iri is None:
            raise Refusal("not-found", f"nothing at /{path}")
        return await self.resource(request, path, lang, folder, name, iri, format)

    # -- resources ------------------------------------------------------------------------------------

    async def resource(self, request: Request, path: str, lang: str, folder: str, name: str, iri: str,
                       format: str | None) -> Response:
        offered = list(RESOURCE_FILES) if lang == DEFAULT_LANGUAGE else ["html"]    # the RDF is beside the Italian page
        if name:
            suffix = name.removeprefix("index.")
            if suffix not in offered:
                raise Refusal("not-found", f"nothing at /{path}")
            return await self.send(request, (lang, folder, suffix), lambda: self.render(iri, lang, suffix), suffix)
        suffix = chosen_suffix(request, format, offered)
        folder_url = "/" + quote(EDITIONS[lang] + folder)
        if suffix == "html" and not path.endswith("/"):
            location = folder_url + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(location, status_code=303 if len(offered) > 1 else 301, headers={"Vary": "Accept"})
        return await self.send(request, (lang, folder, suffix), lambda: self.render(iri, lang, suffix), suffix,
                               negotiated(f"{folder_url}index.{suffix}", len(offered) > 1))

    def render(self, iri: str, lang: str, suffix: str) -> bytes:
        site = self.catalogue.site(downloads_of=iri if iri in {g.value for g in self.catalogue.plan_graphs} else None)
        if suffix == "html":
            return resource_page(site, iri, lang).encode("utf-8")
        return resource_rdf(site, iri, suffix)

    # -- pages that are not resources -----------------------------------------------------------------

    async def fixed(self, request: Request, path: str, lang: str, folder: str, name: str, fixed: str,
                    format: str | None) -> Response:
        if folder == "ontology/" and name and name != "index.html":
            return await self.ontology_file(request, path, name)
        if folder == "ontology/" and not name and lang == DEFAULT_LANGUAGE:
            suffix = chosen_suffix(request, format, list(RESOURCE_FILES))
            if suffix != "html":
                return await self.ontology_file(request, path, f"index.{suffix}",
                                                negotiated(f"/ontology/index.{suffix}", True))
        if name not in ("", "index.html"):
            raise Refusal("not-found", f"nothing at /{path}")
        if not name and path and not path.endswith("/"):
            return RedirectResponse("/" + quote(path) + "/", status_code=301, headers={"Vary": "Accept"})
        site = self.catalogue.site()
        makers = fixed_page_makers(site, lang)
        if fixed not in makers:
            raise Refusal("not-found", f"nothing at /{path}")
        return await self.send(request, (lang, fixed, "html"), lambda: fixed_page(site, makers[fixed]()).encode("utf-8"),
                               "html")

    async def ontology_file(self, request: Request, path: str, name: str, extra: dict[str, str] | None = None) -> Response:
        from piao_lod.website.ontology_docs import ontology_triples

        suffix = name.removeprefix("index.")
        if suffix not in RESOURCE_FORMATS:
            raise Refusal("not-found", f"nothing at /{path}")
        return await self.send(request, ("", "ontology/", suffix), lambda: resource_document(ontology_triples(), None, suffix),
                               suffix, extra)

    async def download(self, request: Request, path: str) -> Response:
        name = path.removeprefix("dati/")
        if name.startswith("fonti/") and self.sources is not None and name[len("fonti/"):] in self.catalogue.source_files:
            return file_response(request, self.sources / name[len("fonti/"):], path)
        if name not in self.catalogue.download_stems:
            raise Refusal("not-found", f"nothing at /{path}: the store serves each plan's files in dati/; the whole "
                                       "data's dumps and the source documents come with a built site")
        return await self.send(request, ("", "dati/", name), lambda: self.catalogue.plan_file(name), name.rsplit(".", 1)[1])

    def static_file(self, request: Request, path: str) -> Response:
        target = (self.static / check_path(path.removeprefix("static/"))).resolve()
        if not target.is_relative_to(self.static) or not target.is_file():
            raise Refusal("not-found", f"nothing at /{path}")
        return file_response(request, target, path)

    # -- the response ---------------------------------------------------------------------------------

    async def send(self, request: Request, key: tuple, render, suffix: str,
                   extra: dict[str, str] | None = None) -> Response:
        etag = 'W/"' + hashlib.sha256(f"{self.version}:{key}".encode()).hexdigest()[:32] + '"'
        headers = {"ETag": etag, "Last-Modified": self.last_modified, "Cache-Control": CACHE_CONTROL, **(extra or {})}
        if not_modified(request, etag, self.last_modified):
            return Response(status_code=304, headers=headers)
        body = self.rendered.get(key)
        if body is None:
            body = await run_in_threadpool(render)
            self.rendered.get_or_make(key, lambda: body)
        if request.method == "HEAD":
            return Response(b"", media_type=media_type_of(suffix), headers={**headers, "Content-Length": str(len(body))})
        return Response(body, media_type=media_type_of(suffix), headers=headers)


def edition_of(path: str) -> tuple[str, str]:
    """The language of a path and the path within its edition: ``en/id/x/`` -> (``en``, ``id/x/``)."""
    for lang, folder in EDITIONS.items():
        if folder and (path + "/").startswith(folder):
            return lang, path[len(folder):]
    return DEFAULT_LANGUAGE, path


def fixed_path(folder: str) -> str | None:
    """The path of the fixed page (within an edition) a folder is, if it is one the store can render."""
    page = folder + "index.html"
    if page in WHOLE_CORPUS_PAGES or not is_fixed_folder(folder):
        return None
    return page


def is_fixed_folder(folder: str) -> bool:
    top = folder.split("/", 1)[0] + "/" if folder else ""
    return folder == "" or top in ("query/", "piani/", "ontology/", "sparql/", "accessibilita/", "note-legali/",
                                   "validazione/", "dati/")


def chosen_suffix(request: Request, format: str | None, offered: list[str]) -> str:
    if format:
        suffix = SUFFIX_ALIASES.get(format.lower(), format.lower())
        if suffix not in offered:
            raise Refusal("not-acceptable", f"no {format} representation here; try one of: {', '.join(offered)}",
                          {"Vary": "Accept"})
        return suffix
    media_type = choose(request.headers.get("accept"), [RESOURCE_FILES[suffix] for suffix in offered])
    if media_type is None:
        raise not_acceptable([RESOURCE_FILES[suffix] for suffix in offered])
    return BY_MEDIA_TYPE[media_type]


def check_path(relative: str) -> str:
    try:
        return check_relative(relative)
    except ValueError:
        raise Refusal("not-found", f"nothing at /static/{relative}") from None
