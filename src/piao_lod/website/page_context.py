"""What each page's template receives: the resource, links from its folder, its edition, and the site's figures."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath

import pyoxigraph as ox
from jinja2 import Environment

from piao_lod.messages import LANGUAGES, gettext
from piao_lod.namespaces import PIAO, compact
from piao_lod.problems import Problem
from piao_lod.website.addresses import EDITIONS, RESOURCE_FILES, Download, SiteAddresses
from piao_lod.website.content_policy import META_POLICY
from piao_lod.website.page_types import PageType, page_type_of
from piao_lod.website.related import ObjectiveHistory, objective_rows
from piao_lod.website.render import PageLinks, broader_chain, environment_for
from piao_lod.website.resource_index import ResourceIndex, ResourceView
from piao_lod.website.schema_org import SITE_NAME, SITE_TAGLINE, catalog_markup, resource_markup
from piao_lod.website.version_changes import VersionOrder, version_changes

PAGE_SIZE = 100          # rows per page of a long listing (the home page's plans)


@dataclass
class SiteData:
    """Everything the pages share, built once per build."""

    addresses: SiteAddresses
    index: ResourceIndex
    plan_graphs: list[ox.NamedNode]
    downloads: list[Download]
    validation: dict[str, dict]                               # language -> the validation report's data
    store: ox.Store
    source_files: set[str] = field(default_factory=set)    # source documents copied into dati/fonti/
    search: bool = True                                       # a Pagefind index is built (home links its UI)
    pages: dict[str, str] = field(default_factory=dict)       # IRI -> page folder, for every page written
    problems: list[Problem] = field(default_factory=list)     # resources that could not be given a page
    templates: Path | None = None                             # the publisher's templates, in place of the site's
    plan_versions: dict[str, list[str]] = field(default_factory=dict)   # plan IRI -> its versions, oldest first
    search_parts: list[str] = field(default_factory=list)    # the enti's search bundles the search box merges
    kept_answers: str | None = None     # the store directory whose kept answers the saved queries read (saved_answers)

    def environment(self, lang: str) -> Environment:
        return environment_for(lang, self.templates)

    @cached_property
    def plans(self) -> list[ResourceView]:
        return sorted((self.index.view(g.value) for g in self.plan_graphs),
                      key=lambda plan: (plan.link("piao:ente").label() if plan.link("piao:ente") else "", plan.sort_key))

    @property
    def plan_count(self) -> int:
        return len(self.plan_graphs)

    @cached_property
    def figures(self) -> dict[str, int]:
        count = lambda curie: len(self.index.instances(curie))  # noqa: E731
        return {"enti": count("org:FormalOrganization"), "plans": len(self.plan_graphs),
                "objectives": count("piao:Objective"), "indicators": count("piao:Indicator"),
                "assignments": count("piao:IndicatorAssignment"), "settori": count("org:OrganizationalUnit"),
                "dirigenti": count("foaf:Person"),
                "pnrr_objectives": sum(1 for o in self.index.instances("piao:Objective") if o.link("piao:pnrrMeasure"))}

    @cached_property
    def version_order(self) -> VersionOrder:
        return VersionOrder(self.store, self.plan_versions)

    @cached_property
    def history(self) -> ObjectiveHistory:
        rows = (row for versions in self.plan_versions.values() for version in versions
                for row in objective_rows(self.store, version))
        return ObjectiveHistory(self.index, self.plan_versions, rows)

    def problems_of(self, plan_iri: str, lang: str) -> list[dict]:
        return [result for result in self.validation[lang]["results"] if result.get("plan") == plan_iri]


@dataclass(frozen=True)
class Crumb:
    text: str
    href: str | None = None


def alternates(links: PageLinks, rdf_dir: str | None = None) -> list[tuple[str, str, str]]:
    """(href, media type, suffix) of the RDF files beside the page (one copy, beside the Italian page)."""
    folder = links.page_dir if rdf_dir is None else rdf_dir
    return [(links.to(folder + f"index.{suffix}"), media_type, suffix)
            for suffix, media_type in RESOURCE_FILES.items() if suffix != "html"]


def resource_trail(site: SiteData, view: ResourceView, links: PageLinks, lang: str,
                   ancestry: list[ResourceView] | None = None) -> list[Crumb]:
    """Ancestors with a page: ente > plan > objective... for data IRIs (prefixes of this one's IRI);
    scheme > mission > component for the concepts of a scheme. ``ancestry``: :func:`ancestors`, if known."""
    return [Crumb(ancestor.label(lang), links.resource(ancestor))
            for ancestor in (ancestors(site, view) if ancestry is None else ancestry)]


def ancestors(site: SiteData, view: ResourceView) -> list[ResourceView]:
    """The described resources above this one, outermost first."""
    if view.iri.startswith(site.addresses.data_base):
        parts = view.iri[len(site.addresses.data_base):].split("/")
        trail = [site.index.view(site.addresses.data_base + "/".join(parts[:end])) for end in range(1, len(parts))]
    else:
        scheme = view.link("skos:inScheme")
        trail = ([scheme] if scheme is not None else []) + broader_chain(view)
    return [ancestor for ancestor in trail if ancestor.described]


def page_shell(addresses: SiteAddresses, page_dir: str, title: str, page_type: str, lang: str,
               trail: list[Crumb] | None = None, pages: dict[str, str] | None = None) -> dict:
    """What every page has, the server's included: links from its folder in its edition, its URL in each
    edition, its breadcrumbs (``trail``: the pages above it after the home page; None: no breadcrumbs)."""
    links = PageLinks(addresses, page_dir, pages, lang)
    return {"links": links, "page_dir": page_dir, "title": title, "page_type": page_type,
            "canonical": addresses.url(EDITIONS[lang] + page_dir), "curie": compact, "PIAO": str(PIAO),
            "editions": [(other, addresses.url(EDITIONS[other] + page_dir), links.edition_of(other))
                         for other in LANGUAGES],
            "breadcrumbs": None if trail is None else [Crumb(gettext(lang, "Home"), links.page(""))] + trail,
            "site_name": gettext(lang, SITE_NAME), "site_tagline": gettext(lang, SITE_TAGLINE),
            "content_policy": META_POLICY}


def base_context(site: SiteData, page_dir: str, title: str, page_type: str, lang: str,
                 trail: list[Crumb] | None = None) -> dict:
    """A page of the built site: :func:`page_shell` with the site's data."""
    context = page_shell(site.addresses, page_dir, title, page_type, lang, trail, site.pages)
    context.update({"site": site, "search": site.search})
    return context


def resource_context(site: SiteData, view: ResourceView, page_type: PageType, page_dir: str, lang: str) -> dict:
    links = PageLinks(site.addresses, page_dir, site.pages, lang)
    kind = gettext(lang, page_type.label)
    ancestry = ancestors(site, view)
    context = base_context(site, page_dir, page_title(view, kind, ancestry, lang), page_type.name,
                           lang, resource_trail(site, view, links, lang, ancestry))
    context.update({"r": view, "ptype": page_type, "alternates": alternates(context["links"]),
                    "schema": resource_markup(site, view, page_type, page_dir),
                    "type_label": kind, "page_type_of": page_type_of})
    if page_type.name == "version":
        context["changes"] = version_changes(site.store, site.version_order, view.iri)
    elif page_type.name == "plan":
        versions = site.plan_versions.get(view.iri, [])
        context["versions"] = [site.index.view(version) for version in versions]
        first = site.version_order.previous(versions[0]) if versions else None
        context["year_changes"] = first is not None and first[1]      # its first version follows last year's plan
    return context


def page_title(view: ResourceView, kind: str, ancestry: list[ResourceView], lang: str) -> str:
    """The resource's label, then what tells it apart from its namesakes: kind and code, the year of its plan, its
    ente. Objectives of several settori share titles ("Formazione personale assegnato"), an objective keeps code
    and title from one year to the next, two comuni both have a "Settore Polizia Locale"."""
    label = view.label(lang)
    code = view.value("dcterms:identifier") or view.value("skos:notation")
    plan = next((ancestor for ancestor in ancestry if ancestor.has_type("piao:Plan")), None)
    year = plan.value("piao:year") if plan is not None else None
    ente = next((ancestor for ancestor in ancestry if ancestor.has_type("org:FormalOrganization")), None)
    details = [f"{kind} {code.text}" if code is not None and code.text not in label else None,
               year.text if year is not None and year.text not in label else None,
               ente.label(lang) if ente is not None and plan is None else None]   # a plan's label names its ente
    details = [detail for detail in details if detail]
    return gettext(lang, "{label} ({details})", label=label, details=", ".join(details)) if details else label


def results_by_plan(results: list[dict]) -> list[tuple[str, list[dict]]]:
    """Validation results grouped by plan IRI, in IRI order; results of no plan (a resource outside
    every plan) last, under ``""``."""
    groups: dict[str, list[dict]] = {}
    for result in results:
        groups.setdefault(result.get("plan") or "", []).append(result)
    return sorted(groups.items(), key=lambda item: (item[0] == "", item[0]))


@dataclass
class FixedPage:
    path: str           # file path relative to the site root
    template: str
    context: dict
    lang: str = "it"


def fixed_pages(site: SiteData, lang: str) -> list[FixedPage]:
    """Home, validation report, saved queries, data, ontology, SPARQL form, the publisher's statements and
    404: the pages that are not a resource, in the edition of ``lang``."""
    return [make() for make in fixed_page_makers(site, lang).values()]


def fixed_page_makers(site: SiteData, lang: str) -> dict[str, Callable[[], FixedPage]]:
    """Each page of :func:`fixed_pages` by its path within the edition (``index.html``, ``dati/index.html``),
    with what makes it: the build makes every one, the server only the one asked for."""
    from piao_lod.website.ontology_docs import ontology_sections
    from piao_lod.website.saved_query_pages import query_page_context, saved_query_pages

    edition = EDITIONS[lang]
    makers: dict[str, Callable[[], FixedPage]] = {}

    def page(path: str, template: str):
        def register(context_of: Callable[[], dict]) -> None:
            makers[path] = lambda: FixedPage(edition + path, template, context_of(), lang)
        return register

    page_count = max(1, -(-site.plan_count // PAGE_SIZE))
    for number in range(1, page_count + 1):
        folder = "" if number == 1 else f"piani/{number}/"

        @page(folder + "index.html", "home.html")
        def home(folder=folder, number=number) -> dict:
            title = gettext(lang, SITE_NAME) if number == 1 else gettext(lang, "Plans, page {number} of {count}",
                                                                                   number=number, count=page_count)
            context = base_context(site, folder, title, "home", lang, None if number == 1 else [])
            start = (number - 1) * PAGE_SIZE
            context.update({"plans": site.plans[start:start + PAGE_SIZE], "page_number": number,
                            "page_count": page_count, "figures": site.figures})
            return context

    @page("validazione/index.html", "validation.html")
    def validation() -> dict:
        context = base_context(site, "validazione/", gettext(lang, "Validation report"), "validation", lang, [])
        report = site.validation[lang]
        context.update({"report": report, "results_by_plan": results_by_plan(report["results"])})
        return context

    @page("dati/index.html", "data.html")
    def data() -> dict:
        context = base_context(site, "dati/", gettext(lang, "Open data"), "data", lang, [])
        context.update({"downloads": site.downloads, "figures": site.figures, "schema": catalog_markup(site)})
        return context

    for path, make in saved_query_pages(site, base_context, lang).items():
        makers[path] = lambda make=make: dataclasses.replace(made := make(), path=edition + made.path, lang=lang)

    @page("ontology/index.html", "ontology.html")
    def ontology() -> dict:
        header, sections = ontology_sections(lang)
        title = header["titles"].get(lang) or header["titles"].get("it", "piao-lod")
        context = base_context(site, "ontology/", title, "ontology", lang, [])
        context.update({"ontology": header, "sections": sections, "alternates": alternates(context["links"]),
                        "schema": {"@context": "https://schema.org", "@type": "DefinedTermSet", "@id": header["iri"],
                                   "name": header["titles"].get(lang) or header["titles"].get("it", ""),
                                   "version": header["version"], "url": site.addresses.url("ontology/")}})
        return context

    @page("sparql/index.html", "sparql.html")
    def sparql() -> dict:
        context = base_context(site, "sparql/", gettext(lang, "Query with SPARQL"), "sparql", lang, [])
        context.update(query_page_context(site.addresses, "sparql/", None, None, lang))
        return context

    for folder, template, title in STATEMENTS:
        page(folder + "index.html", template)(
            lambda folder=folder, template=template, title=title:
            base_context(site, folder, gettext(lang, title), template.removesuffix(".html"), lang, []))
    page("404.html", "404.html")(lambda: base_context(site, "", gettext(lang, "Page not found"), "not-found", lang))
    return makers


# The pages an Italian public administration's site links from its footer, from templates the publisher fills in.
STATEMENTS = (("accessibilita/", "accessibility.html", "Accessibility statement"),
              ("note-legali/", "legal-notes.html", "Legal notes"))
