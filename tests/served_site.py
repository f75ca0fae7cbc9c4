"""What the server tests share: the example site (built once per run), the store its dump loads into, and
the facts about it the tests check answers against.

The site is built with ``piao-lod build --no-search``; pytest-xdist workers share it through a
locked folder. ``embedded`` is that site's dump in a store loaded by the library, as ``piao-lod
query --data`` does: the reference every SPARQL answer of the server is compared with.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from answers import BASE, oxigraph_rows
from conftest import SPARQL_PREFIXES
from example_sites import WITHOUT_SEARCH, shared_example_site
from piao_lod.graph_inputs import load_dataset
from piao_lod.sparql_query import query_store

OBJECTIVE_DIR = "id/c_d150/piano/2024/obiettivo/1.3.2_0003"
OBJECTIVE_PATH = "/" + OBJECTIVE_DIR
OBJECTIVE_IRI = BASE + "c_d150/piano/2024/obiettivo/1.3.2_0003"
PLAN_GRAPH = "https://w3id.org/piao-lod/id/c_d150/piano/2024/versione/aggiornamento-e97ce4cb"   # the example's one version: its objectives
ONTOLOGY_GRAPH = "https://w3id.org/piao-lod/ontology"
SITE_TITLE = "Piani della performance – dati aperti"
RDF_TYPES = {"text/turtle": ("ttl", "turtle"), "application/ld+json": ("jsonld", "json-ld"),
             "application/n-triples": ("nt", "nt"), "application/rdf+xml": ("rdf", "xml")}
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
CODES_QUERY = SPARQL_PREFIXES + "SELECT DISTINCT ?code WHERE { ?objective a piao:Objective ; dcterms:identifier ?code } ORDER BY ?code"
COUNT_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
OBJECTIVE_COUNT = 37                  # objectives of the Cremona 2024 plan (tests/test_convert_example.py)
SPARQL_JSON = "application/sparql-results+json"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The example site, built once per run (``--no-search``)."""
    return shared_example_site(tmp_path_factory, "example-site-without-search", WITHOUT_SEARCH)


@pytest.fixture(scope="module")
def embedded(site) -> ox.Store:
    """The site's dump in an embedded store, with the ontology and the PNRR scheme, as ``query --data`` loads it."""
    loaded = load_dataset([site / "dati" / "piao-lod.nq"], BASE)
    assert loaded.exit_code == 0
    return loaded.store


@pytest.fixture(scope="module")
def objective_codes(embedded) -> list[str]:
    codes = [row[0] for row in oxigraph_rows(query_store(embedded, CODES_QUERY))]
    assert len(codes) == OBJECTIVE_COUNT and "1.3.2_0003" in codes
    return codes


def objective_graph(site: Path) -> rdflib.Graph:
    return rdflib.Graph().parse(site / OBJECTIVE_DIR / "index.ttl", format="turtle")


def media_type_of(headers) -> str:
    return headers.get("content-type", "").split(";")[0].strip()


def header_values(headers, name: str) -> list[str]:
    return [value.strip() for value in headers.get(name, "").split(",") if value.strip()]


def answer_rows(media_type: str, body: bytes) -> list[tuple]:
    """The rows of a SPARQL answer (JSON results or N-Triples), parsed by Oxigraph, as plain values."""
    if media_type == "application/n-triples":
        return oxigraph_rows([quad.triple for quad in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)])
    return oxigraph_rows(ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON))
