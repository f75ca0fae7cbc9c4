"""Each SHACL rule broken exactly once gives exactly that result, on both engines.

The clean fixture (tests/data/validation/clean-plan.csv) conforms. Each case
edits it once — in the table where a plan author could make the mistake, in the
RDF (SPARQL Update) where only a broken converter or hand-written RDF could —
and expects exactly the listed results. The fast engine (shapes compiled to
SPARQL over Oxigraph) and pyshacl, the reference, must agree on every case.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from rdflib import SH, Graph, URIRef

from conftest import DATA, EXAMPLE, SPARQL_PREFIXES
from piao_lod import plan_to_graph, read_plan_table
from piao_lod.validation import Engine, validate_graph

CLEAN = DATA / "validation" / "clean-plan.csv"
PLAN = "https://w3id.org/piao-lod/id/c_d150/piano/2024"
PREFIXES = SPARQL_PREFIXES


def table_edit(*replacements: tuple[str, str]):
    def edit(text: str) -> str:
        for old, new in replacements:
            assert old in text, old
            text = text.replace(old, new, 1)
        return text
    return edit


# rule (local name of the property shape or SPARQL constraint) -> (edit, expected count, severity)
TABLE_CASES = {
    "WeightsTotal100": (table_edit(("Misurare la pista;1.200;40", "Misurare la pista;1.200;30")), 1, SH.Violation),
    "Assignment-weight": (table_edit(("Misurare i lavori;70;60\n", "Misurare i lavori;70;100\n"),
                                     ("Misurare la pista;1.200;40", "Misurare la pista;1.200;0")), 1, SH.Violation),
    "WeightReadable": (table_edit(("Garantire la formazione;1;100", "Garantire la formazione;1;tanto")), 1, SH.Violation),
    "WeightPresent": (table_edit(("Garantire la formazione;1;100", "Garantire la formazione;1;")), 1, SH.Violation),
    # a percentage formula asks for a number: words there are unreadable (with no such formula they would be a
    # qualitative target)
    "TargetReadable": (table_edit(("Misurare i lavori;70;60", "Misurare i lavori;alto;60")), 1, SH.Violation),
    "TargetPresent": (table_edit(("Monitorare;12;100", "Monitorare;;100")), 1, SH.Violation),
    "BooleanTarget01": (table_edit(("Garantire la formazione;1;100", "Garantire la formazione;5;100")), 1, SH.Violation),
    "PercentageTarget0to100": (table_edit(("Misurare i lavori;70;60", "Misurare i lavori;120;60")), 1, SH.Violation),
    "ObjectiveCodeUnique": (table_edit((";2.1_0001;", ";1.1_0002;")), 1, SH.Violation),
    "IndicatorOneTitle": (table_edit((";104;Report mensili;", ";103;Report mensili;")), 1, SH.Violation),
    "Objective-indicators": (lambda text: text + "c_d150;2024;BIANCHI ANNA;;2.1_0002;Obiettivo senza indicatori;Nessun indicatore;;;;;;\n", 1, SH.Violation),
    "PnrrCodeKnown": (table_edit(("PNRR - M5C2-I2.1 - Pista", "PNRR - M9C9-I9.9 - Pista")), 1, SH.Violation),
    "PnrrWithoutCode": (table_edit(("PNRR - M5C2-I2.1 - Pista", "PNRR - Pista")), 1, SH.Warning),
    "DefinitionPresent": (table_edit((";Garantire ore di formazione;", ";;")), 1, SH.Warning),
    "FormulaPresent": (table_edit((";Numero di report;", ";;")), 1, SH.Warning),
}

GRAPH_CASES = {
    "Assignment-weight": ("DELETE { ?a piao:weight 60 } INSERT { ?a piao:weight \"60\"^^xsd:decimal } "
                          "WHERE { ?a piao:weight 60 }", 1, SH.Violation),
    "Objective-settore": (f"DELETE WHERE {{ <{PLAN}/obiettivo/2.1_0001> piao:ownedBy ?s }}", 1, SH.Violation),
    "SettoreLedByDirigente": ("DELETE { ?m org:member ?p } WHERE { ?m org:organization ?s ; org:member ?p . "
                              "?s skos:prefLabel \"Settore Beta\"@it }",
                              1, SH.Violation),
    # added beside the measure its code links to: replacing it also leaves the code unlinked (PnrrCodeKnown)
    "Objective-pnrr": ("INSERT { ?o piao:pnrrMeasure <https://w3id.org/piao-lod/pnrr/M9> } "
                       "WHERE { ?o piao:pnrrMeasure ?m }", 1, SH.Violation),
    "Objective-title": (f"DELETE {{ ?o dcterms:title ?t }} INSERT {{ ?o dcterms:title \"Monthly reports\"@en }} "
                        f"WHERE {{ BIND(<{PLAN}/obiettivo/2.1_0001> AS ?o) ?o dcterms:title ?t }}", 1, SH.Violation),
    "Assignment-targetKind": ("DELETE { ?a piao:targetKind piao:NumberTarget } INSERT { ?a piao:targetKind piao:OtherTarget } "
                              "WHERE { ?a a piao:IndicatorAssignment ; piao:targetKind piao:NumberTarget ; piao:targetValue 12 }",
                              1, SH.Violation),
    "AnnualTarget-kind": ("DELETE { ?a piao:targetKind piao:NumberTarget } INSERT { ?a piao:targetKind piao:OtherTarget } "
                          "WHERE { ?a a piao:AnnualTarget ; piao:targetKind piao:NumberTarget ; piao:targetValue 12 }",
                          1, SH.Violation),
    "Objective-code": ("DELETE { ?o dcterms:identifier \"1.1_0002\" } INSERT { ?o dcterms:identifier \"1.1_0002 \" } "
                       "WHERE { ?o dcterms:identifier \"1.1_0002\" }", 1, SH.Violation),
    "Assignment-indicator": ("DELETE WHERE { ?a piao:indicator ?i . ?i dcterms:identifier \"104\" }", 1, SH.Violation),
    "Plan-year": (f"DELETE {{ <{PLAN}> piao:year ?y }} INSERT {{ <{PLAN}> piao:year 2024 }} WHERE {{ <{PLAN}> piao:year ?y }}",
                  1, SH.Violation),
    "Plan-title": (f"DELETE WHERE {{ <{PLAN}> dcterms:title ?t }}", 1, SH.Violation),
    "Ente-ipa": ("DELETE { ?e cov:IPAcode ?c } INSERT { ?e cov:IPAcode \"C D150\" } WHERE { ?e cov:IPAcode ?c }", 1, SH.Violation),
    "SourceRow-line": ("DELETE { ?r piao:lineNumber 2 } INSERT { ?r piao:lineNumber 0 } WHERE { ?r piao:lineNumber 2 }",
                       1, SH.Violation),
    "Dirigente-name": ("DELETE WHERE { ?p foaf:name \"BIANCHI ANNA\" }", 1, SH.Violation),
    "Incarico-role": ("DELETE { ?m org:role piao:Dirigente } WHERE { ?m org:role piao:Dirigente ; org:organization ?s . "
                      "?s skos:prefLabel \"Settore Beta\"@it }",
                      1, SH.Violation),
    "Settore-name": ("INSERT { ?s skos:prefLabel \"Settore B\"@it } WHERE { ?s skos:prefLabel \"Settore Beta\"@it }",
                     1, SH.Violation),
    "SourceDocument-section": ("INSERT { ?d piao:section \"Obiettivi\" } WHERE { ?d a piao:SourceDocument }",
                               1, SH.Violation),
    "Assignment-formulaText": ("DELETE { ?f piao:formulaText ?t } INSERT { ?f piao:formulaText \"Numero di report\" } "
                               "WHERE { ?f piao:formulaText ?t FILTER (STR(?t) = \"Numero di report\") }", 1, SH.Violation),
    "Indicator-title": ("DELETE { ?i dcterms:title ?t } INSERT { ?i dcterms:title \"Monthly reports\"@en } "
                        "WHERE { ?i dcterms:identifier \"104\" ; dcterms:title ?t }", 1, SH.Violation),
}


# rule -> an update giving one focus node a second value, against the rule's sh:maxCount (counted from the path's own
# triples before the target is joined, see shacl_sparql): a predicate path, a sequence path (Assignment-formulaText),
# and a row with two line numbers, which WeightsTotal100 also reports (its weight is counted once per line).
MAX_COUNT_CASES = {
    "Ente-istat": 'INSERT { ?e piao:istatCode "019036", "019037" } WHERE { ?e a org:FormalOrganization }',
    "PlanVersion-issued": 'INSERT { ?v dcterms:issued "2024-01-31"^^xsd:date, "2024-03-31"^^xsd:date } '
                          'WHERE { ?v a piao:PlanVersion }',
    "Assignment-formulaText": 'INSERT { ?f piao:formulaText "Numero dei report"@it } '
                              'WHERE { ?f piao:formulaText ?t FILTER (STR(?t) = "Numero di report") }',
    "SourceRow-line": "INSERT { ?r piao:lineNumber 40 } WHERE { ?r piao:lineNumber 2 }",
}


def graph_of_table(text: str, tmp_path: Path) -> Graph:
    source = tmp_path / "plan.csv"
    source.write_text(text, encoding="utf-8")
    return plan_to_graph(read_plan_table(source))


def rules(graph: Graph, engine: Engine) -> Counter:
    report = validate_graph(graph, engine)
    return Counter((finding.rule.split("#")[-1], finding.severity) for finding, _ in report.findings)


def comparable(graph: Graph, engine: Engine) -> set:
    report = validate_graph(graph, engine)
    return {(finding.focus, finding.rule, finding.severity, finding.component) for finding, _ in report.findings}


@pytest.fixture(scope="module")
def clean_text() -> str:
    return CLEAN.read_text(encoding="utf-8")


@pytest.mark.parametrize("engine", list(Engine))
def test_clean_fixture_conforms(engine, tmp_path, clean_text):
    assert rules(graph_of_table(clean_text, tmp_path), engine) == Counter()


@pytest.mark.parametrize("rule", sorted(TABLE_CASES))
def test_rule_broken_in_the_table(rule, tmp_path, clean_text):
    edit, expected, severity = TABLE_CASES[rule]
    graph = graph_of_table(edit(clean_text), tmp_path)
    assert rules(graph, Engine.oxigraph) == Counter({(rule, severity): expected})
    assert comparable(graph, Engine.oxigraph) == comparable(graph, Engine.pyshacl)


@pytest.mark.parametrize("rule", sorted(GRAPH_CASES))
def test_rule_broken_in_the_graph(rule, tmp_path, clean_text):
    update, expected, severity = GRAPH_CASES[rule]
    graph = graph_of_table(clean_text, tmp_path)
    before = len(graph)
    graph.update(PREFIXES + update)
    assert len(graph) != before or "INSERT" in update, "the update changed nothing"
    assert rules(graph, Engine.oxigraph) == Counter({(rule, severity): expected})
    assert comparable(graph, Engine.oxigraph) == comparable(graph, Engine.pyshacl)


@pytest.mark.parametrize("rule", sorted(MAX_COUNT_CASES))
def test_second_value_breaks_max_count(rule, tmp_path, clean_text):
    graph = graph_of_table(clean_text, tmp_path)
    before = len(graph)
    graph.update(PREFIXES + MAX_COUNT_CASES[rule])
    assert len(graph) > before, "the update added nothing"
    found = comparable(graph, Engine.oxigraph)
    assert (rule, "MaxCountConstraintComponent") in {(str(rule_found).split("#")[-1], str(component).split("#")[-1])
                                                     for _, rule_found, _, component in found}
    assert found == comparable(graph, Engine.pyshacl)


def test_example_genuine_problems_through_the_cli(run_cli):
    """Cremona's plan: indicator 878 is yes/no with target 100; objective 978_0005 cites PNRR without a code."""
    result = run_cli("validate", EXAMPLE, "--format", "json", "--lang", "en")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    found = {(item["rule"], item["objective_code"], tuple(item["lines"]), item["value"]) for item in report["results"]}
    assert found == {
        ("BooleanTarget01", "978_0005", (95,), "100"),
        ("PnrrWithoutCode", "978_0005", (95,),
         "Allineamento sistema monitoraggio PNRR con linee guida trasversali ai Ministeri, anticipate all'insediamento della cabina di regia"),
    }
    assert report["counts"] == {"violation": 1, "warning": 1, "info": 0}
    assert {problem["code"] for problem in report["reading_problems"]} == {"pnrr-code-not-in-scheme", "realigned-row"}


def test_duplicate_objective_code_reports_both_lines(run_cli, tmp_path, clean_text):
    source = tmp_path / "plan.csv"
    source.write_text(clean_text.replace(";2.1_0001;", ";1.1_0002;"), encoding="utf-8")
    result = run_cli("validate", source, "--format", "json", "--lang", "en")
    assert result.exit_code == 1
    (duplicate,) = [item for item in json.loads(result.stdout)["results"] if item["rule"] == "ObjectiveCodeUnique"]
    assert duplicate["message"] == "Objective code 1.1_0002 is used by several objectives, at lines 4, 5"
    assert duplicate["focus"] == PLAN


def test_duplicate_objective_code_in_a_workbook_names_the_sheet(run_cli, tmp_path, clean_text):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Obiettivi 2024"
    for line in clean_text.replace(";2.1_0001;", ";1.1_0002;").splitlines():
        sheet.append(line.split(";"))
    source = tmp_path / "plan.xlsx"
    book.save(source)
    messages = {}
    for lang in ("en", "it"):
        result = run_cli("validate", source, "--format", "json", "--lang", lang)
        assert result.exit_code == 1, result.output
        (duplicate,) = [item for item in json.loads(result.stdout)["results"] if item["rule"] == "ObjectiveCodeUnique"]
        messages[lang] = duplicate["message"]
    assert messages == {
        "en": "Objective code 1.1_0002 is used by several objectives, at lines 4 (sheet Obiettivi 2024), "
              "5 (sheet Obiettivi 2024)",
        "it": "Il codice obiettivo 1.1_0002 è usato da più obiettivi, alle righe 4 (foglio Obiettivi 2024), "
              "5 (foglio Obiettivi 2024)"}


def test_example_engines_agree():
    graph = plan_to_graph(read_plan_table(EXAMPLE))
    assert comparable(graph, Engine.oxigraph) == comparable(graph, Engine.pyshacl)


def test_text_report_names_file_line_rule_and_value(run_cli, tmp_path):
    converted = tmp_path / "cremona.ttl"
    run_cli("convert", EXAMPLE, "-o", converted)
    italian = run_cli("validate", converted)
    assert italian.exit_code == 1
    assert ("violazione: cremona-piao-2024-2026-obiettivi.txt:95: Target sì/no vale 0 o 1 — L'indicatore 878 è sì/no "
            "(1 = fatto, 0 = non fatto) ma il target 2024 è 100, non 0 o 1 (valore: «100»)") in italian.stdout
    assert "Obiettivo 978_0005 — Allineamento sistema monitoraggio PNRR" in italian.stdout
    assert "Riepilogo: 1 violazione, 1 avviso, 0 note — non conforme" in italian.stdout
    english = run_cli("validate", converted, "--lang", "en")
    assert "warning: cremona-piao-2024-2026-obiettivi.txt:95: PNRR mentioned without a code" in english.stdout
    assert "Summary: 1 violation, 1 warning, 0 notes — does not conform" in english.stdout


def test_turtle_report_is_a_shacl_validation_report(run_cli):
    result = run_cli("validate", EXAMPLE, "--format", "ttl")
    report = Graph().parse(data=result.stdout, format="turtle")
    (root,) = report.subjects(URIRef(str(SH) + "conforms"), None)
    assert len(list(report.objects(root, SH.result))) == 2
    assert (None, SH.sourceConstraint, URIRef("https://w3id.org/piao-lod/shapes#BooleanTarget01")) in report


def test_warnings_alone_exit_zero(run_cli, tmp_path, clean_text):
    source = tmp_path / "plan.csv"
    source.write_text(clean_text.replace(";Numero di report;", ";;"), encoding="utf-8")
    result = run_cli("validate", source)
    assert result.exit_code == 0, result.output
    assert "avviso" in result.stdout


def test_unusable_input_exits_two(run_cli, tmp_path):
    broken = tmp_path / "broken.ttl"
    broken.write_text("<a> <b> .\n", encoding="utf-8")
    result = run_cli("validate", broken)
    assert result.exit_code == 2
    assert "broken.ttl" in result.output and "RDF non valido" in result.output
    assert "Traceback" not in result.output


def test_weights_count_an_indicator_with_two_codes_once_and_name_its_codes_in_order(run_cli, tmp_path, clean_text):
    """An indicator with two codes is one weight on one line: it counts once in the total (it was counted once per
    code) and its codes come in the order of their text, not in the order a join gave, which depends on what else
    the store holds (it differed between ``--workers 1`` and ``2`` on a corpus)."""
    graph = graph_of_table(clean_text.replace("Misurare la pista;1.200;40", "Misurare la pista;1.200;30"), tmp_path)
    graph.update(PREFIXES + 'INSERT { ?i dcterms:identifier ?second } WHERE { ?i a piao:Indicator ; '
                 'dcterms:identifier ?code BIND (CONCAT(?code, "-bis") AS ?second) }')
    data = tmp_path / "plan.ttl"
    graph.serialize(data, format="turtle")
    messages = []
    for inputs in ((data,), (EXAMPLE, data), (data, EXAMPLE)):
        result = run_cli("validate", *inputs, "--format", "json", "--lang", "en")
        assert result.exit_code == 1, result.output
        messages.append([item["message"] for item in json.loads(result.stdout)["results"]
                         if item["rule"] == "WeightsTotal100" and "indicator 101/101-bis," in item["message"]])
    assert messages[0] == messages[1] == messages[2]
    (message,) = messages[0]
    assert message.startswith("The weights of the objective's indicators total 90, not 100: ")
    assert "(indicator 101/101-bis, line 2)" in message and message.count("101-bis") == 1


def test_objective_weights_count_an_objective_with_two_codes_once(run_cli, tmp_path, clean_text):
    """The objectives of a settore total their weights once each, whatever the number of codes an objective has (it
    was counted once per code)."""
    graph = graph_of_table(clean_text, tmp_path)
    graph.update(PREFIXES + 'INSERT { ?o dcterms:identifier ?second ; piao:weight 50 } WHERE { ?o a piao:Objective ; '
                 'dcterms:identifier ?code BIND (CONCAT(?code, "-bis") AS ?second) }')
    data = tmp_path / "plan.ttl"
    graph.serialize(data, format="turtle")
    result = run_cli("validate", data, "--format", "json", "--lang", "en")
    totals = [item["message"] for item in json.loads(result.stdout)["results"] if item["rule"] == "ObjectiveWeightsTotal100"]
    assert totals, result.stdout
    for message in totals:
        parts = message.split(": ", 1)[1].split(" + ")
        assert f"total {50 * len(parts)}, not 100" in message, message
        assert all(part.count("/") == 1 and part.count("-bis") == 1 for part in parts), message
