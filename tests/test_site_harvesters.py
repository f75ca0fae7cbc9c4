"""What harvesters read, checked with their own tools on a site built through the CLI: the DCAT-AP_IT
catalogue, VoID and the dump files agree; the catalogue passes the AgID rules and the EU DCAT-AP 2.1.1
SHACL shapes (with the vocabularies they import); CKAN's own DCAT parser (ckanext-dcat) reads every
dataset; the pages carry schema.org Dataset markup that extruct finds."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import extruct
import pyoxigraph as ox
import pyshacl
import pytest
from rdflib import DCTERMS, FOAF, RDF, VOID, Dataset, Graph, Literal, Namespace, URIRef

from conftest import DATA, EXAMPLE, ROOT
from test_site_catalog import broken_rules

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCATAPIT = Namespace("http://dati.gov.it/onto/dcatapit#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
SH = Namespace("http://www.w3.org/ns/shacl#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
SITE = "https://w3id.org/piao-lod/"
CREMONA_PLAN = SITE + "id/c_d150/piano/2024"
OTHER = DATA / "queries" / "synthetic-x_999999-2024.csv"
ENDPOINT = "https://example.org/sparql"
CONTACT = "dati@example.org"
EPOCH = "1740787200"              # 2025-03-01
DCAT_AP_SHAPES = DATA / "dcat-ap"
DCAT_AP_IMPORTS = ROOT / "tests" / "dcat-ap-imports" / "node_modules" / "@vocabulary"
CKAN_PYTHON = ROOT / "tests" / "ckan" / ".venv" / "bin" / "python"
REFERENCE_GRAPHS = {SITE + "ontology", SITE + "pnrr/scheme", SITE + "bilancio/scheme", SITE + "units"}


def build(*arguments: str, epoch: str = EPOCH) -> subprocess.CompletedProcess:
    environment = {**os.environ, "SOURCE_DATE_EPOCH": epoch}
    return subprocess.run([sys.executable, "-m", "piao_lod", "build", *arguments, "--no-search", "--contact-email",
                           CONTACT, "--sparql-endpoint", ENDPOINT], capture_output=True, text=True, check=False,
                          env=environment)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("harvested") / "_site"
    completed = build(str(EXAMPLE), str(OTHER), "-o", str(out))
    assert completed.returncode == 1, completed.stderr      # the example's genuine violation
    return out


@pytest.fixture(scope="module")
def catalog(site) -> Graph:
    graph = Graph().parse(site / "catalog.rdf", format="xml")
    assert len(graph) == len(Graph().parse(site / "catalog.ttl", format="turtle"))
    return graph


@pytest.fixture(scope="module")
def dump(site) -> Dataset:
    dataset = Dataset()
    dataset.parse(site / "dati" / "piao-lod.trig", format="trig")
    return dataset


def datasets(catalog: Graph) -> list[URIRef]:
    return sorted(catalog.subjects(RDF.type, DCATAPIT.Dataset))


def triples_of(path: Path, rdf_format: str) -> set:
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return {(quad.subject, quad.predicate, quad.object) for quad in ox.parse(data, format=getattr(ox.RdfFormat, rdf_format))}


def test_every_distribution_is_a_file_of_its_size_and_checksum(site, catalog):
    distributions = list(catalog.subjects(RDF.type, DCAT.Distribution))
    assert len(distributions) == 2 * 4 + 5                   # two plans in four formats, five full dumps
    for distribution in distributions:
        url = str(catalog.value(distribution, DCAT.downloadURL))
        assert url.startswith(SITE), url
        path = site / url[len(SITE):]
        assert path.is_file(), url
        content = path.read_bytes()
        assert catalog.value(distribution, DCAT.byteSize) == Literal(f"{len(content)}.0", datatype=XSD.decimal)
        checksum = catalog.value(distribution, SPDX.checksum)
        assert catalog.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha1
        assert str(catalog.value(checksum, SPDX.checksumValue)) == hashlib.sha1(content).hexdigest()
        media_type = str(catalog.value(distribution, DCAT.mediaType)).rsplit("media-types/", 1)[1]
        assert media_type == {".ttl": "text/turtle", ".jsonld": "application/ld+json", ".nt": "application/n-triples",
                              ".rdf": "application/rdf+xml", ".trig": "application/trig", ".nq": "application/n-quads",
                              ".gz": "application/n-triples"}[path.suffix], url
        compressed = catalog.value(distribution, DCAT.compressFormat)
        assert (compressed == URIRef("https://www.iana.org/assignments/media-types/application/gzip")) == (path.suffix == ".gz")


def test_every_data_file_is_in_the_catalogue_or_in_void(site, catalog):
    void = Graph().parse(site / "void.ttl")
    listed = {str(url) for url in catalog.objects(None, DCAT.downloadURL)} | {str(url) for url in void.objects(None, VOID.dataDump)}
    files = {SITE + str(path.relative_to(site)) for path in (site / "dati").iterdir() if path.is_file() and path.name != "index.html"}
    assert files <= listed
    assert {url for url in listed if url.startswith(SITE + "dati/")} <= files


def test_full_dumps_hold_every_plan_the_ontology_and_the_pnrr_scheme(site, dump):
    graphs = {str(graph.identifier) for graph in dump.graphs() if str(graph.identifier) != "urn:x-rdflib:default"}
    versions = {graph for graph in graphs if "/versione/" in graph}          # each plan's versions, a graph each
    assert {graph.split("/versione/")[0] for graph in versions} == {CREMONA_PLAN, SITE + "id/x_999999/piano/2024"}
    assert graphs - versions == {CREMONA_PLAN, SITE + "id/x_999999/piano/2024"} | REFERENCE_GRAPHS
    nquads = ox.Store()
    nquads.load(path=str(site / "dati" / "piao-lod.nq"), format=ox.RdfFormat.N_QUADS)
    union = {(quad.subject, quad.predicate, quad.object) for quad in nquads}
    for name, rdf_format in (("piao-lod.ttl", "TURTLE"), ("piao-lod.jsonld", "JSON_LD"), ("piao-lod.nt.gz", "N_TRIPLES")):
        assert len(triples_of(site / "dati" / name, rdf_format)) == len(union), name
    scheme = {(quad.subject, quad.predicate, quad.object)
              for quad in nquads.quads_for_pattern(None, None, None, ox.NamedNode(SITE + "pnrr/scheme"))}
    assert scheme and triples_of(site / "dati" / "pnrr-scheme.ttl", "TURTLE") == scheme
    assert triples_of(site / "dati" / "pnrr-scheme.nt", "N_TRIPLES") == scheme


def test_pnrr_indicators_query_answers_from_the_dump_alone(site):
    """Regression: the dump lacked the PNRR scheme, so the project's own query found nothing over it."""
    from piao_lod.saved_queries import saved_query

    store = ox.Store()
    store.load(path=str(site / "dati" / "piao-lod.trig"), format=ox.RdfFormat.TRIG)
    rows = list(store.query(saved_query("pnrr-indicators").text, use_default_graph_as_union=True))
    assert rows


def test_void_figures_are_those_of_the_files(site):
    void = Graph().parse(site / ".well-known" / "void", format="turtle")
    dataset = URIRef(SITE + "void#piao-lod")
    nquads = ox.Store()
    nquads.load(path=str(site / "dati" / "piao-lod.nq"), format=ox.RdfFormat.N_QUADS)
    triples = {(quad.subject, quad.predicate, quad.object) for quad in nquads}
    assert int(void.value(dataset, VOID.triples)) == len(triples)
    assert int(void.value(dataset, VOID.distinctSubjects)) == len({t[0] for t in triples})
    assert int(void.value(dataset, VOID.properties)) == len({t[1] for t in triples})
    sizes = {}
    for quad in nquads:
        sizes[quad.graph_name.value] = sizes.get(quad.graph_name.value, 0) + 1
    subsets = {str(void.value(subset, FOAF.primaryTopic)): subset for subset in void.objects(dataset, VOID.subset)}
    assert set(subsets) == set(sizes)
    for graph, size in sizes.items():
        assert int(void.value(subsets[graph], VOID.triples)) == size, graph
        for url in void.objects(subsets[graph], VOID.dataDump):
            assert (site / str(url)[len(SITE):]).is_file(), url
    objectives = next(partition for partition in void.objects(dataset, VOID.classPartition)
                      if void.value(partition, VOID["class"]) == URIRef(SITE + "ontology#Objective"))
    assert int(void.value(objectives, VOID.entities)) == 37 + 3
    assert void.value(dataset, VOID.sparqlEndpoint) == URIRef(ENDPOINT)


def test_catalogue_breaks_no_agid_rule(catalog):
    assert broken_rules(catalog, "error") == {}
    assert set(broken_rules(catalog, "warning")) == {21}      # dct:subject: a EuroVoc sub-theme nobody chose


def test_catalogue_conforms_to_the_eu_dcat_ap_shapes_with_their_imports(catalog):
    """The DCAT-AP 2.1.1 shapes (DCAT-AP_IT is a profile of DCAT-AP 2) with the vocabularies their
    imports.ttl names, from npm. Two warnings are expected: the ente as publisher is not in the EU
    corporate-body list, nor its comune (an OntoPiA city) in the EU place list."""
    shapes = Graph()
    for name in ("shapes", "range", "mdr-vocabularies.shape", "deprecateduris"):
        shapes.parse(DCAT_AP_SHAPES / f"{name}.ttl", format="turtle")
    imports = Graph()
    names = sorted(path.parent.name for path in DCAT_AP_IMPORTS.glob("*/*.nq"))
    assert names == ["dcat", "dcterms", "foaf", "locn", "prov", "schema", "skos", "time", "vcard"], names
    for path in DCAT_AP_IMPORTS.glob("*/*.nq"):
        vocabulary = Dataset()
        vocabulary.parse(path, format="nquads")
        for subject, predicate, obj, _ in vocabulary.quads():
            imports.add((subject, predicate, obj))
    conforms, report, text = pyshacl.validate(catalog, shacl_graph=shapes, ont_graph=imports, advanced=True,
                                              allow_warnings=True)
    results = [(str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[1], str(report.value(result, SH.resultPath)))
               for result in report.objects(None, SH.result)]
    assert [result for result in results if result[0] == "Violation"] == [], text[:3000]
    assert conforms
    assert {path for _, path in results} <= {str(DCTERMS.publisher), str(DCTERMS.spatial)}


def test_catalogue_dates_come_from_the_build_and_change_only_with_the_data(tmp_path):
    table = tmp_path / OTHER.name
    table.write_text(OTHER.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "_site"

    def dates() -> dict[str, tuple[str, str]]:
        graph = Graph().parse(out / "catalog.ttl")
        return {str(graph.value(subject, DCTERMS.identifier)): (str(graph.value(subject, DCTERMS.issued)),
                                                                str(graph.value(subject, DCTERMS.modified)))
                for subject in graph.subjects(RDF.type, DCATAPIT.Dataset)}

    assert build(str(table), "-o", str(out), epoch="1740787200").returncode in (0, 1)      # 2025-03-01
    assert dates()["x_999999:piano-2024"] == ("2025-03-01", "2025-03-01")
    assert build(str(table), "-o", str(out), epoch="1743465600").returncode in (0, 1)      # 2025-04-01, same data
    assert dates()["x_999999:piano-2024"] == ("2025-03-01", "2025-03-01")
    table.write_text(table.read_text(encoding="utf-8").replace(";40;100", ";45;100", 1), encoding="utf-8")
    assert build(str(table), "-o", str(out), epoch="1746057600").returncode in (0, 1)      # 2025-05-01, changed
    assert dates()["x_999999:piano-2024"] == ("2025-03-01", "2025-05-01")
    catalogue = Graph().parse(out / "catalog.ttl")
    node = next(catalogue.subjects(RDF.type, DCATAPIT.Catalog))
    assert (str(catalogue.value(node, DCTERMS.issued)), str(catalogue.value(node, DCTERMS.modified))) == (
        "2025-03-01", "2025-05-01")


def test_catalogue_names_contact_licence_and_sparql_service(catalog):
    for dataset in datasets(catalog):
        contact = catalog.value(dataset, DCAT.contactPoint)
        assert catalog.value(contact, URIRef("http://www.w3.org/2006/vcard/ns#hasEmail")) == URIRef("mailto:" + CONTACT)
        assert catalog.value(dataset, DCTERMS.license) is not None
    service = catalog.value(next(catalog.subjects(RDF.type, DCATAPIT.Catalog)), DCAT.service)
    assert catalog.value(service, DCAT.endpointURL) == URIRef(ENDPOINT)
    assert set(catalog.objects(service, DCAT.servesDataset)) == set(datasets(catalog))
    assert catalog.value(URIRef("http://publications.europa.eu/resource/authority/data-theme/GOVE"),
                         URIRef("http://www.w3.org/2004/02/skos/core#inScheme")) is not None


def test_build_with_sources_and_no_contact_is_refused(tmp_path):
    completed = subprocess.run([sys.executable, "-m", "piao_lod", "build", str(OTHER), "-o", str(tmp_path / "out")],
                               capture_output=True, text=True, check=False)
    assert completed.returncode == 2 and "--contact-email" in completed.stderr and "Traceback" not in completed.stderr
    assert not (tmp_path / "out").exists()


def test_ckan_dcat_parser_reads_every_dataset_with_licence_formats_and_urls(site, catalog):
    assert CKAN_PYTHON.is_file(), "tests/ckan/.venv is made by tools/setup-test-tools.sh (bash run-tests.sh)"
    completed = subprocess.run([str(CKAN_PYTHON), str(ROOT / "tests" / "ckan" / "read_catalog.py"),
                                str(site / "catalog.rdf")], capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr[-3000:]
    harvested = {dataset["uri"]: dataset for dataset in json.loads(completed.stdout)}
    assert set(harvested) == {str(dataset) for dataset in datasets(catalog)}
    for uri, dataset in harvested.items():
        assert dataset["title"] and dataset["license_id"] == "cc-by", uri
        assert dataset["issued"] and dataset["modified"] and dataset["contact_email"] == CONTACT
        expected = {str(url) for distribution in catalog.objects(URIRef(uri), DCAT.distribution)
                    for url in catalog.objects(distribution, DCAT.downloadURL)}
        assert {resource["url"] for resource in dataset["resources"]} == expected
        for resource in dataset["resources"]:
            assert resource["format"].startswith("http://publications.europa.eu/resource/authority/file-type/")
            assert resource["size"] > 0 and len(resource["hash"]) == 40


def extracted(path: Path, url: str) -> list[dict]:
    return extruct.extract(path.read_text(encoding="utf-8"), base_url=url, syntaxes=["json-ld"])["json-ld"]


def test_plan_page_describes_a_schema_org_dataset(site):
    [dataset] = extracted(site / "id/c_d150/piano/2024/index.html", CREMONA_PLAN + "/")
    assert dataset["@type"] == "Dataset" and dataset["@id"] == CREMONA_PLAN
    assert dataset["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert dataset["creator"]["@type"] == "GovernmentOrganization" and dataset["creator"]["name"] == "Comune di Cremona"
    assert dataset["spatialCoverage"]["sameAs"].endswith("/cities/019036-(1948-01-01)")
    assert dataset["temporalCoverage"] == "2024-01-01/2024-12-31"
    files = {item["contentUrl"]: item for item in dataset["distribution"]}
    assert set(files) == {SITE + f"dati/c_d150-piano-2024.{suffix}" for suffix in ("ttl", "jsonld", "nt", "rdf")}
    for url, item in files.items():
        assert item["@type"] == "DataDownload" and item["encodingFormat"]
        assert (site / url[len(SITE):]).stat().st_size == int(item["contentSize"].split()[0])
    assert len(dataset["description"]) >= 50


def test_data_page_describes_a_data_catalog_of_every_dataset(site):
    [catalogue] = extracted(site / "dati/index.html", SITE + "dati/")
    assert catalogue["@type"] == "DataCatalog"
    names = {dataset["@id"]: dataset for dataset in catalogue["dataset"]}
    assert set(names) == {SITE + "catalog#tutti-i-piani", CREMONA_PLAN, SITE + "id/x_999999/piano/2024"}
    everything = names[SITE + "catalog#tutti-i-piani"]
    assert {item["contentUrl"].rsplit("/", 1)[1] for item in everything["distribution"]} == {
        "piao-lod.trig", "piao-lod.nq", "piao-lod.ttl", "piao-lod.jsonld", "piao-lod.nt.gz"}
    for dataset in catalogue["dataset"]:
        assert dataset["license"] and dataset["creator"] and dataset["temporalCoverage"] and dataset["distribution"]


def test_resource_files_say_their_licence_and_topic(site):
    for suffix, rdf_format in (("ttl", "TURTLE"), ("jsonld", "JSON_LD"), ("rdf", "RDF_XML"), ("nt", "N_TRIPLES")):
        triples = triples_of(site / "id/c_d150/indicatore/844" / f"index.{suffix}", rdf_format)
        document = ox.NamedNode(SITE + "id/c_d150/indicatore/844/")
        about = {(p.value, o.value) for s, p, o in triples if s == document}
        assert (str(FOAF.primaryTopic), SITE + "id/c_d150/indicatore/844") in about, suffix
        assert (str(DCTERMS.license), "https://w3id.org/italia/controlled-vocabulary/licences/A21_CCBY40") in about
