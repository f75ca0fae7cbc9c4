"""What each page's template receives: the resource, links from its folder, and the site's figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import PurePosixPath

import pyoxigraph as ox
from jinja2 import Environment

from piao_lod.namespaces import PIAO
from piao_lod.problems import Problem
from piao_lod.website.addresses import RESOURCE_FILES, Download, SiteAddresses
from piao_lod.website.page_types import PageType, page_type_of
from piao_lod.website.render import PageLinks, make_environment
from piao_lod.website.schema_org import catalog_markup, resource_markup
from piao_lod.namespaces import compact
from piao_lod.website.resource_index import ResourceIndex, ResourceView
from piao_lod.website.version_changes import objective_history, version_changes

PAGE_SIZE = 100          # rows per page of a long listing (the home page's plans)


@dataclass
class SiteData:
    """Everything the pages share, built once per build."""

    addresses: SiteAddresses
    index: ResourceIndex
    plan_graphs: list[ox.NamedNode]
    downloads: list[Download]
    validation: dict
    store: ox.Store
    source_files: set[str] = field(default_factory=set)    # source documents copied into dati/fonti/
    search: bool = True                                       # a Pagefind index is built (home links its UI)
    pages: dict[str, str] = field(default_factory=dict)       # IRI -> page folder, for every page written
    problems: list[Problem] = field(default_factory=list)     # resources that could not be given a page
    versions: dict[str, list[str]] = field(default_factory=dict)  # plan IRI -> its versions, oldest first

    def environment(self) -> Environment:
        return make_environment()

    @cached_property
    def plans(self) -> list[ResourceView]:
        return sorted((self.index.view(g.value) for g in self.plan_graphs),
                      key=lambda plan: (plan.link("piao:ente").label() if plan.link("piao:ente") else "", plan.sort_key))

    @cached_property
    def figures(self) -> dict[str, int]:
        count = lambda curie: len(self.index.instances(curie))  # noqa: E731
        return {"enti": count("org:FormalOrganization"), "plans": len(self.plan_graphs),
                "objectives": count("piao:Objective"), "indicators": count("piao:Indicator"),
                "assignments": count("piao:IndicatorAssignment"), "settori": count("org:OrganizationalUnit"),
                "dirigenti": count("foaf:Person"),
                "pnrr_objectives": sum(1 for o in self.index.instances("piao:Objective") if o.link("piao:pnrrMeasure"))}

    def problems_of(self, plan_iri: str) -> list[dict]:
        return [result for result in self.validation["results"] if result.get("plan") == plan_iri]


def alternates(links: PageLinks) -> list[tuple[str, str, str]]:
    """(href, media type, suffix) of the RDF files beside the page."""
    return [(links.to(links.page_dir + f"index.{suffix}"), media_type, suffix)
            for suffix, media_type in RESOURCE_FILES.items() if suffix != "html"]


def breadcrumbs(site: SiteData, view: ResourceView) -> list[ResourceView]:
    """Ancestors whose IRIs are prefixes of this one's and that have a page: ente > plan > objective..."""
    trail = []
    parts = view.iri[len(site.addresses.data_base):].split("/") if view.iri.startswith(site.addresses.data_base) else []
    for end in range(1, len(parts)):
        candidate = site.index.view(site.addresses.data_base + "/".join(parts[:end]))
        if candidate.described:
            trail.append(candidate)
    return trail


def base_context(site: SiteData, page_dir: str, title: str, page_type: str) -> dict:
    links = PageLinks(site.addresses, page_dir, site.pages)
    return {"site": site, "links": links, "page_dir": page_dir, "title": title, "page_type": page_type,
            "canonical": site.addresses.url(page_dir), "curie": compact, "PIAO": str(PIAO)}


def resource_context(site: SiteData, view: ResourceView, page_type: PageType, page_dir: str) -> dict:
    context = base_context(site, page_dir, view.label(), page_type.name)
    context.update({"r": view, "ptype": page_type, "alternates": alternates(context["links"]),
                    "schema": resource_markup(site, view, page_type, page_dir), "breadcrumbs": breadcrumbs(site, view),
                    "type_label": page_type.label_it, "page_type_of": page_type_of})
    if page_type.name == "version":
        context["changes"] = version_changes(site.store, site.versions, view.iri)
    elif page_type.name == "objective":
        history = objective_history(site.store, site.versions, view.iri)
        context["history"] = history if len(history) > 1 else []
    elif page_type.name == "plan":
        versions = site.versions.get(view.iri, [])
        context["versions"] = [site.index.view(version) for version in versions]
        first = version_changes(site.store, site.versions, versions[0]) if versions else None
        context["year_changes"] = first if first is not None and first.across_years else None
    return context


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


def fixed_pages(site: SiteData) -> list[FixedPage]:
    from piao_lod.website.ontology_docs import ontology_sections
    from piao_lod.website.saved_query_pages import query_page_context, saved_query_pages

    pages = []
    plans = site.plans
    for number, start in enumerate(range(0, max(len(plans), 1), PAGE_SIZE), start=1):
        path = "index.html" if number == 1 else f"piani/{number}/index.html"
        context = base_context(site, str(PurePosixPath(path).parent) + "/" if number > 1 else "", "Piani della performance", "home")
        context.update({"plans": plans[start:start + PAGE_SIZE], "page_number": number,
                        "page_count": max(1, -(-len(plans) // PAGE_SIZE)), "figures": site.figures})
        pages.append(FixedPage(path, "home.html", context))
    context = base_context(site, "validazione/", "Rapporto di validazione", "validation")
    context.update({"report": site.validation, "results_by_plan": results_by_plan(site.validation["results"])})
    pages.append(FixedPage("validazione/index.html", "validation.html", context))
    context = base_context(site, "dati/", "Dati aperti", "data")
    context.update({"downloads": site.downloads, "figures": site.figures, "schema": catalog_markup(site)})
    pages.append(FixedPage("dati/index.html", "data.html", context))
    pages.extend(saved_query_pages(site, base_context))
    context = base_context(site, "ontology/", "Ontologia piao-lod", "ontology")
    header, sections = ontology_sections()
    context.update({"ontology": header, "sections": sections, "alternates": alternates(context["links"]),
                    "schema": {"@context": "https://schema.org", "@type": "DefinedTermSet", "@id": header["iri"],
                               "name": header["titles"].get("it", ""), "version": header["version"],
                               "url": site.addresses.url("ontology/")}})
    pages.append(FixedPage("ontology/index.html", "ontology.html", context))
    pages.append(FixedPage("sparql/index.html", "sparql.html", query_page_context(site.addresses, "sparql/", None, None)))
    context = base_context(site, "", "Pagina non trovata", "not-found")
    pages.append(FixedPage("404.html", "404.html", context))
    return pages
