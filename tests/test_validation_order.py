"""Regression: results alike in severity, focus, rule and value came in the order of a Python set (the order of
their hashes, which change from one process to the next), so one input could give reports in different orders:
seen on a corpus where two settori of one objective had no dirigente, and a yes/no target had two indicators."""

from __future__ import annotations

from rdflib import Graph

from conftest import DATA, SPARQL_PREFIXES
from piao_lod import plan_to_graph, read_plan_table
from piao_lod.validation import validate_graph

# a yes/no target of 5 whose indicator has four codes: four BooleanTarget01 results on one focus with one value,
# told apart only by their messages
FOUR_CODES = ("INSERT { ?indicator dcterms:identifier \"104b\", \"104c\", \"104d\" } "
              "WHERE { ?target piao:targetKind piao:BooleanTarget ; piao:assignment/piao:indicator ?indicator }")


def broken_plan(tmp_path) -> Graph:
    table = tmp_path / "plan.csv"
    table.write_text((DATA / "validation" / "clean-plan.csv").read_text(encoding="utf-8").replace(
        "Garantire la formazione;1;100", "Garantire la formazione;5;100", 1), encoding="utf-8")
    graph = plan_to_graph(read_plan_table(table))
    graph.update(SPARQL_PREFIXES + FOUR_CODES)
    return graph


def test_results_alike_but_for_their_message_come_in_the_order_of_their_messages(tmp_path):
    report = validate_graph(broken_plan(tmp_path))
    messages = [str(finding.messages[0]) for finding, _ in report.findings if finding.rule.endswith("BooleanTarget01")]
    assert len(messages) == 4
    assert messages == sorted(messages)
