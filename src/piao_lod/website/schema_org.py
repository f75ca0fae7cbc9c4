"""The schema.org JSON-LD embedded in pages, for search engines and dataset search.

Every resource page says what it is (``Thing``, ``Person``...); a plan page describes its plan as a
``Dataset`` and the data page describes the site as a ``DataCatalog`` of datasets, each with its
licence, creator (the ente), spatial and temporal coverage and its files as ``DataDownload``: what
Google's dataset search and other schema.org harvesters read. Only http(s) IRIs go in.
"""

from __future__ import annotations

from piao_lod.website.addresses import Download, is_web_link
from piao_lod.website.catalog import DATASET_DESCRIPTION, DUMP_DESCRIPTION, DUMP_TITLE, licence_page
from piao_lod.website.display import year_number
from piao_lod.website.page_types import PageType
from piao_lod.messages import N_, gettext
from piao_lod.website.resource_index import ResourceView

CONTEXT = "https://schema.org"
SITE_NAME = N_("Performance plans – open data")
SITE_TAGLINE = N_("Objectives and indicators of Italian municipal PIAO plans as linked open data")


def resource_markup(site, view: ResourceView, page_type: PageType, page_dir: str) -> dict:
    """The description of one resource's page; a plan's is a ``Dataset``."""
    if view.has_type("piao:Plan"):
        return {"@context": CONTEXT, **plan_dataset(site, view)}
    data = {"@context": CONTEXT, "@type": page_type.schema_type, "@id": view.iri,
            "name": view.label(), "url": site.addresses.url(page_dir),
            "additionalType": [iri for iri in view.types if is_web_link(iri)],
            "isPartOf": {"@type": "WebSite", "url": site.addresses.site_url}}
    description = view.value("dcterms:description", "it")
    if description is not None:
        data["description"] = description.text
    identifier = view.value("dcterms:identifier") or view.value("skos:notation")
    if identifier is not None:
        data["identifier"] = identifier.text
    return data


def catalog_markup(site) -> dict:
    """The data page: the site as a ``DataCatalog`` of the all-plans dataset and one dataset per plan."""
    datasets = [all_plans_dataset(site)] + [plan_dataset(site, plan) for plan in site.plans]
    return {"@context": CONTEXT, "@type": "DataCatalog", "@id": site.addresses.url("catalog") + "#catalog",
            "name": gettext("it", SITE_NAME), "description": gettext("it", SITE_TAGLINE), "url": site.addresses.url("dati/"),
            "inLanguage": "it", "license": licence_page(site.addresses), "dataset": datasets}


def plan_dataset(site, plan: ResourceView) -> dict:
    ente = plan.link("piao:ente")
    year = plan.value("piao:year")
    source = plan.link("prov:wasDerivedFrom")
    source_title = (source.value("dcterms:title", "it") or source.value("piao:fileName")) if source else None
    ente_name = ente.label() if ente else ""
    data = {"@type": "Dataset", "@id": plan.iri, "name": plan.label(),
            "description": DATASET_DESCRIPTION["it"].format(year=year, ente=ente_name, source=source_title or plan.iri),
            "url": page_url(site, plan.iri), "license": licence_page(site.addresses), "isAccessibleForFree": True,
            "inLanguage": "it", "keywords": ["PIAO", "performance", "obiettivi", "indicatori", "PNRR", ente_name],
            "includedInDataCatalog": {"@type": "DataCatalog", "name": gettext("it", SITE_NAME), "url": site.addresses.url("dati/")},
            "distribution": [download(site, d) for d in site.downloads if d.plan_iri == plan.iri]}
    number = year_number(year.text) if year is not None else None
    if number is not None:
        data["temporalCoverage"] = f"{number}-01-01/{number}-12-31"
        data["identifier"] = f"{ente.value('dcterms:identifier') if ente else ''}:piano-{year.text}"
    if ente is not None:
        data["creator"] = data["publisher"] = organisation(site, ente)
        place = place_of(ente)
        if place:
            data["spatialCoverage"] = place
    return data


def all_plans_dataset(site) -> dict:
    plans = site.plans
    enti = {plan.link("piao:ente").iri: plan.link("piao:ente") for plan in plans if plan.link("piao:ente")}
    years = sorted(year for year in (year_number(plan.value("piao:year").text) for plan in plans if plan.value("piao:year"))
                   if year is not None)
    span = (f"{years[0]}–{years[-1]}" if years[0] != years[-1] else str(years[0])) if years else ""
    data = {"@type": "Dataset", "@id": site.addresses.url("catalog") + "#tutti-i-piani", "name": DUMP_TITLE["it"],
            "description": DUMP_DESCRIPTION["it"].format(count=len(plans), enti=len(enti), years=span),
            "url": site.addresses.url("dati/"), "license": licence_page(site.addresses), "isAccessibleForFree": True,
            "inLanguage": "it", "creator": [organisation(site, ente) for _, ente in sorted(enti.items())],
            "distribution": [download(site, d) for d in site.downloads if d.plan_iri is None and d.graph_iri is None]}
    places = [place for place in (place_of(ente) for _, ente in sorted(enti.items())) if place]
    if places:
        data["spatialCoverage"] = places
    if years:
        data["temporalCoverage"] = f"{years[0]}-01-01/{years[-1]}-12-31"
    return data


def organisation(site, ente: ResourceView) -> dict:
    data = {"@type": "GovernmentOrganization", "@id": ente.iri, "name": ente.label()}
    identifier = ente.value("dcterms:identifier")
    if identifier is not None:
        data["identifier"] = identifier.text
    url = page_url(site, ente.iri)
    if url:
        data["url"] = url
    return data


def place_of(ente: ResourceView) -> dict | None:
    """The comune of an ente as a schema.org ``Place``: its OntoPiA city IRI and ISTAT code."""
    city = ente.link("dcterms:spatial")
    if city is None or not is_web_link(city.iri):
        return None
    place = {"@type": "Place", "@id": city.iri, "name": ente.label(), "sameAs": city.iri}
    istat = ente.value("piao:istatCode")
    if istat is not None:
        place["identifier"] = istat.text
    return place


def download(site, file: Download) -> dict:
    data = {"@type": "DataDownload", "name": file.format_name, "encodingFormat": file.media_type,
            "contentUrl": site.addresses.url(file.path), "contentSize": f"{file.size} B"}
    if file.sha256:
        data["sha256"] = file.sha256
    return data


def page_url(site, iri: str) -> str | None:
    folder = site.pages.get(iri)
    return site.addresses.url(folder) if folder is not None else None
