"""The embedded store (``load``), SPARQL (``query``) and the saved queries, across years and comuni.

The store holds the real Cremona 2024 plan and two small synthetic plans
(``tests/data/queries/``): Cremona 2025 and the invented comune ``x_999999``.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from answers import (BASE, CREMONA_2025, OTHER_COMUNE, PLANS, comparable, is_ordered, json_rows, oxigraph_rows,
                     rdflib_dataset, rdflib_rows)
from conftest import EXAMPLE
from piao_lod.cli import app
from piao_lod.embedded_store import open_store_for_reading
from piao_lod.errors import QueryError
from piao_lod.graph_inputs import ONTOLOGY_GRAPH, PNRR_GRAPH, REFERENCE_GRAPHS, load_inputs
from piao_lod.query_parameters import bind_parameters
from piao_lod.plan_graph import plan_graph_name
from piao_lod.plan_table import read_plan_table
from piao_lod.saved_queries import parse_query, read_query_file, saved_queries, saved_query
from piao_lod.sparql_query import prepare, query_store, run_query

def version_graph(path: Path, **options) -> str:
    """The named graph a table's plan version is loaded into."""
    return plan_graph_name(read_plan_table(path, **options), BASE).value


PLAN_2024 = version_graph(EXAMPLE)          # the graphs of the plans' versions (one each here)
PLAN_2025 = version_graph(CREMONA_2025)
PLAN_OTHER = version_graph(OTHER_COMUNE)
PLAN_IRIS = {f"{BASE}c_d150/piano/2024", f"{BASE}c_d150/piano/2025", f"{BASE}x_999999/piano/2024"}
REQUIRED_SAVED_QUERIES = {"objectives-by-settore", "pnrr-indicators", "indicator-targets", "weights-not-100",
                          "dirigenti-over-time", "shared-pnrr-measures", "plan-counts", "graph-sizes", "source-table"}


def invoke(*args) -> object:
    return CliRunner().invoke(app, [str(arg) for arg in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    """The three plans loaded by the CLI into an on-disk store."""
    path = tmp_path_factory.mktemp("query") / "piao-store"
    result = invoke("load", *PLANS, "--store", path)
    assert result.exit_code == 1, result.output   # Cremona's two genuine data problems are reported
    assert "Traceback" not in result.output
    return path


def query_json(store_path: Path, *args) -> list[dict[str, str]]:
    result = invoke("query", *args, "--store", store_path, "--format", "json")
    assert result.exit_code == 0, result.output
    return json_rows(json.loads(result.stdout))


def graph_sizes(store_path: Path) -> dict[str, int]:
    return {row["graph"]: int(row["triples"]) for row in query_json(store_path, "graph-sizes")}


# -- load --------------------------------------------------------------------------------------------

def test_load_writes_one_graph_per_plan_and_the_reference_graphs(store_path):
    sizes = graph_sizes(store_path)
    assert set(sizes) == {PLAN_2024, PLAN_2025, PLAN_OTHER, *PLAN_IRIS, *(graph.value for graph in REFERENCE_GRAPHS)}
    assert all(count > 0 for count in sizes.values())


def test_loading_twice_gives_the_same_triple_count(tmp_path):
    path = tmp_path / "store"
    first = invoke("load", *PLANS, "--store", path)
    first_sizes = graph_sizes(path)
    second = invoke("load", *PLANS, "--store", path)
    assert first.exit_code == second.exit_code == 1, second.output
    assert graph_sizes(path) == first_sizes
    held = [re.findall(r"l'archivio contiene (\d+) triple", result.stderr) for result in (first, second)]
    assert held[0] and held[0] == held[1], first.stderr


def test_loading_a_version_again_replaces_its_graph(tmp_path):
    """A corrected document loaded as the same version (--version-name): the objective it dropped is gone,
    nothing is merged. (A different document without a version name is another version: tests/test_versions.py.)"""
    path = tmp_path / "store"
    assert invoke("load", OTHER_COMUNE, "--store", path, "--version-name", "originale").exit_code == 0
    shorter = tmp_path / "synthetic-x_999999-2024.csv"
    lines = OTHER_COMUNE.read_text(encoding="utf-8").splitlines()
    shorter.write_text("\n".join(line for line in lines if "1.1_0002" not in line) + "\n", encoding="utf-8")
    assert invoke("load", shorter, "--store", path, "--version-name", "originale").exit_code == 0
    codes = {row["objectiveCode"] for row in query_json(path, "objectives-by-settore")}
    assert codes == {"1.1_0001", "2.1_0001"}
    version = f"{BASE}x_999999/piano/2024/versione/originale"
    assert set(graph_sizes(path)) == {version, f"{BASE}x_999999/piano/2024", *(g.value for g in REFERENCE_GRAPHS)}


def graph_sizes_of(paths) -> dict[str, int]:
    loaded = load_inputs(paths, BASE)
    return {row[0]: int(row[1]) for row in oxigraph_rows(run_query(saved_query("graph-sizes"), store=loaded.store))}


def test_rdf_files_keep_their_graphs_or_go_to_the_plan_they_describe(tmp_path):
    both_trig, one_ttl, both_ttl = tmp_path / "both.trig", tmp_path / "one.ttl", tmp_path / "both.ttl"
    assert invoke("convert", CREMONA_2025, OTHER_COMUNE, "-o", both_trig).exit_code == 0
    assert invoke("convert", CREMONA_2025, "-o", one_ttl).exit_code == 0
    assert invoke("convert", CREMONA_2025, OTHER_COMUNE, "-o", both_ttl).exit_code == 0
    loaded = load_inputs([both_trig], BASE)
    assert {graph.value for graph in loaded.graphs} == {PLAN_2025, PLAN_OTHER}
    assert [graph.value for graph in load_inputs([one_ttl], BASE).graphs] == [PLAN_2025]
    # the triples of two plans in one Turtle file cannot be told apart: a graph named after the file
    assert [graph.value for graph in load_inputs([both_ttl], BASE).graphs] == [both_ttl.resolve().as_uri()]
    # the same plan from a table or from its RDF gives the same graph
    assert graph_sizes_of([one_ttl])[PLAN_2025] == graph_sizes_of([CREMONA_2025])[PLAN_2025]


def test_load_reports_unusable_inputs_and_loads_the_others(tmp_path):
    broken = tmp_path / "broken.ttl"
    broken.write_text("<a> <b> .", encoding="utf-8")
    path = tmp_path / "store"
    result = invoke("load", broken, OTHER_COMUNE, "--store", path)
    assert result.exit_code == 2
    assert re.search(r"broken\.ttl:\d+ \[colonna \d+\]: errore: RDF non valido: ", result.stderr), result.stderr
    assert "Traceback" not in result.output
    assert PLAN_OTHER in graph_sizes(path)


def test_load_refuses_a_folder_that_is_not_a_store(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = invoke("load", OTHER_COMUNE, "--store", tmp_path)
    assert result.exit_code == 2
    assert f"{tmp_path}: errore: non è uno store Oxigraph" in result.stderr
    assert sorted(item.name for item in tmp_path.iterdir()) == ["notes.txt"]


# -- saved queries: exact rows across years and comuni -----------------------------------------------

def test_every_saved_query_declares_title_description_and_parameters():
    names = {query.name for query in saved_queries()}
    assert REQUIRED_SAVED_QUERIES <= names
    for query in saved_queries():
        header = [line for line in query.text.splitlines() if line.startswith("#")][:3]
        assert [line.split(":", 1)[0] for line in header] == ["# title", "# description", "# parameters"], query.name
        assert query.title and query.description, query.name
        for parameter in query.parameters:
            assert f"?_{parameter.name}" in query.text, (query.name, parameter.name)


def test_every_saved_query_sorts_by_keys_of_one_type():
    """pyoxigraph 0.5.13 aborts the process (a Rust panic) when ORDER BY meets numbers and strings (or numbers and
    dates) together in a key, which RDF from another producer can hold in any column. So every sort key is
    ``STR(?x)``, or for a number ``xsd:decimal(?x)`` then ``STR(?x)``: one type each, the same order as before
    for the data piao-lod writes; each in a COALESCE, since rdflib cannot sort by a key that is unbound."""
    site_queries = sorted((Path(__file__).resolve().parents[1] / "queries" / "site").glob("*.rq"))
    queries = [*saved_queries(), *map(read_query_file, site_queries)]
    for query in queries:
        order = re.search(r"^ORDER BY (.*)$", query.text, re.MULTILINE)
        if order is None:
            continue
        keys = re.findall(r'\(COALESCE\(STR\(\?\w+\), ""\)\)|\(COALESCE\(xsd:decimal\(\?\w+\), -1e18\)\)|\S+',
                          order.group(1))
        assert all(key.startswith("(COALESCE(") for key in keys), (query.name, keys)
    mixed = " ".join(["3", "10", '"2"', '"9"', *(f'{n} "{n}"' for n in range(11, 60))])
    typed = ('PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> SELECT ?x WHERE { VALUES ?x { ' + mixed + ' } } '
             'ORDER BY (COALESCE(xsd:decimal(?x), -1e18)) (COALESCE(STR(?x), ""))')
    assert len(list(ox.Store().query(typed))) == 102


def test_counts_per_plan_version(store_path):
    answer = query_json(store_path, "plan-counts")
    assert all(r["version"] for r in answer)
    rows = [(r["ente"], r["year"], r["objectives"], r["assignments"], r["indicators"], r["settori"]) for r in answer]
    assert rows == [("c_d150", "2024", "37", "67", "28", "14"),
                    ("c_d150", "2025", "2", "4", "4", "2"),
                    ("x_999999", "2024", "3", "3", "3", "2")]


def test_one_indicator_across_years(store_path):
    rows = [(r["year"], r["objectiveCode"], r["target"], r["weight"]) for r in query_json(store_path, "indicator-targets")]
    assert rows == [("2024", "1.3.2_0003", "70", "50"), ("2024", "2.2.3_0002", "15", "70"),
                    ("2024", "2.2.4_0003", "15", "60"), ("2024", "2.2.4_0004", "40", "60"),
                    ("2024", "3.1.4_0003", "20", "70"), ("2024", "3.3.2_0004", "15", "50"),
                    ("2024", "3.4.1_0002", "50", "70"), ("2025", "1.3.2_0003", "100", "50")]


def test_indicator_codes_belong_to_their_ente(store_path):
    """Indicator 774 of x_999999 is not Cremona's 774: the parameters pick the ente."""
    rows = query_json(store_path, "indicator-targets", "--param", "ente=x_999999", "--param", "indicator=774")
    assert [(r["year"], r["objectiveCode"], r["target"]) for r in rows] == [("2024", "1.1_0001", "40")]
    assert query_json(store_path, "indicator-targets", "--param", "indicator=844") == [
        row for row in query_json(store_path, "indicator-targets", "-p", "indicator=844", "-p", "ente=c_d150")]
    assert [r["year"] for r in query_json(store_path, "indicator-targets", "-p", "indicator=844")] == ["2024", "2025"]


def test_objectives_whose_weights_do_not_total_100(store_path):
    """Also the regression for Oxigraph's union default graph being a bag (oxigraph#1919): the ente's
    triples sit in both Cremona plan graphs, and a plain SUM counted every weight twice (totals of 200)."""
    rows = query_json(store_path, "weights-not-100")
    assert [(r["ente"], r["year"], r["objectiveCode"], r["total"], r["indicators"]) for r in rows] == [
        ("c_d150", "2025", "5.1_0001", "90", "2")]


def test_two_comuni_on_the_same_pnrr_measure(store_path):
    rows = [(r["measure"], r["ente1"], r["year1"], r["objective1Code"], r["ente2"], r["year2"], r["objective2Code"])
            for r in query_json(store_path, "shared-pnrr-measures")]
    assert rows == [
        ("M5C2-I2.1", "c_d150", "2024", "1.3.2_0003", "x_999999", "2024", "1.1_0001"),
        ("M5C2-I2.1", "c_d150", "2024", "2.2.4_0003", "x_999999", "2024", "1.1_0001"),
        ("M5C2-I2.1", "c_d150", "2024", "2.2.4_0004", "x_999999", "2024", "1.1_0001"),
        ("M5C2-I2.1", "c_d150", "2025", "1.3.2_0003", "x_999999", "2024", "1.1_0001"),
        ("M5C2-I2.3", "c_d150", "2024", "2.1.2_0003", "x_999999", "2024", "2.1_0001"),
        ("M5C2-I2.3", "c_d150", "2024", "2.2.3_0002", "x_999999", "2024", "2.1_0001"),
        ("M5C2-I2.3", "c_d150", "2024", "3.1.4_0003", "x_999999", "2024", "2.1_0001"),
        ("M5C2-I2.3", "c_d150", "2024", "3.3.2_0004", "x_999999", "2024", "2.1_0001"),
        ("M5C2-I2.3", "c_d150", "2024", "3.4.1_0002", "x_999999", "2024", "2.1_0001"),
    ]  # x_999999's M1C1-I1.2 objective has no partner
    both = query_json(store_path, "shared-pnrr-measures", "-p", "ente1=c_d150", "-p", "ente2=x_999999")
    assert [(r["measure"], r["objective1Code"], r["objective2Code"]) for r in both] == [(row[0], row[3], row[6]) for row in rows]
    # one ente given: that comune against every other, on its side of the pair
    other_first = query_json(store_path, "shared-pnrr-measures", "-p", "ente1=x_999999")
    assert {(r["ente1"], r["ente2"]) for r in other_first} == {("x_999999", "c_d150")} and len(other_first) == 9
    assert query_json(store_path, "shared-pnrr-measures", "-p", "ente1=c_d150", "-p", "ente2=c_d150") == []


def test_pnrr_indicators_by_mission_component_and_measure(store_path):
    rows = [(r["mission"], r["component"], r["measure"], r["ente"], r["year"], r["objectiveCode"], r["indicatorCode"])
            for r in query_json(store_path, "pnrr-indicators")]
    assert [row for row in rows if row[3] == "x_999999"] == [
        ("M1", "M1C1", "M1C1-I1.2", "x_999999", "2024", "1.1_0002", "10"),
        ("M5", "M5C2", "M5C2-I2.1", "x_999999", "2024", "1.1_0001", "774"),
        ("M5", "M5C2", "M5C2-I2.3", "x_999999", "2024", "2.1_0001", "20"),
    ]
    assert [row for row in rows if row[4] == "2025"] == [
        ("M5", "M5C2", "M5C2-I2.1", "c_d150", "2025", "1.3.2_0003", "774"),
        ("M5", "M5C2", "M5C2-I2.1", "c_d150", "2025", "1.3.2_0003", "844"),
    ]
    cremona_2024 = {row[5] for row in rows if row[3] == "c_d150" and row[4] == "2024"}
    assert cremona_2024 == {"1.3.2_0003", "2.1.2_0003", "3.1.4_0003", "3.4.1_0002", "2.2.3_0002",
                            "2.2.4_0003", "2.2.4_0004", "3.3.2_0004"}
    assert len(rows) == 23


def test_dirigenti_and_their_settori_over_time(store_path):
    rows = [(r["dirigente"], r["year"], r["settore"], r.get("from")) for r in query_json(store_path, "dirigenti-over-time")]
    assert [row for row in rows if row[2] == "Settore Polizia Locale"] == [
        ("Iubini Luca", "2024", "Settore Polizia Locale", None),
        ("Rossi Mario", "2025", "Settore Polizia Locale", "2025-03-01"),
    ]
    stoppa = [row for row in rows if row[0] == "Stoppa Emanuele"]
    assert [(row[1], row[3]) for row in stoppa] == [("2024", "2024-01-01"), ("2025", None)]
    assert len(rows) == 14 + 2 + 2


def test_objectives_and_weights_per_settore(store_path):
    rows = query_json(store_path, "objectives-by-settore")
    polizia_2025 = [(r["objectiveCode"], r["indicatorCode"], r["weight"]) for r in rows
                    if r["year"] == "2025" and r["settore"] == "Settore Polizia Locale"]
    assert polizia_2025 == [("5.1_0001", "900", "60"), ("5.1_0001", "901", "30")]
    assert len(rows) == 67 + 4 + 3


def test_an_objective_of_a_mission_only_is_not_listed_under_every_programme(tmp_path):
    """Regression: the programme's names were an OPTIONAL outside the plans' side, so an objective with a
    mission and no programme matched every concept of the budget scheme (479 rows for one such objective)."""
    table = tmp_path / "missione-senza-programma.csv"
    table.write_text("Ente;Anno;Missione;Programma;Codice obiettivo;Obiettivo operativo;Settore;Peso obiettivo;Indicatore\n"
                     "x_000001;2026;01;;OB.1;Migrazione in cloud;Settore Innovazione;100;Servizi migrati\n"
                     "x_000001;2026;03;01;OB.2;Videosorveglianza;Settore Polizia Locale;100;Telecamere attive\n",
                     encoding="utf-8")
    result = invoke("query", "objectives-by-programme", "--data", table, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = [(r["mission"], r.get("programme"), r.get("programmeName"), r["objectiveCode"])
            for r in json_rows(json.loads(result.stdout))]
    assert rows == [("01", None, None, "OB.1"), ("03", "03.01", "Polizia locale e amministrativa", "OB.2")]


# -- the command: query forms, formats, errors -------------------------------------------------------

def test_list_shows_every_saved_query_with_its_parameters():
    result = invoke("query", "--list", "--lang", "en")
    assert result.exit_code == 0, result.output
    for query in saved_queries():
        assert f"{query.name} — {query.title}" in result.stdout
    assert "--param indicator=… (default 774): the indicator code" in result.stdout
    assert "--param ente=… (default c_d150)" in result.stdout
    assert "--param ente2=… (optional): the IPA code of the second ente" in result.stdout


def test_query_text_file_and_saved_name_give_the_same_answer(store_path, tmp_path):
    saved = saved_query("plan-counts")
    query_file = tmp_path / "counts.rq"
    query_file.write_text(saved.text, encoding="utf-8")
    by_name = query_json(store_path, "plan-counts")
    assert query_json(store_path, query_file) == by_name
    assert query_json(store_path, saved.text) == by_name


@pytest.mark.parametrize("fmt", ["csv", "tsv", "table"])
def test_result_formats(store_path, fmt):
    result = invoke("query", "plan-counts", "--store", store_path, "--format", fmt)
    assert result.exit_code == 0, result.output
    if fmt == "csv":   # SPARQL 1.1 CSV: plain values, CRLF line ends
        rows = list(csv.reader(io.StringIO(result.stdout)))
        assert rows[0] == ["ente", "year", "version", "objectives", "assignments", "indicators", "settori"]
        assert rows[1][:2] + rows[1][3:] == ["c_d150", "2024", "37", "67", "28", "14"]
    elif fmt == "tsv":  # SPARQL 1.1 TSV: variables with ?, terms in Turtle syntax
        lines = result.stdout.splitlines()
        assert lines[0].split("\t") == ["?ente", "?year", "?version", "?objectives", "?assignments", "?indicators", "?settori"]
        cells = lines[1].split("\t")
        assert cells[:2] + cells[3:4] == ['"c_d150"', '"2024"^^<http://www.w3.org/2001/XMLSchema#gYear>', "37"]
    else:
        lines = result.stdout.splitlines()
        assert lines[0].split() == ["ente", "year", "version", "objectives", "assignments", "indicators", "settori"]
        cells = lines[2].split()
        assert cells[:2] + cells[3:] == ["c_d150", "2024", "37", "67", "28", "14"]
        assert lines[-1] == "(3 righe)"              # in the language of --lang, Italian by default
        english = invoke("query", "plan-counts", "--store", store_path, "--format", fmt, "--lang", "en")
        assert english.stdout.splitlines()[-1] == "(3 rows)"


def test_ask_and_construct(store_path):
    ask = invoke("query", f"ASK {{ <{BASE}c_d150/piano/2025> a <https://w3id.org/piao-lod/ontology#Plan> }}", "--store", store_path)
    assert ask.exit_code == 0 and ask.stdout.split()[-1] == "true", ask.output
    construct = invoke("query", "PREFIX piao: <https://w3id.org/piao-lod/ontology#> "
                       "CONSTRUCT { ?plan piao:year ?year } WHERE { ?plan a piao:Plan ; piao:year ?year }",
                       "--store", store_path)
    assert construct.exit_code == 0, construct.output
    graph = ox.Store()
    graph.load(construct.stdout_bytes, format=ox.RdfFormat.TURTLE)
    assert len(graph) == 3
    wrong = invoke("query", "plan-counts", "--store", store_path, "--format", "ttl", "--lang", "en")
    assert wrong.exit_code == 2 and "--format ttl is for CONSTRUCT and DESCRIBE" in wrong.stderr


def test_bad_query_names_line_and_column(store_path, tmp_path):
    bad = tmp_path / "bad.rq"
    bad.write_text("# title: broken\nPREFIX piao: <https://w3id.org/piao-lod/ontology#>\nSELECT * WHERE {\n  ?s foo:bar ?o }\n",
                   encoding="utf-8")
    result = invoke("query", bad, "--store", store_path)
    assert result.exit_code == 2
    assert f"{bad}:4:" in result.stderr and "errore: SPARQL non valido" in result.stderr
    inline = invoke("query", "SELECT * WHERE { ?s ?p }", "--store", store_path)
    assert inline.exit_code == 2 and inline.stderr.startswith("QUERY:1:"), inline.stderr
    assert "Traceback" not in result.output + inline.output


@pytest.mark.parametrize("args, message", [
    (["no-such-query"], "no saved query has this name"),
    (["missing.rq"], "missing.rq: error: cannot read the query file"),
    (["graph-sizes", "--param", "year=2024"], "unknown parameter year; this query takes no parameter"),
    (["plan-counts", "--param", "anno=2024"], "unknown parameter anno; this query's parameters: ente, year"),
    (["indicator-targets", "--param", "indicator"], "--param takes name=value"),
    (["indicator-targets", "-p", "ente=a", "-p", "ente=b"], "--param ente given twice"),
    ([], "give a QUERY"),
    (["plan-counts", "--endpoint", "http://127.0.0.1:9/query", "--data", "x.csv"], "give one of --store, --data, --endpoint"),
])
def test_usage_errors_exit_2(store_path, args, message):
    args = [*args, "--lang", "en"]
    result = invoke("query", *args, "--store", store_path) if "--endpoint" not in args else invoke("query", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_missing_store_and_unreachable_endpoint_exit_2(tmp_path):
    missing = invoke("query", "plan-counts", "--store", tmp_path / "nowhere", "--lang", "en")
    assert missing.exit_code == 2 and "no store here; fill one first with: piao-lod load" in missing.stderr
    assert not (tmp_path / "nowhere").exists()
    unreachable = invoke("query", "plan-counts", "--endpoint", "http://127.0.0.1:9/query", "--lang", "en")
    assert unreachable.exit_code == 2 and "cannot reach the endpoint" in unreachable.stderr


def test_required_parameter_without_default(store_path, tmp_path):
    query_file = tmp_path / "by-code.rq"
    query_file.write_text("# title: t\n# description: d\n# parameters: code: an objective code\n"
                          "PREFIX dcterms: <http://purl.org/dc/terms/>\n"
                          "SELECT ?objective WHERE { ?objective dcterms:identifier ?_code }\n", encoding="utf-8")
    missing = invoke("query", query_file, "--store", store_path, "--lang", "en")
    assert missing.exit_code == 2 and "parameter code (an objective code) has no default: pass --param code=VALUE" in missing.stderr
    found = query_json(store_path, query_file, "--param", "code=5.1_0001")
    assert found == [{"objective": f"{BASE}c_d150/piano/2025/obiettivo/5.1_0001"}]


def test_parameter_values_cannot_change_the_query(store_path):
    """A value is one escaped literal: quotes, braces, comments and newlines stay inside it."""
    hostile = '774" } } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o } #\n'
    assert query_json(store_path, "indicator-targets", "--param", f"indicator={hostile}") == []
    query = saved_query("indicator-targets")
    bound = bind_parameters(query, {"indicator": hostile})
    assert bound.count("\n") == query.text.count("\n")  # bound on the line of WHERE's brace: positions kept
    assert 'VALUES (?_indicator ?_ente) { ("774\\" } } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o } #\\n" "c_d150") }' in bound
    assert graph_sizes(store_path)[PLAN_2024] > 0


def test_parameters_go_into_the_outermost_where_group():
    query = parse_query(
        "# parameters: code (default a{b}): a code\n"
        "PREFIX ex: <http://example.org/#{}>\n"
        "CONSTRUCT { ?s ex:p \"}\" } # WHERE {\n"
        "WHERE { ?s ex:code ?_code { SELECT ?s WHERE { ?s ex:q ?o } } }\n")
    bound = bind_parameters(query)
    assert 'WHERE { VALUES (?_code) { ("a{b}") } ?s ex:code ?_code { SELECT' in bound
    optional = parse_query("# parameters: code (optional): a code\nSELECT * WHERE { ?s ?p ?_code }")
    assert "VALUES (?_code) { (UNDEF) }" in bind_parameters(optional)
    assert 'VALUES (?_code) { ("x") }' in bind_parameters(optional, {"code": "x"})
    with pytest.raises(QueryError, match="forma breve"):
        bind_parameters(parse_query("# parameters: code (default x): c\nCONSTRUCT WHERE { ?s ?p ?_code }"))
    with pytest.raises(QueryError, match="sotto-select"):
        bind_parameters(parse_query("# parameters: code (default x): c\nSELECT * WHERE { SELECT ?s WHERE { ?s ?p ?_code } }"))


# -- --data and the Python API ------------------------------------------------------------------------

def test_data_files_in_memory_answer_like_the_store(store_path, tmp_path):
    from_store = query_json(store_path, "plan-counts")
    trig = tmp_path / "more.trig"
    assert invoke("convert", CREMONA_2025, OTHER_COMUNE, "-o", trig).exit_code == 0
    result = invoke("query", "plan-counts", "--data", EXAMPLE, "--data", trig, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json_rows(json.loads(result.stdout)) == from_store
    # the PNRR scheme is there too, so the hierarchy query works on files alone
    pnrr = invoke("query", "pnrr-indicators", "--data", OTHER_COMUNE, "--format", "json")
    assert len(json_rows(json.loads(pnrr.stdout))) == 3


def test_data_with_an_unusable_file_exits_2_without_answering(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    result = invoke("query", "plan-counts", "--data", OTHER_COMUNE, "--data", empty)
    assert result.exit_code == 2
    assert "empty.csv" in result.stderr and result.stdout == ""


def test_python_api(store_path):
    store = open_store_for_reading(store_path)
    answer = run_query(saved_query("indicator-targets"), {"indicator": "844"}, store=store)
    assert [row[0] for row in oxigraph_rows(answer)] == ["2024", "2025"]
    text, _ = prepare(saved_query("plan-counts"))
    assert len(oxigraph_rows(query_store(store, text))) == 3


def test_every_saved_query_gives_the_same_answer_on_oxigraph_and_rdflib(store_path):
    """rdflib's union default graph is a set; Oxigraph 0.5's is a bag. The saved queries are written so
    that it does not matter (each reads a plan version inside its own graph). These plans have one version
    each, so targets-changed has nothing to say here (tests/test_versions.py runs it on two versions)."""
    store = open_store_for_reading(store_path)
    dataset = rdflib_dataset(store)
    for query in saved_queries():
        text, _ = prepare(query)
        ours, theirs = oxigraph_rows(query_store(store, text)), rdflib_rows(dataset, text)
        assert comparable(ours, is_ordered(text)) == comparable(theirs, is_ordered(text)), query.name
        assert ours or query.name == "targets-changed", query.name


def test_a_query_that_aborts_oxigraph_is_an_error_not_a_silent_exit(tmp_path):
    """pyoxigraph 0.5.13 aborts the process (SIGABRT, exit 134, no message) on some ORDER BY keys that mix
    numbers and strings; ``query`` runs a query in a child process, so the user gets exit 2 and a message that
    says why and how to sort instead. Each text is one seeded shuffle of the same values: the sort aborts on
    some orders and not on others."""
    data = tmp_path / "one.ttl"
    data.write_text("<http://example.org/s> <http://example.org/p> 1 .\n", encoding="utf-8")
    values = [str(n) for n in range(1, 30)] + [f'"{n}"' for n in range(1, 15)] + [f'"abc{n}"' for n in range(10)]
    outcomes = []
    for seed in range(12):
        shuffled = values[:]
        random.Random(seed).shuffle(shuffled)
        text = f"SELECT ?x WHERE {{ VALUES ?x {{ {' '.join(shuffled)} }} }} ORDER BY ?x"
        result = CliRunner().invoke(app, ["query", text, "--data", str(data), "--format", "csv", "--lang", "en"])
        outcomes.append(result.exit_code)
        if result.exit_code == 0:
            assert len(result.stdout.splitlines()) == 1 + len(values)
        else:
            assert result.exit_code == 2, result.output
            assert "QUERY: error: the query stopped Oxigraph (it ended on signal SIGABRT" in result.stderr
            assert "does not correctly implement a total order" in result.stderr
            assert "sort by STR(?x)" in result.stderr
    assert 0 in outcomes and 2 in outcomes, outcomes


def test_a_query_process_that_dies_otherwise_is_said_without_the_order_by_advice():
    """Only Oxigraph's abort gets the ORDER BY advice; a child killed from outside says how it ended, and a bug in
    the child (an ordinary exception) is raised as itself, not reported as Oxigraph stopping."""
    import os
    import signal

    from piao_lod.errors import QueryError
    from piao_lod.query_isolation import answer_in_child

    with pytest.raises(QueryError) as killed:
        answer_in_child(lambda: os.kill(os.getpid(), signal.SIGKILL))
    message = killed.value.message("en")
    assert message == "the process running the query stopped (it ended on signal SIGKILL) before it answered"
    with pytest.raises(KeyError):
        answer_in_child(lambda: {}["missing"])
