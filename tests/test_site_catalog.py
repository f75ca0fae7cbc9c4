"""The site's DCAT-AP_IT catalogue and VoID description, checked with the DCAT-AP_IT validator's own rules.

The rules (``tests/data/dcat-ap_it/rules``, see its README) are SPARQL SELECT queries:
every row is one broken rule, with ``?Rule_ID`` and ``?Rule_Severity`` ("error" or
"warning"). A conforming catalogue gives no error row.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib.compare import isomorphic
from rdflib import DCTERMS, FOAF, OWL, RDF, VOID, Graph, Literal, Namespace, URIRef

from piao_lod.graph_inputs import load_dataset
from piao_lod.reading import ReadingOptions
from piao_lod.website.addresses import Download, SiteAddresses
from piao_lod.website.catalog import catalog_graph, void_graph

from conftest import DATA, EXAMPLE

RULES = sorted((DATA / "dcat-ap_it" / "rules").glob("*.rq"), key=lambda path: int(path.name.split("-")[1].split(".")[0]))
# Prefixes some rule files use without declaring them (the validator's RDF4J store predeclares them).
UNDECLARED_PREFIXES = ("PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"
                       "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
                       "PREFIX owl: <http://www.w3.org/2002/07/owl#>\n")
# Rules 89 and 158 check dct:byteSize, a property DCAT-AP_IT does not define (its OWL has
# dcat:byteSize, which the catalogue uses): test_distributions_per_format checks the decimal type.
# The recommended property the catalogue leaves out on purpose: dct:subject needs a EuroVoc
# sub-theme chosen per plan.
EXPECTED_WARNINGS = {21}

# Open namespaces: pytest probes module attributes, and rdflib warns on every probe of its closed DCAT and XSD.
DCAT = Namespace("http://www.w3.org/ns/dcat#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
DCATAPIT = Namespace("http://dati.gov.it/onto/dcatapit#")
BASE = "https://w3id.org/piao-lod/id/"
CREMONA_PLAN = BASE + "c_d150/piano/2024"
BRESCIA_PLAN = BASE + "c_b157/piano/2025"
CATALOG_DATE = dt.date(2025, 3, 1)
PLAN_FORMATS = {"ttl": ("text/turtle", "Turtle", "RDF_TURTLE"), "jsonld": ("application/ld+json", "JSON-LD", "JSON_LD"),
                "nt": ("application/n-triples", "N-Triples", "RDF_N_TRIPLES"),
                "rdf": ("application/rdf+xml", "RDF/XML", "RDF_XML")}
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
LICENCE = URIRef("https://w3id.org/italia/controlled-vocabulary/licences/A21_CCBY40")


def plan_downloads(plan_iri: str, stem: str) -> list[Download]:
    return [Download(f"dati/{stem}.{suffix}", media_type, name, 1000 + index, plan_iri)
            for index, (suffix, (media_type, name, _)) in enumerate(PLAN_FORMATS.items())]


DOWNLOADS = (plan_downloads(CREMONA_PLAN, "c_d150-2024") + plan_downloads(BRESCIA_PLAN, "c_b157-2025")
             + [Download("dati/piao-lod.trig", "application/trig", "TriG", 123456),
                Download("dati/piao-lod.nq", "application/n-quads", "N-Quads", 234567)])


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> ox.Store:
    """The Cremona plan and a synthetic second comune and year (the same table, retitled for Brescia 2025)."""
    brescia = tmp_path_factory.mktemp("plans") / "brescia-2025.txt"
    text = EXAMPLE.read_text(encoding="utf-8")
    brescia.write_text(text.replace("COMUNE DI CREMONA", "COMUNE DI BRESCIA").replace("OBIETTIVI 2024", "OBIETTIVI 2025"),
                       encoding="utf-8")
    cremona = load_dataset([EXAMPLE], BASE).store
    loaded = load_dataset([brescia], BASE, ReadingOptions(ente="c_b157"), store=cremona)
    return loaded.store


@pytest.fixture(scope="module")
def addresses() -> SiteAddresses:
    return SiteAddresses()


@pytest.fixture(scope="module")
def catalog(store, addresses) -> Graph:
    return catalog_graph(store, addresses, DOWNLOADS, CATALOG_DATE, contact_email="dati@example.org")


def rule_rows(graph: Graph, rule: Path) -> list[tuple[int, str, str]]:
    """(rule id, severity, message) of every row the rule returns on the graph."""
    data = ox.Store()
    data.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    rows = data.query(UNDECLARED_PREFIXES + rule.read_text(encoding="utf-8"))
    return [(int(row["Rule_ID"].value), row["Rule_Severity"].value, row["Message"].value if row["Message"] else "")
            for row in rows]


def broken_rules(graph: Graph, severity: str) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for rule in RULES:
        for rule_id, rule_severity, message in rule_rows(graph, rule):
            if rule_severity == severity:
                found.setdefault(rule_id, []).append(message)
    return found


def test_every_rule_file_is_run_and_parses():
    assert len(RULES) == 122
    data = ox.Store()
    for rule in RULES:
        data.query(UNDECLARED_PREFIXES + rule.read_text(encoding="utf-8"))


def test_catalogue_breaks_no_dcat_ap_it_rule(catalog):
    assert broken_rules(catalog, "error") == {}


def test_catalogue_warnings_are_only_the_documented_ones(catalog):
    assert set(broken_rules(catalog, "warning")) == EXPECTED_WARNINGS


def test_without_contact_email_only_the_contact_point_warnings_are_added(store, addresses):
    graph = catalog_graph(store, addresses, DOWNLOADS, CATALOG_DATE)
    assert broken_rules(graph, "error") == {}
    assert set(broken_rules(graph, "warning")) == EXPECTED_WARNINGS | {41, 203}


def first_plan_dataset(graph: Graph) -> URIRef:
    return next(dataset for dataset in graph.subjects(RDF.type, DCATAPIT.Dataset)
                if str(graph.value(dataset, DCTERMS.identifier)) == "c_d150:piano-2024")


def remove_catalog_publisher(graph: Graph) -> None:
    graph.remove((None, DCTERMS.publisher, None))


def remove_rights_holder(graph: Graph) -> None:
    graph.remove((first_plan_dataset(graph), DCTERMS.rightsHolder, None))


def remove_theme(graph: Graph) -> None:
    graph.remove((first_plan_dataset(graph), DCAT.theme, None))


def remove_licence(graph: Graph) -> None:
    graph.remove((None, DCTERMS.license, None))


def untyped_catalogue(graph: Graph) -> None:
    graph.remove((None, RDF.type, DCATAPIT.Catalog))


def second_catalogue_publisher(graph: Graph) -> None:
    catalogue = next(graph.subjects(RDF.type, DCATAPIT.Catalog))
    graph.add((catalogue, DCTERMS.publisher, URIRef(CREMONA_PLAN.rsplit("/piano", 1)[0])))


def literal_contact_email(graph: Graph) -> None:
    for contact, email in list(graph.subject_objects(URIRef("http://www.w3.org/2006/vcard/ns#hasEmail"))):
        graph.set((contact, URIRef("http://www.w3.org/2006/vcard/ns#hasEmail"), Literal(str(email))))


def undated_period(graph: Graph) -> None:
    graph.remove((None, DCATAPIT.startDate, None))


@pytest.mark.parametrize("breakage, rule_id", [
    (remove_catalog_publisher, 8), (remove_rights_holder, 3), (remove_theme, 53), (remove_licence, 86),
    (untyped_catalogue, 112), (second_catalogue_publisher, 9), (literal_contact_email, 207), (undated_period, 196),
])
def test_rules_report_a_broken_catalogue(catalog, breakage, rule_id):
    broken = Graph()
    for triple in catalog:
        broken.add(triple)
    breakage(broken)
    assert rule_id in broken_rules(broken, "error")


def test_one_dataset_per_plan_plus_the_dumps(catalog):
    identifiers = sorted(str(catalog.value(dataset, DCTERMS.identifier))
                         for dataset in catalog.subjects(RDF.type, DCATAPIT.Dataset))
    assert identifiers == ["c_b157:piano-2025", "c_d150:piano-2024", "piao-lod:tutti-i-piani"]
    catalogue = next(catalog.subjects(RDF.type, DCATAPIT.Catalog))
    assert len(list(catalog.objects(catalogue, DCAT.dataset))) == 3


def test_plan_dataset_facts(catalog, addresses):
    dataset = first_plan_dataset(catalog)
    ente = catalog.value(dataset, DCTERMS.publisher)
    assert ente == URIRef(BASE + "c_d150") == catalog.value(dataset, DCTERMS.rightsHolder)
    assert (ente, RDF.type, DCATAPIT.Agent) in catalog
    assert catalog.value(ente, DCTERMS.identifier) == Literal("c_d150")
    assert catalog.value(ente, FOAF.name) == Literal("Comune di Cremona")
    assert str(catalog.value(dataset, DCTERMS.title)) in {"Piano degli obiettivi 2024 – Comune di Cremona",
                                                          "Objectives plan 2024 – Comune di Cremona"}
    period = catalog.value(dataset, DCTERMS.temporal)
    assert catalog.value(period, DCATAPIT.startDate) == Literal("2024-01-01", datatype=XSD.date)
    assert catalog.value(period, DCATAPIT.endDate) == Literal("2024-12-31", datatype=XSD.date)
    city = catalog.value(dataset, DCTERMS.spatial)
    assert str(city).endswith("/cities/019036-(1948-01-01)")
    assert catalog.value(city, DCTERMS.identifier) == Literal("019036")
    assert catalog.value(dataset, DCAT.theme) == URIRef("http://publications.europa.eu/resource/authority/data-theme/GOVE")
    assert catalog.value(dataset, DCTERMS.accrualPeriodicity) == URIRef(
        "http://publications.europa.eu/resource/authority/frequency/ANNUAL")
    assert catalog.value(dataset, DCAT.landingPage) == URIRef(addresses.site_url + "id/c_d150/piano/2024/")
    assert catalog.value(dataset, DCTERMS.modified) == Literal("2025-03-01", datatype=XSD.date)
    assert Literal("Comune di Cremona", lang="it") in set(catalog.objects(dataset, DCAT.keyword))
    contact = catalog.value(dataset, DCAT.contactPoint)
    assert catalog.value(contact, URIRef("http://www.w3.org/2006/vcard/ns#hasEmail")) == URIRef("mailto:dati@example.org")


def test_second_comune_is_its_own_publisher(catalog):
    dataset = next(dataset for dataset in catalog.subjects(RDF.type, DCATAPIT.Dataset)
                   if str(catalog.value(dataset, DCTERMS.identifier)) == "c_b157:piano-2025")
    ente = catalog.value(dataset, DCTERMS.publisher)
    assert catalog.value(ente, DCTERMS.identifier) == Literal("c_b157")
    assert str(catalog.value(dataset, DCTERMS.spatial)).endswith("/cities/017029-(1948-01-01)")
    assert catalog.value(catalog.value(dataset, DCTERMS.temporal), DCATAPIT.startDate) == Literal("2025-01-01",
                                                                                                  datatype=XSD.date)


def test_distributions_per_format(catalog, addresses):
    dataset = first_plan_dataset(catalog)
    found = {}
    for distribution in catalog.objects(dataset, DCAT.distribution):
        url = str(catalog.value(distribution, DCAT.downloadURL))
        assert catalog.value(distribution, DCAT.accessURL) == URIRef(url)
        assert (distribution, RDF.type, DCATAPIT.Distribution) in catalog
        assert catalog.value(distribution, DCAT.byteSize).datatype == XSD.decimal
        assert catalog.value(distribution, DCTERMS.license) == LICENCE
        found[url.rsplit(".", 1)[1]] = (str(catalog.value(distribution, DCAT.mediaType)),
                                        str(catalog.value(distribution, DCTERMS.format)))
    assert found == {suffix: ("https://www.iana.org/assignments/media-types/" + media_type, FILE_TYPE + file_type)
                     for suffix, (media_type, _, file_type) in PLAN_FORMATS.items()}
    assert addresses.url("dati/c_d150-2024.ttl") in {str(url) for url in catalog.objects(None, DCAT.downloadURL)}


def test_dumps_dataset_holds_the_full_dumps_and_every_ente(catalog):
    dataset = next(dataset for dataset in catalog.subjects(RDF.type, DCATAPIT.Dataset)
                   if str(catalog.value(dataset, DCTERMS.identifier)) == "piao-lod:tutti-i-piani")
    formats = {str(catalog.value(distribution, DCTERMS.format)) for distribution in catalog.objects(dataset, DCAT.distribution)}
    assert formats == {FILE_TYPE + "RDF_TRIG", FILE_TYPE + "RDF_N_QUADS"}
    assert {str(catalog.value(ente, DCTERMS.identifier)) for ente in catalog.objects(dataset, DCTERMS.rightsHolder)} == {
        "c_d150", "c_b157"}
    period = catalog.value(dataset, DCTERMS.temporal)
    assert (catalog.value(period, DCATAPIT.startDate), catalog.value(period, DCATAPIT.endDate)) == (
        Literal("2024-01-01", datatype=XSD.date), Literal("2025-12-31", datatype=XSD.date))


def test_licence_is_cc_by_4_from_the_italian_licences_vocabulary(catalog):
    vocabulary = Graph().parse(DATA / "dcat-ap_it" / "Licenze.ttl")
    entry = URIRef("http://dati.gov.it/onto/controlledvocabulary/License/" + str(LICENCE).rsplit("/", 1)[1])
    assert (LICENCE, RDF.type, DCATAPIT.LicenseDocument) in catalog
    assert catalog.value(LICENCE, OWL.versionInfo) == vocabulary.value(entry, OWL.versionInfo) == Literal("4.0")
    assert set(catalog.objects(LICENCE, FOAF.name)) == set(vocabulary.objects(entry, FOAF.name))


def test_date_comes_from_source_date_epoch_else_latest_plan_year(store, addresses, monkeypatch):
    def catalogue_modified(graph: Graph) -> Literal:
        return graph.value(next(graph.subjects(RDF.type, DCATAPIT.Catalog)), DCTERMS.modified)

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert catalogue_modified(catalog_graph(store, addresses, DOWNLOADS)) == Literal("2023-11-14", datatype=XSD.date)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert catalogue_modified(catalog_graph(store, addresses, DOWNLOADS)) == Literal("2025-01-01", datatype=XSD.date)


def test_unknown_media_type_is_refused_with_the_file_to_edit(store, addresses):
    with pytest.raises(ValueError, match="file-types.csv"):
        catalog_graph(store, addresses, [Download("dati/x.bin", "application/x-unknown", "?", 1, CREMONA_PLAN)],
                      CATALOG_DATE)


def test_void_describes_size_partitions_dumps_and_plans(store, addresses):
    void = void_graph(store, addresses, DOWNLOADS)
    dataset = next(subject for subject in void.subjects(RDF.type, VOID.Dataset) if (subject, VOID.uriSpace, None) in void)
    distinct_triples = len({(quad.subject, quad.predicate, quad.object) for quad in store})
    assert int(void.value(dataset, VOID.triples)) == distinct_triples
    assert void.value(dataset, VOID.uriSpace) == Literal(addresses.data_base)
    assert set(void.objects(dataset, VOID.dataDump)) == {URIRef(addresses.url("dati/piao-lod.trig")),
                                                         URIRef(addresses.url("dati/piao-lod.nq"))}
    assert URIRef("https://w3id.org/piao-lod/ontology#") in set(void.objects(dataset, VOID.vocabulary))
    objectives = next(partition for partition in void.objects(dataset, VOID.classPartition)
                      if void.value(partition, VOID["class"]) == URIRef("https://w3id.org/piao-lod/ontology#Objective"))
    assert int(void.value(objectives, VOID.entities)) == 2 * 37
    subsets = {str(void.value(subset, FOAF.primaryTopic)): subset for subset in void.objects(dataset, VOID.subset)}
    versions = {graph for graph in subsets if "/versione/" in graph}          # a subset per plan version too
    assert {graph.split("/versione/")[0] for graph in versions} == {CREMONA_PLAN, BRESCIA_PLAN}
    assert set(subsets) - versions == {CREMONA_PLAN, BRESCIA_PLAN, "https://w3id.org/piao-lod/ontology",
                                       "https://w3id.org/piao-lod/pnrr/scheme", "https://w3id.org/piao-lod/bilancio/scheme",
                                       "https://w3id.org/piao-lod/units"}
    for graph in (CREMONA_PLAN, *versions):
        size = sum(1 for _ in store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
        assert int(void.value(subsets[graph], VOID.triples)) == size, graph
    for version in versions:
        assert {title.language for title in void.objects(subsets[version], DCTERMS.title)} == {"it", "en"}, version
    assert (dataset, VOID.sparqlEndpoint, None) not in void


WRITE_CATALOG = """
import datetime, sys
from pathlib import Path
import pyoxigraph as ox
from piao_lod.graph_inputs import load_dataset
from piao_lod.website.addresses import SiteAddresses
from piao_lod.website.catalog import write_catalog
from piao_lod.plan_versions import versions_by_plan
from piao_lod.website.resource_files import write_dumps
store = load_dataset([Path(sys.argv[2])], "https://w3id.org/piao-lod/id/").store
out = Path(sys.argv[1])
downloads = write_dumps(store, versions_by_plan(store), out / "dati", lambda iri: "c_d150-piano-2024")
write_catalog(out, store, SiteAddresses(), downloads, datetime.date(2025, 3, 1), "dati@example.org")
"""


def test_written_files_are_byte_identical_across_hash_seeds_and_parse(tmp_path):
    for seed in ("1", "2"):
        environment = {**os.environ, "PYTHONHASHSEED": seed}
        environment.pop("SOURCE_DATE_EPOCH", None)
        subprocess.run([sys.executable, "-c", WRITE_CATALOG, str(tmp_path / seed), str(EXAMPLE)], check=True,
                       env=environment)
    first, second = tmp_path / "1", tmp_path / "2"
    names = sorted(str(path.relative_to(first)) for path in first.rglob("*") if path.is_file() and path.parent != first / "dati")
    assert names == [".well-known/void", "catalog.rdf", "catalog.ttl", "void.ttl"]
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    from_xml = Graph().parse(first / "catalog.rdf", format="xml")
    assert isomorphic(from_xml, Graph().parse(first / "catalog.ttl", format="turtle"))
    assert broken_rules(from_xml, "error") == {}
    assert (first / "void.ttl").read_bytes() == (first / ".well-known" / "void").read_bytes()
