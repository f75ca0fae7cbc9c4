"""The site's data catalogue: DCAT-AP_IT for Italian open-data portals, VoID for linked-data tools.

dati.gov.it and regional portals harvest DCAT-AP_IT (the Italian profile of
DCAT-AP) in RDF/XML, so ``catalog.rdf`` is what they are pointed at; the same
graph is written as ``catalog.ttl`` for people. Every plan is one
``dcatapit:Dataset`` (published and held by its ente, identified by IPA code),
with one ``dcatapit:Distribution`` per data file of the plan; the full dumps
make one more dataset. What is not read from the store (catalogue text,
publisher, theme, frequency, licence) is data: ``vocabularies/catalog.ttl``.

The output depends only on its inputs, never on the clock. The build date is the
``date`` the caller gives, else the date of ``SOURCE_DATE_EPOCH`` when set (reproducible
builds), else 1 January of the latest plan year (a PIAO is adopted by 31 January of its
year, so the date is never later than the plan it describes). A plan's dataset is
``dct:issued`` on the date its source document states (``dcterms:issued``), else the
date of the first build that published it, and ``dct:modified`` on the date of the
build in which its graph last changed (both kept in the site's marker file from build
to build); the catalogue is issued at the earliest and modified at the latest of them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
from rdflib import DCAT, DCTERMS, FOAF, OWL, RDF, SKOS, VOID, XSD, Graph, Literal, Namespace, URIRef

from piao_lod.graph_inputs import ONTOLOGY_GRAPH
from piao_lod.namespaces import OX, PREFIXES
from piao_lod.plan_versions import versions_by_plan
from piao_lod.query_parameters import bind_parameters
from piao_lod.resources import packaged, vocabulary_file
from piao_lod.saved_queries import parse_query, saved_query
from piao_lod.website.addresses import Download, SiteAddresses
from piao_lod.website.display import year_number
from piao_lod.website.incremental import PlanDates
from piao_lod.website.resource_files import REFERENCE_DATASETS
from piao_lod.website.void_figures import VoidFigures, dump_figures

RDFS_LABEL = OX["rdfs"].label

DCATAPIT = Namespace("http://dati.gov.it/onto/dcatapit#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
FILE_TYPES = Namespace("http://publications.europa.eu/resource/authority/file-type/")
FILE_TYPE_SCHEME = URIRef("http://publications.europa.eu/resource/authority/file-type")
W3C_FORMATS = Namespace("http://www.w3.org/ns/formats/")
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"

CATALOG_PREFIXES = {
    "dcat": DCAT, "dcatapit": DCATAPIT, "dcterms": DCTERMS, "foaf": FOAF, "vcard": VCARD, "skos": SKOS,
    "owl": OWL, "xsd": XSD, "void": VOID, "filetype": FILE_TYPES, "spdx": SPDX,
}
VOCABULARY_NAMESPACES = sorted({str(namespace) for namespace in PREFIXES.values()}, key=len, reverse=True)

DATASET_DESCRIPTION = {
    "it": "Gli obiettivi del piano della performance {year} del {ente} (PIAO, sottosezione Performance): "
          "settori, dirigenti, indicatori con formula, target e peso, misure PNRR collegate. "
          "Dati aperti collegati (RDF) letti da «{source}», con la riga del documento di ogni valore.",
    "en": "The objectives of the {year} performance plan of {ente} (PIAO, Performance sub-section): "
          "settori, dirigenti, indicators with formula, target and weight, linked PNRR measures. "
          "Linked open data (RDF) read from “{source}”, with the document line of every value.",
}
DUMP_TITLE = {"it": "Tutti i piani", "en": "All plans"}
DUMP_DESCRIPTION = {
    "it": "Tutti i piani del sito in un file, con l'ontologia, lo schema delle misure PNRR, le missioni e i "
          "programmi del bilancio e le unità di misura "
          "(piani: {count}; enti: {enti}; anni: {years}).",
    "en": "Every plan of the site in one file, with the ontology, the PNRR measure scheme, the budget missions "
          "and programmes and the units of measure "
          "(plans: {count}; enti: {enti}; years: {years}).",
}
DISTRIBUTION_DESCRIPTION = {"it": "{title}, in formato {format} ({media_type}).",
                            "en": "{title}, as {format} ({media_type})."}
SERVICE_TITLE = {"it": "Endpoint SPARQL dei piani", "en": "SPARQL endpoint of the plans"}
SERVICE_DESCRIPTION = {
    "it": "Interrogazioni SPARQL 1.1 in sola lettura su tutti i piani del sito, l'ontologia e lo schema PNRR.",
    "en": "Read-only SPARQL 1.1 queries over every plan of the site, the ontology and the PNRR scheme.",
}


@dataclass(frozen=True)
class CatalogPlan:
    """One row of ``queries/site/catalog-plans.rq``: what a plan's dataset says."""

    plan: str
    year: int
    title_it: str
    title_en: str
    ente: str
    ipa: str
    ente_name: str
    istat: str | None
    city: str | None
    source_title: str | None
    source_file: str | None
    source_issued: dt.date | None = None      # the date the source document states it was issued

    @property
    def key(self) -> str:
        return f"piano-{self.ipa}-{self.year}"


@dataclass(frozen=True)
class FileType:
    media_type: str
    eu_file_type: URIRef
    w3c_format: URIRef | None


def catalog_document(addresses: SiteAddresses) -> str:
    """The IRI of the catalogue document; its resources are fragments of it (``…/catalog#catalog``)."""
    return addresses.url("catalog")


def void_document(addresses: SiteAddresses) -> str:
    return addresses.url("void")


def site_query(name: str, store: ox.Store, parameters: dict[str, str] | None = None) -> list[ox.QuerySolution]:
    text = (packaged("queries") / "site" / f"{name}.rq").read_text(encoding="utf-8")
    query = parse_query(text, f"site/{name}.rq", name)
    return list(store.query(bind_parameters(query, parameters), use_default_graph_as_union=True))


def text_of(solution: ox.QuerySolution, variable: str) -> str | None:
    term = solution[variable]
    return None if term is None else term.value


def catalog_plans(store: ox.Store, without_year: list[tuple[str, str]] | None = None) -> list[CatalogPlan]:
    """Every plan in the store with a year, ordered by IPA code and year. A plan whose ``piao:year`` is not a
    year (RDF from another producer) is left out, each DCAT-AP_IT dataset being a plan of a year; it is added
    to ``without_year`` as (plan IRI, the text of its year)."""
    plans = []
    for row in site_query("catalog-plans", store):
        year = year_number(text_of(row, "year"))
        if year is None:
            if without_year is not None:
                without_year.append((text_of(row, "plan"), text_of(row, "year")))
            continue
        ipa = text_of(row, "ipa")
        ente_name = text_of(row, "enteName") or ipa
        plans.append(CatalogPlan(
            plan=text_of(row, "plan"), year=year,
            title_it=text_of(row, "titleIt") or f"Piano degli obiettivi {year} – {ente_name}",
            title_en=text_of(row, "titleEn") or f"Objectives plan {year} – {ente_name}",
            ente=text_of(row, "ente"), ipa=ipa, ente_name=ente_name, istat=text_of(row, "istat"),
            city=text_of(row, "city"), source_title=text_of(row, "sourceTitle"),
            source_file=text_of(row, "sourceFile"), source_issued=date_of(text_of(row, "sourceIssued"))))
    return plans


def date_of(text: str | None) -> dt.date | None:
    """An ``xsd:date`` or ``xsd:dateTime`` lexical form as a date; None when absent or not a date."""
    try:
        return dt.date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


@lru_cache(maxsize=1)
def file_types() -> dict[str, FileType]:
    """Media type -> EU file type (``vocabularies/file-types.csv``)."""
    rows = csv.DictReader(io.StringIO(vocabulary_file("file-types.csv").read_text(encoding="utf-8")))
    return {row["media_type"]: FileType(row["media_type"], FILE_TYPES[row["eu_file_type"]],
                                        W3C_FORMATS[row["w3c_format"]] if row["w3c_format"] else None)
            for row in rows}


def file_type(media_type: str) -> FileType:
    try:
        return file_types()[media_type]
    except KeyError:
        raise ValueError(f"no EU file type for media type {media_type!r}; add it to vocabularies/file-types.csv") from None


def catalog_date(date: dt.date | None, plans: list[CatalogPlan]) -> dt.date:
    """The date the catalogue is stamped with (see the module docstring for the order of choice)."""
    if date is not None:
        return date
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date()
    if plans:
        return dt.date(max(plan.year for plan in plans), 1, 1)
    raise ValueError("no plans to date the catalogue by; give the date or set SOURCE_DATE_EPOCH")


@lru_cache(maxsize=4)
def catalog_settings(document: str) -> Graph:
    """``vocabularies/catalog.ttl`` with its relative IRIs resolved against the catalogue document."""
    settings = Graph()
    settings.parse(data=vocabulary_file("catalog.ttl").read_text(encoding="utf-8"), format="turtle",
                   publicID=document)
    return settings


def data_licence(addresses: SiteAddresses) -> str:
    """The IRI of the licence every dataset and file of the site carries (``vocabularies/catalog.ttl``)."""
    return licence_of(catalog_document(addresses))


def licence_page(addresses: SiteAddresses) -> str:
    """The licence's own web page (``foaf:page`` of the licence document): what schema.org ``license`` takes."""
    document = catalog_document(addresses)
    return str(catalog_settings(document).value(URIRef(licence_of(document)), FOAF.page))


@lru_cache(maxsize=4)
def licence_of(document: str) -> str:
    return str(catalog_settings(document).value(URIRef(document + "#distribution-defaults"), DCTERMS.license))


def new_graph() -> Graph:
    graph = Graph(bind_namespaces="core")
    for prefix, namespace in CATALOG_PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


def date_literal(day: dt.date) -> Literal:
    return Literal(day.isoformat(), datatype=XSD.date)


class CatalogBuilder:
    """Adds the catalogue's resources to one graph; the fixed parts come from the settings file."""

    def __init__(self, addresses: SiteAddresses, contact_email: str | None):
        self.addresses = addresses
        self.document = catalog_document(addresses)
        settings = catalog_settings(self.document)
        self.dataset_defaults = list(settings.predicate_objects(self.node("dataset-defaults")))
        self.distribution_defaults = list(settings.predicate_objects(self.node("distribution-defaults")))
        self.graph = new_graph()
        for triple in settings:
            if triple[0] not in (self.node("dataset-defaults"), self.node("distribution-defaults")):
                self.graph.add(triple)
        self.catalog = self.node("catalog")
        self.publisher = settings.value(self.catalog, DCTERMS.publisher)
        self.licence = settings.value(self.node("distribution-defaults"), DCTERMS.license)
        self.contact = self.add_contact(contact_email) if contact_email else None
        self.dates: list[PlanDates] = []

    def node(self, fragment: str) -> URIRef:
        return URIRef(f"{self.document}#{quote(fragment, safe='/-_.~')}")

    def add_contact(self, email: str) -> URIRef:
        contact = self.node("contatto")
        self.graph.add((contact, RDF.type, DCATAPIT.Organization))
        self.graph.add((contact, RDF.type, VCARD.Organization))
        self.graph.add((contact, VCARD.fn, self.graph.value(self.publisher, FOAF.name)))
        self.graph.add((contact, VCARD.hasEmail, URIRef(email if email.startswith("mailto:") else f"mailto:{email}")))
        self.graph.add((contact, VCARD.hasURL, URIRef(self.addresses.site_url)))
        return contact

    def add_catalog(self) -> None:
        """The catalogue's own facts, once every dataset is in: it is as old as its oldest dataset and
        as recent as its last change."""
        homepage = URIRef(self.addresses.site_url)
        self.graph.add((self.catalog, FOAF.homepage, homepage))
        self.graph.add((homepage, RDF.type, FOAF.Document))
        self.graph.add((self.catalog, DCTERMS.license, self.licence))
        if self.dates:
            self.graph.add((self.catalog, DCTERMS.issued, date_literal(min(d.issued for d in self.dates))))
            self.graph.add((self.catalog, DCTERMS.modified, date_literal(max(d.modified for d in self.dates))))

    def add_agent(self, agent: URIRef, name: str, identifier: str) -> None:
        self.graph.add((agent, RDF.type, DCATAPIT.Agent))
        self.graph.add((agent, RDF.type, FOAF.Agent))
        self.graph.add((agent, FOAF.name, Literal(name)))
        self.graph.add((agent, DCTERMS.identifier, Literal(identifier)))

    def add_period(self, first_year: int, last_year: int) -> URIRef:
        period = self.node(f"anni-{first_year}" if first_year == last_year else f"anni-{first_year}-{last_year}")
        start, end = date_literal(dt.date(first_year, 1, 1)), date_literal(dt.date(last_year, 12, 31))
        self.graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
        for start_property, end_property in ((DCATAPIT.startDate, DCATAPIT.endDate), (DCAT.startDate, DCAT.endDate)):
            self.graph.add((period, start_property, start))
            self.graph.add((period, end_property, end))
        return period

    def add_location(self, plan: CatalogPlan) -> URIRef:
        city = URIRef(plan.city)
        self.graph.add((city, RDF.type, DCTERMS.Location))
        self.graph.add((city, DCATAPIT.geographicalIdentifier, Literal(plan.city)))
        if plan.istat:
            self.graph.add((city, DCTERMS.identifier, Literal(plan.istat)))
        return city

    def add_dataset(self, key: str, titles: dict[str, str], descriptions: dict[str, str], identifier: str,
                    landing_page: str, dates: PlanDates) -> URIRef:
        dataset = self.node(key)
        self.graph.add((self.catalog, DCAT.dataset, dataset))
        self.graph.add((dataset, RDF.type, DCATAPIT.Dataset))
        self.graph.add((dataset, RDF.type, DCAT.Dataset))
        for language in ("it", "en"):
            self.graph.add((dataset, DCTERMS.title, Literal(titles[language], lang=language)))
            self.graph.add((dataset, DCTERMS.description, Literal(descriptions[language], lang=language)))
        self.graph.add((dataset, DCTERMS.identifier, Literal(identifier)))
        self.graph.add((dataset, DCTERMS.issued, date_literal(dates.issued)))
        self.graph.add((dataset, DCTERMS.modified, date_literal(dates.modified)))
        self.graph.add((dataset, DCTERMS.license, self.licence))
        self.graph.add((dataset, DCAT.landingPage, URIRef(landing_page)))
        self.graph.add((URIRef(landing_page), RDF.type, FOAF.Document))
        for predicate, value in self.dataset_defaults:
            self.graph.add((dataset, predicate, value))
        if self.contact is not None:
            self.graph.add((dataset, DCAT.contactPoint, self.contact))
        self.dates.append(dates)
        return dataset

    def add_plan(self, plan: CatalogPlan, downloads: list[Download], dates: PlanDates) -> URIRef:
        source = plan.source_title or plan.source_file or plan.plan
        descriptions = {language: template.format(year=plan.year, ente=plan.ente_name, source=source)
                        for language, template in DATASET_DESCRIPTION.items()}
        page = self.addresses.page_dir(plan.plan)
        landing_page = self.addresses.url(page) if page is not None else plan.plan
        dataset = self.add_dataset(plan.key, {"it": plan.title_it, "en": plan.title_en}, descriptions,
                                   f"{plan.ipa}:piano-{plan.year}", landing_page, dates)
        ente = URIRef(plan.ente)
        self.add_agent(ente, plan.ente_name, plan.ipa)
        self.graph.add((dataset, DCTERMS.publisher, ente))
        self.graph.add((dataset, DCTERMS.rightsHolder, ente))
        self.graph.add((dataset, DCTERMS.temporal, self.add_period(plan.year, plan.year)))
        if plan.city:
            self.graph.add((dataset, DCTERMS.spatial, self.add_location(plan)))
        self.graph.add((dataset, DCAT.keyword, Literal(plan.ente_name, lang="it")))
        self.graph.add((dataset, DCAT.keyword, Literal(str(plan.year))))
        for download in downloads:
            self.add_distribution(dataset, plan.title_it, download)
        return dataset

    def add_dumps(self, plans: list[CatalogPlan], dumps: list[Download], dates: PlanDates) -> URIRef:
        years = [plan.year for plan in plans]
        enti = {plan.ente: plan for plan in plans}
        span = f"{min(years)}–{max(years)}" if min(years) != max(years) else str(min(years))
        facts = {"count": len(plans), "enti": len(enti), "years": span}
        descriptions = {language: template.format(**facts) for language, template in DUMP_DESCRIPTION.items()}
        publisher_id = self.graph.value(self.publisher, DCTERMS.identifier)
        dataset = self.add_dataset("tutti-i-piani", DUMP_TITLE, descriptions, f"{publisher_id}:tutti-i-piani",
                                   self.addresses.site_url, dates)
        self.graph.add((dataset, DCTERMS.publisher, self.publisher))
        for plan in enti.values():
            self.add_agent(URIRef(plan.ente), plan.ente_name, plan.ipa)
            self.graph.add((dataset, DCTERMS.rightsHolder, URIRef(plan.ente)))
            if plan.city:
                self.graph.add((dataset, DCTERMS.spatial, self.add_location(plan)))
        self.graph.add((dataset, DCTERMS.temporal, self.add_period(min(years), max(years))))
        for download in dumps:
            self.add_distribution(dataset, DUMP_TITLE["it"], download)
        return dataset

    def add_distribution(self, dataset: URIRef, title: str, download: Download) -> None:
        distribution = self.node(f"file/{download.path}")
        kind = file_type(download.media_type)
        url = URIRef(self.addresses.url(download.path))
        media_type = self.media_type(download.media_type)
        self.graph.add((dataset, DCAT.distribution, distribution))
        self.graph.add((distribution, RDF.type, DCATAPIT.Distribution))
        self.graph.add((distribution, RDF.type, DCAT.Distribution))
        self.graph.add((distribution, DCTERMS.title, Literal(f"{title} ({download.format_name})", lang="it")))
        for language, template in DISTRIBUTION_DESCRIPTION.items():
            text = template.format(title=title, format=download.format_name, media_type=download.media_type)
            self.graph.add((distribution, DCTERMS.description, Literal(text, lang=language)))
        self.graph.add((distribution, DCTERMS.format, kind.eu_file_type))
        self.graph.add((kind.eu_file_type, RDF.type, DCTERMS.MediaTypeOrExtent))
        self.graph.add((kind.eu_file_type, SKOS.inScheme, FILE_TYPE_SCHEME))
        self.graph.add((distribution, DCAT.mediaType, media_type))
        if download.compress_format:
            self.graph.add((distribution, DCAT.compressFormat, self.media_type(download.compress_format)))
        self.graph.add((distribution, DCAT.accessURL, url))
        self.graph.add((distribution, DCAT.downloadURL, url))
        # xsd:decimal as AgID requires, in its canonical form ("1234.0") so every syntax writes the same literal.
        self.graph.add((distribution, DCAT.byteSize, Literal(f"{download.size}.0", datatype=XSD.decimal)))
        if download.sha1:
            # SHA-1: the one algorithm DCAT-AP 2 (the base of DCAT-AP_IT) admits; the data page also gives SHA-256.
            checksum = self.node(f"file/{download.path}/sha1")
            self.graph.add((distribution, SPDX.checksum, checksum))
            self.graph.add((checksum, RDF.type, SPDX.Checksum))
            self.graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha1))
            self.graph.add((checksum, SPDX.checksumValue, Literal(download.sha1, datatype=XSD.hexBinary)))
            self.graph.add((SPDX.checksumAlgorithm_sha1, RDF.type, SPDX.ChecksumAlgorithm))
        for predicate, value in self.distribution_defaults:
            self.graph.add((distribution, predicate, value))

    def media_type(self, name: str) -> URIRef:
        media_type = URIRef(IANA_MEDIA_TYPES + name)
        self.graph.add((media_type, RDF.type, DCTERMS.MediaType))
        return media_type

    def add_service(self, endpoint: str, datasets: list[URIRef]) -> None:
        """The SPARQL endpoint as a ``dcat:DataService`` serving every dataset of the catalogue."""
        service = self.node("sparql")
        self.graph.add((self.catalog, DCAT.service, service))
        self.graph.add((service, RDF.type, DCAT.DataService))
        for language in ("it", "en"):
            self.graph.add((service, DCTERMS.title, Literal(SERVICE_TITLE[language], lang=language)))
            self.graph.add((service, DCTERMS.description, Literal(SERVICE_DESCRIPTION[language], lang=language)))
        self.graph.add((service, DCAT.endpointURL, URIRef(endpoint)))
        self.graph.add((service, DCAT.endpointDescription, URIRef(endpoint)))    # it answers with its service description
        self.graph.add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
        self.graph.add((URIRef("https://www.w3.org/TR/sparql11-protocol/"), RDF.type, DCTERMS.Standard))
        self.graph.add((service, DCTERMS.publisher, self.publisher))
        self.graph.add((service, DCTERMS.license, self.licence))
        if self.contact is not None:
            self.graph.add((service, DCAT.contactPoint, self.contact))
        for dataset in datasets:
            self.graph.add((service, DCAT.servesDataset, dataset))


def catalog_graph(store: ox.Store, addresses: SiteAddresses, downloads: list[Download],
                  date: dt.date | None = None, contact_email: str | None = None, sparql_endpoint: str | None = None,
                  history: Mapping[str, PlanDates] | None = None) -> Graph:
    """The DCAT-AP_IT catalogue of the plans in ``store`` and of the site's data files.

    ``contact_email`` is the site operator's address, given as the contact point of every dataset
    (DCAT-AP_IT recommends one and requires an e-mail in it); without it datasets have none.
    ``history`` gives each plan's dates from the previous builds (see the module docstring); a plan
    it does not know is issued and modified on the build date."""
    plans = catalog_plans(store)
    day = catalog_date(date, plans)
    builder = CatalogBuilder(addresses, contact_email)
    datasets = []
    all_dates = []
    for plan in plans:
        dates = (history or {}).get(plan.plan, PlanDates(day, day))
        if plan.source_issued is not None:
            dates = PlanDates(plan.source_issued, max(dates.modified, plan.source_issued))
        all_dates.append(dates)
        datasets.append(builder.add_plan(plan, [d for d in downloads if d.plan_iri == plan.plan], dates))
    dumps = [download for download in downloads if download.plan_iri is None]
    if dumps and plans:
        span = PlanDates(min(d.issued for d in all_dates), max(d.modified for d in all_dates))
        datasets.append(builder.add_dumps(plans, [d for d in dumps if d.graph_iri is None], span))
    if sparql_endpoint:
        builder.add_service(sparql_endpoint, datasets)
    builder.add_catalog()
    return builder.graph


def store_figures(store: ox.Store, uri_space: str) -> VoidFigures:
    """VoID's figures of ``store`` by SPARQL (``queries/site/void-*.rq``): what :func:`dump_figures` counts
    from the dump a build writes."""
    statistics = site_query("void-statistics", store, {"uri_space": uri_space})[0]
    figures = VoidFigures(*(int(statistics[variable].value) for variable in
                            ("triples", "distinctSubjects", "distinctObjects", "properties", "entities", "classes")))
    figures.class_entities = {row["class"].value: int(row["entities"].value) for row in site_query("void-classes", store)}
    figures.property_triples = {row["property"].value: int(row["triples"].value)
                                for row in site_query("void-properties", store)}
    figures.graph_triples = {row["graph"].value: int(row["triples"].value)
                             for row in store.query(saved_query("graph-sizes").text)}
    return figures


def void_graph(store: ox.Store, addresses: SiteAddresses, downloads: list[Download],
               sparql_endpoint: str | None = None, figures: VoidFigures | None = None) -> Graph:
    """A VoID description of the site's data: size, class and property partitions (``figures``, by default
    those of ``store``), the vocabularies it uses, its dumps, one subset per plan and one per plan version
    (each in a graph of its own), one each for the reference schemes, with the files that hold them."""
    document = void_document(addresses)
    dataset = URIRef(f"{document}#piao-lod")
    graph = new_graph()
    settings = catalog_settings(catalog_document(addresses))
    catalog = URIRef(catalog_document(addresses) + "#catalog")
    graph.add((dataset, RDF.type, VOID.Dataset))
    for predicate in (DCTERMS.title, DCTERMS.description):
        for value in settings.objects(catalog, predicate):
            graph.add((dataset, predicate, value))
    licence = settings.value(URIRef(catalog_document(addresses) + "#distribution-defaults"), DCTERMS.license)
    graph.add((dataset, DCTERMS.license, licence))
    graph.add((dataset, FOAF.homepage, URIRef(addresses.site_url)))
    graph.add((dataset, VOID.uriSpace, Literal(addresses.data_base)))
    if sparql_endpoint:
        graph.add((dataset, VOID.sparqlEndpoint, URIRef(sparql_endpoint)))

    if figures is None:
        figures = store_figures(store, addresses.data_base)
    for predicate, value in ((VOID.triples, figures.triples), (VOID.entities, figures.entities),
                             (VOID.classes, figures.classes), (VOID.properties, figures.properties),
                             (VOID.distinctSubjects, figures.distinct_subjects),
                             (VOID.distinctObjects, figures.distinct_objects)):
        graph.add((dataset, predicate, Literal(value)))

    used = set()
    for class_iri, entities in figures.class_entities.items():
        partition = URIRef(f"{document}#classe/{quote(class_iri, safe='')}")
        graph.add((dataset, VOID.classPartition, partition))
        graph.add((partition, VOID["class"], URIRef(class_iri)))
        graph.add((partition, VOID.entities, Literal(entities)))
        used.add(class_iri)
    for property_iri, triples in figures.property_triples.items():
        partition = URIRef(f"{document}#proprieta/{quote(property_iri, safe='')}")
        graph.add((dataset, VOID.propertyPartition, partition))
        graph.add((partition, VOID.property, URIRef(property_iri)))
        graph.add((partition, VOID.triples, Literal(triples)))
        used.add(property_iri)
    for namespace in {vocabulary_of(iri) for iri in used} - {None}:
        graph.add((dataset, VOID.vocabulary, URIRef(namespace)))

    for download in downloads:
        if download.plan_iri is None and download.graph_iri is None:
            graph.add((dataset, VOID.dataDump, URIRef(addresses.url(download.path))))
            feature = file_type(download.media_type).w3c_format
            if feature is not None:
                graph.add((dataset, VOID.feature, feature))

    plans = catalog_plans(store)
    if plans:
        graph.add((dataset, VOID.exampleResource, URIRef(plans[0].plan)))
    graph_sizes = figures.graph_triples
    versions = versions_by_plan(store)
    subsets = []
    for plan in plans:
        subsets.append((plan.key, plan.plan, {"it": plan.title_it}))
        subsets += [(f"{plan.key}/{version.rsplit('/', 1)[-1]}", version, labels_of(store, version))
                    for version in versions.get(plan.plan, [])]
    subsets += [(dataset.key, dataset.graph.value, dataset.titles) for dataset in REFERENCE_DATASETS]
    for key, graph_iri, titles in subsets:
        subset = URIRef(f"{document}#{key}")
        graph.add((dataset, VOID.subset, subset))
        graph.add((subset, RDF.type, VOID.Dataset))
        for language, title in titles.items():
            graph.add((subset, DCTERMS.title, Literal(title, lang=language)))
        graph.add((subset, FOAF.primaryTopic, URIRef(graph_iri)))
        graph.add((subset, DCTERMS.license, licence))
        if graph_iri in graph_sizes:
            graph.add((subset, VOID.triples, Literal(graph_sizes[graph_iri])))
        for download in downloads:
            if download.graph_iri == graph_iri:
                graph.add((subset, VOID.dataDump, URIRef(addresses.url(download.path))))
        if graph_iri == ONTOLOGY_GRAPH.value:
            for suffix in ("ttl", "jsonld", "nt", "rdf"):
                graph.add((subset, VOID.dataDump, URIRef(addresses.url(f"ontology/index.{suffix}"))))
    return graph


def labels_of(store: ox.Store, iri: str) -> dict[str, str]:
    """Language -> the resource's rdfs:label in that language."""
    return {quad.object.language: quad.object.value
            for quad in store.quads_for_pattern(ox.NamedNode(iri), RDFS_LABEL, None, None)
            if isinstance(quad.object, ox.Literal) and quad.object.language}


def vocabulary_of(iri: str) -> str | None:
    """The namespace of one of the vocabularies the project names (namespaces.py) that ``iri`` is in."""
    return next((namespace for namespace in VOCABULARY_NAMESPACES if iri.startswith(namespace)), None)


def turtle_bytes(graph: Graph) -> bytes:
    return graph.serialize(format="turtle", encoding="utf-8")


def rdf_xml_bytes(graph: Graph) -> bytes:
    """RDF/XML with triples in sorted order: rdflib's RDF/XML writers order subjects by hash, which
    changes between runs; Oxigraph writes them in the order given."""
    lines = sorted(line for line in graph.serialize(format="nt", encoding="utf-8").splitlines() if line.strip())
    triples = ox.parse(b"\n".join(lines) + b"\n", format=ox.RdfFormat.N_TRIPLES)
    prefixes = {prefix: str(namespace) for prefix, namespace in CATALOG_PREFIXES.items()}
    return ox.serialize(triples, format=ox.RdfFormat.RDF_XML, prefixes=prefixes)


def write_catalog(out_dir: Path, store: ox.Store, addresses: SiteAddresses, downloads: list[Download],
                  date: dt.date | None = None, contact_email: str | None = None,
                  sparql_endpoint: str | None = None, history: Mapping[str, PlanDates] | None = None) -> list[Path]:
    """Write ``catalog.ttl``, ``catalog.rdf`` (what Italian portals harvest), ``void.ttl`` and
    ``.well-known/void`` (where VoID tools look, RFC 5785) into the site; return the files written.

    VoID's figures are counted from the site's full dump as written (``dati/piao-lod.nq``), so they are the
    figures of the file a client downloads; the rest of VoID, like the catalogue, is read from ``store``."""
    catalog = catalog_graph(store, addresses, downloads, date, contact_email, sparql_endpoint, history)
    figures = dump_figures(written_dump(out_dir, downloads), addresses.data_base, out_dir)
    void = turtle_bytes(void_graph(store, addresses, downloads, sparql_endpoint, figures))
    files = {
        out_dir / "catalog.ttl": turtle_bytes(catalog),
        out_dir / "catalog.rdf": rdf_xml_bytes(catalog),
        out_dir / "void.ttl": void,
        out_dir / ".well-known" / "void": void,
    }
    for path, content in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return list(files)


def written_dump(out_dir: Path, downloads: list[Download]) -> Path:
    """The full N-Quads dump the build wrote."""
    dump = next(d for d in downloads if d.plan_iri is None and d.graph_iri is None and d.media_type == "application/n-quads")
    return out_dir / dump.path
