"""The bundled Comune di Cremona PIAO 2024–2026 table, converted through the CLI."""

from __future__ import annotations

import hashlib

import subprocess
import sys
from collections import Counter
from decimal import Decimal

import pytest
from rdflib import DCTERMS, FOAF, ORG, RDF, SKOS, XSD, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from conftest import EXAMPLE
from piao_lod import plan_to_graph, read_plan_table
from piao_lod.namespaces import PIAO, PNRR
from piao_lod.resources import packaged

BASE = "https://w3id.org/piao-lod/id/"
PLAN = URIRef(BASE + "c_d150/piano/2024")
VERSION = f"{PLAN}/versione/aggiornamento-{hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()[:8]}"   # says no date

EXPECTED_PNRR = {
    "1.3.2_0003": "M5C2-I2.1",
    "2.1.2_0003": "M5C2-I2.3",
    "3.1.4_0003": "M5C2-I2.3",
    "3.4.1_0002": "M5C2-I2.3",
    "2.2.3_0002": "M5C2-I2.3",
    "2.2.4_0003": "M5C2-I2.1",
    "2.2.4_0004": "M5C2-I2.1",  # written M5C2-I2.1.2, a sub-code the PNRR scheme does not have
    "3.3.2_0004": "M5C2-I2.3",
}


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """The example converted once by the CLI, as (exit code, stderr, graph)."""
    out = tmp_path_factory.mktemp("convert") / "cremona.ttl"
    result = subprocess.run(
        [sys.executable, "-m", "piao_lod", "convert", str(EXAMPLE), "-o", str(out), "--lang", "en"],
        capture_output=True, text=True, check=False,
    )
    graph = Graph().parse(out) if out.exists() else Graph()
    return result.returncode, result.stderr, graph


def count(graph: Graph, rdf_type: URIRef) -> int:
    return len(set(graph.subjects(RDF.type, rdf_type)))


def test_example_converts_with_its_data_problems_reported(converted):
    exit_code, stderr, _ = converted
    assert exit_code == 1, stderr
    assert "Traceback" not in stderr
    assert "cremona-piao-2024-2026-obiettivi.txt:95 [Titolo Obiettivo, column 3]: warning" in stderr
    assert "[pnrr-without-code]" in stderr
    assert ":45 [Titolo Obiettivo, column 3]: warning: PNRR code M5C2-I2.1.2 is not in the PNRR scheme" in stderr
    assert stderr.count("[realigned-row]") == 4
    assert "37 objectives, 67 indicator rows" in stderr


def test_example_counts(converted):
    _, stderr, graph = converted
    assert count(graph, PIAO.Objective) == 37
    assert count(graph, PIAO.IndicatorAssignment) == 67
    assert count(graph, PIAO.Indicator) == 28
    assert count(graph, ORG.OrganizationalUnit) == 14
    assert count(graph, FOAF.Person) == 14
    assert count(graph, ORG.Membership) == 14
    assert count(graph, PIAO.Plan) == 1


def assignment(graph: Graph, objective_code: str, indicator_code: str) -> URIRef:
    return URIRef(f"{PLAN}/obiettivo/{objective_code}/indicatore/{indicator_code}")


def test_italian_thousands_separator_target(converted):
    _, _, graph = converted
    node = assignment(graph, "1.3.2_0003", "844")
    assert graph.value(node, PIAO.targetValue) == Literal(3800, datatype=XSD.integer)
    assert graph.value(node, PIAO.targetAsWritten) == Literal("3.800")
    assert graph.value(node, PIAO.targetKind) == PIAO.NumberTarget
    assert graph.value(node, PIAO.weight) == Literal(50)
    assert graph.value(node, PIAO.indicator) == URIRef(BASE + "c_d150/indicatore/844")


def test_target_kinds(converted):
    _, _, graph = converted
    assert graph.value(assignment(graph, "1.3.2_0003", "774"), PIAO.targetKind) == PIAO.PercentageTarget
    for objective, indicator in [("2.1.2_0003", "781"), ("2.2.3_0002", "773"), ("979_0004", "882")]:
        # three spellings: "1 = fatto 0 = non fatto", "1 = fatto / 0 = non fatto", "1= fatto 0= non fatto"
        assert graph.value(assignment(graph, objective, indicator), PIAO.targetKind) == PIAO.BooleanTarget
    kinds = Counter(kind for node, kind in graph.subject_objects(PIAO.targetKind)
                    if (node, RDF.type, PIAO.IndicatorAssignment) in graph)
    assert kinds == {PIAO.BooleanTarget: 29, PIAO.NumberTarget: 29, PIAO.PercentageTarget: 9}
    yearly = Counter(kind for node, kind in graph.subject_objects(PIAO.targetKind)
                     if (node, RDF.type, PIAO.AnnualTarget) in graph)
    assert yearly == kinds                       # one target per assignment, for the plan's year


def test_latex_formulas_survive_verbatim_with_plain_text(converted, example_path):
    _, _, graph = converted
    source = example_path.read_text(encoding="utf-8")
    for indicator in ("838", "839"):
        formula = graph.value(assignment(graph, "989_0003", indicator), PIAO.formula)
        written = str(graph.value(formula, PIAO.formulaAsWritten))
        assert written.startswith("$(\\text{") and written.endswith("* 100$")
        assert written in source
        plain = str(graph.value(formula, PIAO.formulaText))
        assert "\\text" not in plain and "$" not in plain
        assert plain.startswith("(") and "anno precedente" in plain
        assert graph.value(formula, DCTERMS.format) == Literal("application/x-latex")


def test_pnrr_objectives_link_to_their_measures(converted):
    _, _, graph = converted
    linked = {
        str(graph.value(objective, DCTERMS.identifier)): str(measure).removeprefix(str(PNRR))
        for objective, measure in graph.subject_objects(PIAO.pnrrMeasure)
    }
    assert linked == EXPECTED_PNRR
    as_written = graph.value(URIRef(f"{PLAN}/obiettivo/2.2.4_0004"), PIAO.pnrrCodeAsWritten)
    assert as_written == Literal("M5C2-I2.1.2")
    # a title that only mentions PNRR is never linked to a guessed measure
    assert graph.value(URIRef(f"{PLAN}/obiettivo/978_0005"), PIAO.pnrrMeasure) is None


def test_settore_dates_are_data_not_names(converted):
    _, _, graph = converted
    settore = URIRef(BASE + "c_d150/settore/settore-mobilita-sostenibile-verde-pubblico-protezione-civile")
    assert graph.value(settore, SKOS.prefLabel) == Literal(
        "Settore Mobilità Sostenibile, Verde Pubblico, Protezione Civile", lang="it")
    incarico = URIRef(f"{PLAN}/incarico/stoppa-emanuele/settore-mobilita-sostenibile-verde-pubblico-protezione-civile")
    assert graph.value(incarico, ORG.member) == URIRef(BASE + "c_d150/dirigente/stoppa-emanuele")
    assert graph.value(incarico, ORG.organization) == settore
    start = graph.value(graph.value(graph.value(incarico, ORG.memberDuring), URIRef("http://www.w3.org/2006/time#hasBeginning")),
                        URIRef("http://www.w3.org/2006/time#inXSDDate"))
    assert start == Literal("2024-01-01", datatype=XSD.date)
    # "(01/04/24)" without "dal" is read too
    viani = URIRef(f"{PLAN}/incarico/viani-paolo/settore-entrate-tributarie-servizi-demografici-cimiteriali-e-statistica")
    assert graph.value(viani, PIAO.settoreAsWritten) == Literal(
        "Settore Entrate Tributarie, Servizi Demografici, Cimiteriali e Statistica (01/04/24)")
    assert (viani, ORG.memberDuring, None) in graph


def test_ente_identified_by_ipa_with_istat_and_city(converted):
    _, _, graph = converted
    ente = URIRef(BASE + "c_d150")
    assert graph.value(ente, PIAO.istatCode) == Literal("019036")
    assert graph.value(ente, DCTERMS.spatial) == URIRef(
        "https://w3id.org/italia/controlled-vocabulary/territorial-classifications/cities/019036-(1948-01-01)")
    assert graph.value(PLAN, PIAO.year) == Literal("2024", datatype=XSD.gYear)


def test_every_resource_records_its_source_line(converted):
    _, _, graph = converted
    from rdflib import PROV
    for rdf_type in (PIAO.Objective, PIAO.IndicatorAssignment, PIAO.Indicator, ORG.Membership):
        for node in graph.subjects(RDF.type, rdf_type):
            rows = list(graph.objects(node, PROV.wasDerivedFrom))
            assert rows, node
            for row in rows:
                assert graph.value(row, PIAO.lineNumber) is not None
                assert graph.value(graph.value(row, PIAO.inDocument), PIAO.fileName) == Literal(EXAMPLE.name)
    row = graph.value(URIRef(f"{PLAN}/obiettivo/1.3.2_0003/indicatore/844"), PROV.wasDerivedFrom)
    assert graph.value(row, PIAO.lineNumber) == Literal(24)


def source_table_rows(graph: Graph) -> dict[int, Counter]:
    query = (packaged("queries") / "source-table.rq").read_text(encoding="utf-8")
    dataset = Dataset()
    for triple in graph:
        dataset.graph(URIRef(VERSION)).add(triple)
    rebuilt: dict[int, Counter] = {}
    for result in dataset.query(query):
        cells = [value for name, value in result.asdict().items() if name not in ("file", "line")]
        rebuilt[int(result.line)] = Counter(str(cell).strip() for cell in cells if str(cell).strip())
    return rebuilt


def test_nothing_lost_every_source_cell_reads_back_from_the_graph(converted, example_path):
    """Rebuild the table from RDF and compare it with the source, cell by cell, line by line."""
    _, _, graph = converted
    rebuilt = source_table_rows(graph)
    header_fields = {"Settore", "Codice Obiettivo", "Titolo Obiettivo", "Target Atteso", "Peso"}
    compared = 0
    for number, line in enumerate(example_path.read_text(encoding="utf-8").split("\n"), start=1):
        if "\t" not in line:
            continue
        cells = Counter(cell.strip() for cell in line.split("\t") if cell.strip())
        if header_fields <= set(cells):
            continue
        assert rebuilt.get(number) == cells, f"line {number}: source {dict(cells)} != graph {dict(rebuilt.get(number, {}))}"
        compared += 1
    assert compared == 67  # one data line per indicator row


def test_nothing_lost_prose_statements(converted, example_path):
    _, _, graph = converted
    names = {str(name) for name in graph.objects(None, FOAF.name)}
    dirigenti = {line.split(":", 1)[1].strip() for line in example_path.read_text(encoding="utf-8").splitlines()
                 if line.startswith("DIRIGENTE:")}
    assert names == dirigenti and len(names) == 14
    source = URIRef(f"{VERSION}/fonte")
    assert graph.value(source, DCTERMS.title) == Literal("Piano Integrato di Attività e Organizzazione (PIAO) 2024 – 2026", lang="it")
    assert graph.value(source, PIAO.section) == Literal("AGGIORNAMENTO PIANO DEGLI OBIETTIVI 2024", lang="it")


def test_output_is_byte_identical_across_runs_and_hash_seeds(tmp_path):
    outputs = {}
    for fmt in ("ttl", "nt", "jsonld", "trig"):
        for seed in ("1", "2"):
            out = tmp_path / f"{seed}.{fmt}"
            subprocess.run([sys.executable, "-m", "piao_lod", "convert", str(EXAMPLE), "-o", str(out), "--lang", "en"],
                           env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"}, capture_output=True, check=False)
            outputs[seed, fmt] = out.read_bytes()
        assert outputs["1", fmt] == outputs["2", fmt], fmt
        assert len(outputs["1", fmt]) > 100_000


def test_all_formats_hold_the_same_graph(tmp_path, run_cli):
    graphs = {}
    for fmt in ("ttl", "nt", "jsonld", "trig", "nq"):
        out = tmp_path / f"plan.{fmt}"
        result = run_cli("convert", EXAMPLE, "-o", out)
        assert result.exit_code == 1, result.output
        if fmt in ("trig", "nq"):
            dataset = Dataset()
            dataset.parse(out, format={"trig": "trig", "nq": "nquads"}[fmt])
            assert {str(graph.identifier) for graph in dataset.graphs() if len(graph)} == {str(PLAN), VERSION}
            graphs[fmt] = Graph()
            for name in (PLAN, URIRef(VERSION)):
                for triple in dataset.graph(name):
                    graphs[fmt].add(triple)
        else:
            graphs[fmt] = Graph().parse(out)
    reference = graphs.pop("ttl")
    for fmt, graph in graphs.items():
        assert isomorphic(reference, graph), fmt


def test_several_sources_become_one_named_graph_per_plan(tmp_path, run_cli):
    other_year = tmp_path / "cremona-2025-synthetic.txt"
    other_year.write_text(EXAMPLE.read_text(encoding="utf-8").replace("PIANO DEGLI OBIETTIVI 2024", "PIANO DEGLI OBIETTIVI 2025"),
                          encoding="utf-8")
    out = tmp_path / "two.trig"
    result = run_cli("convert", EXAMPLE, other_year, "-o", out)
    assert result.exit_code == 1, result.output
    dataset = Dataset()
    dataset.parse(out, format="trig")
    names = {str(graph.identifier) for graph in dataset.graphs() if len(graph) and "/versione/" in str(graph.identifier)}
    assert {name.split("/versione/")[0] for name in names} == {str(PLAN), BASE + "c_d150/piano/2025"}
    # indicators join across years: the same IRI in both plans' graphs
    indicator = URIRef(BASE + "c_d150/indicatore/844")
    for name in names:
        assert (indicator, RDF.type, PIAO.Indicator) in dataset.graph(URIRef(name))


def test_base_iri_option(tmp_path, run_cli):
    out = tmp_path / "plan.ttl"
    result = run_cli("convert", EXAMPLE, "-o", out, "--base", "https://dati.comune.cremona.it/piao")
    assert result.exit_code == 1, result.output
    graph = Graph().parse(out)
    assert (URIRef("https://dati.comune.cremona.it/piao/c_d150/piano/2024/obiettivo/1.3.2_0003"), RDF.type, PIAO.Objective) in graph
    bad = run_cli("convert", EXAMPLE, "-o", out, "--base", "not an iri")
    assert bad.exit_code == 2 and "--base deve essere un IRI http(s)" in bad.output


def test_stdout_output(run_cli):
    result = run_cli("convert", EXAMPLE, "--format", "nt")
    assert result.exit_code == 1
    assert Graph().parse(data=result.stdout, format="nt").__len__() > 2000


def test_python_api_mirrors_the_cli(converted):
    _, _, cli_graph = converted
    plan = read_plan_table(EXAMPLE)
    assert (plan.ente.ipa_code, plan.year, len(plan.objectives)) == ("c_d150", 2024, 37)
    assert isomorphic(plan_to_graph(plan), cli_graph)
    target = plan.objectives[0].assignments[1].target
    assert (target.raw, target.value) == ("3.800", 3800)
    assert {problem.code for problem in plan.problems} == {"pnrr-without-code", "pnrr-code-not-in-scheme", "realigned-row"}
    assert isinstance(read_plan_table(EXAMPLE).objectives[8].assignments[2].target.value, int)
    assert Decimal(str(plan.objectives[0].assignments[0].weight.value)) == 50
