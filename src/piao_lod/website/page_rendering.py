"""One resource's page and its RDF, and one fixed page, from a :class:`SiteData`: what the static build writes
to files and what ``piao-lod serve --store`` renders on request.

Both call these functions with the same Jinja environment (:func:`SiteData.environment`) and the same
page contexts (:mod:`piao_lod.website.page_context`), so a page rendered from a store is the page the
build writes for the same data, byte for byte (``tests/test_server_store_pages.py``).
"""

from __future__ import annotations

from collections.abc import Iterable

from jinja2 import TemplateError

from piao_lod.errors import BuildError
from piao_lod.messages import N_
from piao_lod.website.catalog import data_licence
from piao_lod.website.page_context import FixedPage, SiteData, resource_context
from piao_lod.website.page_types import page_type_of
from piao_lod.website.resource_files import RESOURCE_FORMATS, DocumentFacts, resource_documents


def resource_page(site: SiteData, iri: str, lang: str) -> str:
    """The HTML page of the resource ``iri`` in the edition of ``lang``; its folder is ``site.pages[iri]``."""
    view = site.index.view(iri)
    page_type = page_type_of(view)
    return site.environment(lang).get_template(page_type.template).render(
        resource_context(site, view, page_type, site.pages[iri], lang))


def resource_rdf(site: SiteData, iri: str, suffix: str) -> bytes:
    """The file ``index.{suffix}`` beside the resource's page: its triples and what the document is."""
    return resource_rdf_files(site, iri, (suffix,))[suffix]


def resource_rdf_files(site: SiteData, iri: str, suffixes: Iterable[str] = RESOURCE_FORMATS) -> dict[str, bytes]:
    """:func:`resource_rdf` in each of ``suffixes`` (every format beside a page: what the build writes)."""
    page_dir = site.pages[iri]
    return resource_documents(site.index.triples_of(iri), DocumentFacts(site.addresses.url(page_dir), iri,
                                                                     data_licence(site.addresses)), suffixes)


def fixed_page(site: SiteData, page: FixedPage) -> str:
    """A page that is not a resource (home, saved queries...). Only the publisher's templates can fail here
    (the site's own are tested)."""
    try:
        return site.environment(page.lang).get_template(page.template).render(page.context)
    except TemplateError as error:
        raise BuildError(N_("the page {page} cannot be written: {error}"), subject=page.template, page=page.path,
                         error=str(error)) from None
