"""The value tests of a target run as one query (a UNION branch each): each still reports on its own.

The Oxigraph engine joins the constraints that test a target's values one by one (datatype, pattern, range,
class, ...) into one query per target class. These cases break several of them at once, on the same focus and
value and on node-level constraints (kept apart: their filter is on the focus itself), and check that every
result is there, as pyshacl, the reference, finds it.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from rdflib import SH, BNode, Graph

from conftest import DATA, SPARQL_PREFIXES
from piao_lod import plan_to_graph, read_plan_table
from piao_lod.validation import Engine, validate_graph

CLEAN = DATA / "validation" / "clean-plan.csv"
PLAN = "https://w3id.org/piao-lod/id/c_d150/piano/2024"

CASES = {
    # an IPA code that is neither a string nor of the pattern: two results on one focus and value
    "ipa-datatype-and-pattern": ("DELETE { ?e cov:IPAcode ?c } INSERT { ?e cov:IPAcode \"C D150\"^^xsd:token } "
                                 "WHERE { ?e cov:IPAcode ?c }",
                                 {("Ente-ipa", "Datatype"), ("Ente-ipa", "Pattern")}),
    # a public body that is a blank node: sh:nodeKind on the focus itself
    "ente-blank-node": ("INSERT DATA { _:ente a org:FormalOrganization ; cov:IPAcode \"c_x000\" ; "
                        "skos:prefLabel \"Ente senza IRI\"@it }", {("Ente", "NodeKind")}),
    # an objective whose IRI is not an objective's: the node shape's sh:pattern
    "objective-iri": (f"INSERT DATA {{ <{PLAN}/obiettivo-senza-codice> a piao:Objective }}", {("Objective", "Pattern")}),
    # a weight out of range and typed wrong, and a title in a third language
    "weight-and-title": (f"DELETE {{ ?a piao:weight 60 }} INSERT {{ ?a piao:weight \"-1\"^^xsd:decimal }} "
                         f"WHERE {{ ?a piao:weight 60 }} ;\n"
                         f"INSERT {{ ?o dcterms:title \"Rapports mensuels\"@fr }} "
                         f"WHERE {{ BIND(<{PLAN}/obiettivo/2.1_0001> AS ?o) ?o dcterms:title ?t }}",
                         {("Assignment-weight", "MinInclusive"), ("Assignment-weight", "Datatype")}),
}


def results(graph: Graph, engine: Engine) -> Counter:
    """(rule, component, severity, focus is a blank node) of every result: blank node labels differ by engine."""
    report = validate_graph(graph, engine)
    return Counter((finding.rule.split("#")[-1], finding.component.split("#")[-1].removesuffix("ConstraintComponent"),
                    finding.severity, isinstance(finding.focus, BNode)) for finding, _ in report.findings)


@pytest.fixture(scope="module")
def clean_graph() -> Graph:
    return plan_to_graph(read_plan_table(CLEAN))


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_value_test_reports_on_its_own(case, clean_graph):
    update, expected = CASES[case]
    graph = Graph()
    graph += clean_graph
    graph.update(SPARQL_PREFIXES + update)
    found = results(graph, Engine.oxigraph)
    assert expected <= {(rule, component) for rule, component, severity, _ in found}
    assert all(severity == SH.Violation for rule, component, severity, _ in found if (rule, component) in expected)
    assert found == results(graph, Engine.pyshacl)


def test_the_clean_plan_still_conforms(clean_graph):
    assert validate_graph(clean_graph).conforms
