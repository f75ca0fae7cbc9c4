"""The Jinja environment of every page of the site and of the server's pages, one per language.

Autoescaping is on for every template, so a value from a plan (a title holding
``<script>``) can only ever render as text; JSON-LD goes through ``tojson``, which
escapes ``<``, ``>`` and ``&``. Every text a person reads comes from the message
catalogue (:mod:`piao_lod.messages`): templates call ``_("English text {name}", name=…)``
and ``ngettext("{count} plan", "{count} plans", n)``, extracted by
``tools/update_catalogues.py`` with Jinja's i18n extension. Placeholders are ``{name}``, as
in the Python code, and are filled after the translation is escaped, so a value put into a
sentence is escaped too while a link made by a macro stays a link.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from jinja2 import (ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader, StrictUndefined,
                    select_autoescape)
from markupsafe import Markup, escape

from piao_lod.messages import DEFAULT_LANGUAGE, translations
from piao_lod.namespaces import PIAO, compact
from piao_lod.website.addresses import EDITIONS, SiteAddresses, is_web_link, url_path
from piao_lod.website.compiled_messages import CompiledMessages
from piao_lod.website.charts import baseline, rows_chart, yearly_targets
from piao_lod.website.display import format_day, format_number, format_size, measure, rate, unit_text
from piao_lod.website.page_fragments import page_fragments, shared_parts
from piao_lod.website.resource_index import ResourceView
from piao_lod.website.reused_terms import term_label
from piao_lod.website.template_runtime import SiteContext, SiteTemplate

ONTOLOGY_NAMESPACE = str(PIAO)


def template_gettext(lang: str):
    """``_(message, **params)`` for templates: the translation, escaped, with its placeholders filled."""
    catalogue = translations(lang)

    def gettext(message: str, **params) -> str:
        translated = catalogue.gettext(message)
        return escape(translated).format(**params) if params else translated

    def ngettext(singular: str, plural: str, count: int, **params) -> Markup:
        translated = catalogue.ngettext(singular, plural, count)
        return escape(translated).format(count=format_number(count, lang), **params)

    return gettext, ngettext


@lru_cache(maxsize=None)
def make_environment(lang: str = DEFAULT_LANGUAGE, overrides: str | None = None) -> Environment:
    """The environment of one language; ``overrides``, a folder of templates that take the place of the
    site's own with the same name (the publisher's accessibility statement and legal notes)."""
    loader = PackageLoader("piao_lod.site", "templates")
    if overrides:
        # the publisher's template may extend the site's own of the same name as "piao-lod/NAME"
        loader = ChoiceLoader([FileSystemLoader(overrides), loader, PrefixLoader({"piao-lod": loader})])
    environment = Environment(
        loader=loader,
        extensions=["jinja2.ext.do", "jinja2.ext.i18n", CompiledMessages],
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.context_class, environment.template_class = SiteContext, SiteTemplate
    gettext, ngettext = template_gettext(lang)
    environment.install_gettext_callables(gettext=gettext, ngettext=ngettext, newstyle=False)
    environment.globals["_"] = gettext      # the extension's alias would look ``gettext`` up again on every call
    environment.filters.update({
        "num": lambda value: format_number(value, lang),
        "day": lambda value: format_day(value, lang),
        "size": lambda value: format_size(value, lang),
        "curie": compact,
        "basename": lambda path: posixpath.basename(str(path).replace("\\", "/")),
    })
    environment.globals.update(
        lang=lang, group_by_link=group_by_link, pnrr_objectives=pnrr_objectives, broader_chain=broader_chain,
        anchor=anchor,
        measure=lambda holder, field, assignment=None: measure(holder, field, assignment, lang),
        rate=lambda holder: rate(holder, lang), unit_text=lambda unit: unit_text(unit, lang),
        label=lambda view: term_label(view, lang), yearly_targets=lambda a: yearly_targets(a, lang),
        baseline=lambda a: baseline(a, lang), rows_chart=lambda named: rows_chart(named, lang),
        by_ente_and_year=by_ente_and_year, source_cells=source_cells,
        objectives_under=objectives_under, of_type=lambda views, curie: [view for view in views if view.has_type(curie)],
        shared_part=shared_parts(environment), **page_fragments(lang))
    return environment


def environment_for(lang: str, overrides: Path | None = None) -> Environment:
    return make_environment(lang, str(overrides) if overrides else None)


@contextmanager
def templates_as_loaded(environments: Iterable[Environment]) -> Iterator[None]:
    """Within the block, templates already compiled are used without checking their files: the build loads them
    once before it renders its pages, and Jinja would otherwise look at the files of a page's three templates
    (its own, ``_base.html``, ``_macros.html``) for every page it renders."""
    saved = [(environment, environment.auto_reload) for environment in environments]
    for environment, _ in saved:
        environment.auto_reload = False
    try:
        yield
    finally:
        for environment, auto_reload in saved:
            environment.auto_reload = auto_reload


def group_by_link(views: list[ResourceView], curie: str) -> list[tuple[ResourceView | None, list[ResourceView]]]:
    """Resources grouped by what they link to through ``curie`` (objectives by settore), groups in natural order."""
    groups: dict[ResourceView | None, list[ResourceView]] = {}
    for view in views:
        groups.setdefault(view.link(curie), []).append(view)
    return sorted(groups.items(), key=lambda item: (item[0] is None, item[0].sort_key if item[0] else ()))


def source_cells(row: ResourceView) -> list[tuple[int, str, str]]:
    """A source row's cells as the author wrote them, under their headers: (column, header, cell)."""
    cells = json_strings(row.value("piao:cells"))
    header = row.link("piao:headerRow")
    headers = json_strings(header.value("piao:cells")) if header is not None and header.iri != row.iri else []
    return [(number, headers[number - 1] if number <= len(headers) else "", cell)
            for number, cell in enumerate(cells, start=1)]


def json_strings(value) -> list[str]:
    """``piao:cells``: a JSON array of strings; anything else (a graph written by hand) as no cells."""
    if value is None:
        return []
    try:
        cells = json.loads(value.text)
    except ValueError:
        return []
    return [cell if isinstance(cell, str) else json.dumps(cell, ensure_ascii=False) for cell in cells] \
        if isinstance(cells, list) else []


def by_ente_and_year(objectives: list[ResourceView]) -> list[ResourceView]:
    """Objectives of several enti and years in reading order: by ente, year, then code."""
    def key(objective: ResourceView) -> tuple:
        plan = objective.link("piao:inPlan")
        ente = plan.link("piao:ente") if plan else None
        year = plan.value("piao:year") if plan else None
        return (ente.label() if ente else "", year.text if year else "", objective.sort_key)
    return sorted(objectives, key=key)


def pnrr_objectives(objectives: list[ResourceView]) -> list[ResourceView]:
    return [objective for objective in objectives if objective.link("piao:pnrrMeasure") is not None]


def broader_chain(concept: ResourceView) -> list[ResourceView]:
    """Mission > component > ... above a concept of a scheme, outermost first."""
    chain, seen = [], {concept.iri}
    current = concept.link("skos:broader")
    while current is not None and current.iri not in seen:
        chain.append(current)
        seen.add(current.iri)
        current = current.link("skos:broader")
    return chain[::-1]


def objectives_under(concept: ResourceView, curie: str) -> list[ResourceView]:
    """Objectives linked through ``curie`` to a concept or to any concept below it (a mission and its programmes)."""
    found, seen, todo = [], set(), [concept]
    while todo:
        current = todo.pop()
        if current.iri in seen:
            continue
        seen.add(current.iri)
        found.extend(current.referrers(curie))
        todo.extend(current.referrers("skos:broader"))
    return sorted(set(found), key=lambda view: view.sort_key)


def anchor(iri: str) -> str:
    """An HTML id made from an IRI (plans on the validation page)."""
    return "r-" + "".join(character if character.isalnum() else "-" for character in iri.split("/id/", 1)[-1])


class PageLinks:
    """Relative links from one page, so the site works from any folder of any host.

    ``page_dir`` is the page's folder within its edition (``id/c_d150/``); the English edition's pages
    are under ``en/`` (:data:`EDITIONS`): links to pages stay in the page's edition (:meth:`page`,
    :meth:`resource`), links to files (style sheets, data, the RDF beside a page) go to the one copy
    at the site root (:meth:`to`).

    ``pages`` (IRI -> page folder) are the pages the build wrote; without it (the server's pages)
    a resource links to where :meth:`SiteAddresses.page_dir` would put its page. Every href this
    class gives is a relative path or an http(s) IRI, never anything a browser could run."""

    def __init__(self, addresses: SiteAddresses, page_dir: str, pages: Mapping[str, str] | None = None,
                 lang: str = DEFAULT_LANGUAGE):
        self.addresses = addresses
        self.page_dir = page_dir
        self.pages = pages
        self.lang = lang
        self.edition = EDITIONS[lang]
        self.up = "../" * (self.edition + page_dir).count("/")

    def to(self, target: str) -> str:
        """A file relative to the site root (``dati/``, ``static/site.css``) as seen from this page."""
        return self.up + url_path(target) if (self.up or target) else "./"

    def page(self, target: str) -> str:
        """A page of this edition, given by its folder relative to the edition's root (``dati/``)."""
        return self.to(self.edition + target)

    def edition_of(self, lang: str) -> str:
        """This page in the edition of ``lang``."""
        return self.to(EDITIONS[lang] + self.page_dir)

    def resource(self, resource: ResourceView | str) -> str | None:
        """The link to a resource's page, else its IRI when that is an http(s) page elsewhere (an
        external vocabulary); None when it can only be shown as text (another scheme, or an IRI of
        this site that has no page)."""
        iri = resource.iri if isinstance(resource, ResourceView) else resource
        if iri.startswith(ONTOLOGY_NAMESPACE):
            return self.page("ontology/") + "#" + quote(iri[len(ONTOLOGY_NAMESPACE):], safe="")
        if not (isinstance(resource, ResourceView) and not resource.described):
            page = self.addresses.page_dir(iri) if self.pages is None else self.pages.get(iri)
            if page is not None:
                return self.page(page)
            if self.addresses.place(iri) is not None:
                return None
        return iri if is_web_link(iri) else None
