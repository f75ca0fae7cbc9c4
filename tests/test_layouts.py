"""Layouts of PIAO tables besides Cremona's (tests/data/layouts/, synthetic, see its README): each is read
through the CLI and checked for counts, values, years, units, links, nothing lost, and its problems."""

from __future__ import annotations

import csv
import json
import re
import shutil

import pytest
from openpyxl import load_workbook
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, PROV, SKOS, XSD

from conftest import DATA

LAYOUTS = DATA / "layouts"
PIAO = Namespace("https://w3id.org/piao-lod/ontology#")
BASE = "https://w3id.org/piao-lod/id/"
UNIT = Namespace("http://qudt.org/vocab/unit/")
BILANCIO = "https://w3id.org/piao-lod/bilancio/"


def convert(run_cli, tmp_path, table, *options, expect=(0, 1)):
    out = tmp_path / "plan.ttl"
    result = run_cli("convert", table, "-o", out, "--lang", "en", *options)
    assert result.exit_code in expect, result.output
    return Graph().parse(out), result


def counts(graph: Graph) -> dict[str, int]:
    def instances(cls):
        return len(set(graph.subjects(RDF.type, cls)))
    return {"objectives": instances(PIAO.Objective), "assignments": instances(PIAO.IndicatorAssignment),
            "indicators": instances(PIAO.Indicator), "settori": instances(ORG.OrganizationalUnit),
            "dirigenti": instances(URIRef("http://xmlns.com/foaf/0.1/Person")),
            "years": instances(PIAO.AnnualTarget)}


def annual(graph: Graph, objective: str, indicator_key: str, year: int, plan: str) -> URIRef:
    return URIRef(f"{plan}/obiettivo/{objective}/indicatore/{indicator_key}/anno/{year}")


def by_title(graph: Graph, title: str, year: int) -> URIRef:
    """The target of ``year`` of the assignment whose indicator title is ``title``."""
    assignment = next(graph.subjects(PIAO.indicatorTitleAsWritten, Literal(title)))
    return next(node for node in graph.objects(assignment, PIAO.hasAnnualTarget)
                if int(graph.value(node, PIAO.targetYear)) == year)


def flat(text: str) -> str:
    return " ".join(str(text).split())


def assert_nothing_lost(graph: Graph, rows: list[tuple[int, list[str]]], skip_columns: set[int] = frozenset()):
    """Every non-empty cell of every row is in the graph: the row's cells exactly as written (piao:cells on its
    source row), and the cell's text as the value of some resource read from the table."""
    literals = {flat(value) for value in graph.objects() if isinstance(value, Literal)}
    cells_by_line = {}
    for row, cells in graph.subject_objects(PIAO.cells):
        line = int(graph.value(row, PIAO.lineNumber))
        cells_by_line.setdefault(line, []).append(json.loads(str(cells)))
    for line, cells in rows:
        trimmed = list(cells)
        while trimmed and not trimmed[-1].strip():
            trimmed.pop()
        if not trimmed:
            continue
        assert trimmed in cells_by_line.get(line, []), f"line {line}: cells not kept as written"
        for index, cell in enumerate(cells):
            if cell.strip() and index not in skip_columns:
                text = flat(cell)
                assert text in literals or any(text in literal for literal in literals), \
                    f"line {line}, column {index + 1}: {cell!r} is not in the graph"


def csv_rows(path, delimiter):
    with path.open(encoding="utf-8", newline="") as handle:
        return [(number, row) for number, row in enumerate(csv.reader(handle, delimiter=delimiter), start=1)]


# -- the DUP cascade: semicolon CSV with missioni, programmi, strategic objectives, units and yearly targets ------

DUP_PLAN = BASE + "x_valleverde/piano/2025"


def test_dup_cascade_layout(run_cli, tmp_path):
    table = LAYOUTS / "dup-cascade.csv"
    graph, result = convert(run_cli, tmp_path, table, "--ente", "x_valleverde", "--year", "2025", expect=(0,))
    assert counts(graph) == {"objectives": 5, "assignments": 11, "indicators": 11, "settori": 3, "dirigenti": 3,
                             "years": 29}
    objective = URIRef(f"{DUP_PLAN}/obiettivo/OB.01.08.01")
    assert graph.value(objective, DCTERMS.identifier) == Literal("OB.01.08.01")
    assert graph.value(objective, PIAO.budgetProgramme) == URIRef(BILANCIO + "programma/01.08")
    assert graph.value(objective, PIAO.budgetMission) == URIRef(BILANCIO + "missione/01")
    assert graph.value(objective, PIAO.weight) == Literal(60)
    strategic = graph.value(objective, PIAO.strategicObjective)
    assert graph.value(strategic, DCTERMS.title) == Literal("Amministrazione digitale e semplificazione", lang="it")
    assert set(graph.subjects(PIAO.strategicObjective, strategic)) == {objective, URIRef(f"{DUP_PLAN}/obiettivo/OB.01.11.02")}
    # programmes written "1" / "11" (numbers alone) join the scheme too
    assert graph.value(URIRef(f"{DUP_PLAN}/obiettivo/OB.01.11.02"), PIAO.budgetProgramme) == URIRef(BILANCIO + "programma/01.11")
    assignment = URIRef(f"{DUP_PLAN}/obiettivo/OB.01.08.01/indicatore/titolo-servizi-applicativi-migrati-sul-totale")
    assert graph.value(assignment, PIAO.unit) == UNIT.PERCENT
    assert (graph.value(assignment, PIAO.baselineValue), graph.value(assignment, PIAO.baselineYear)) == (
        Literal(20), Literal("2024", datatype=XSD.gYear))
    targets = {int(graph.value(node, PIAO.targetYear)): graph.value(node, PIAO.targetValue)
               for node in graph.objects(assignment, PIAO.hasAnnualTarget)}
    assert targets == {2025: Literal(60), 2026: Literal(80), 2027: Literal(100)}
    assert graph.value(assignment, PIAO.targetValue) == Literal(60)          # the plan year's target, on the assignment
    deadline = by_title(graph, "Data di completamento della migrazione dei servizi essenziali", 2025)
    assert graph.value(deadline, PIAO.targetDate) == Literal("2025-12-31", datatype=XSD.date)
    assert graph.value(deadline, PIAO.targetKind) == PIAO.DateTarget
    presidio = annual(graph, "OB.03.01.02", "titolo-presidio-serale-dei-quartieri-periferici", 2026, DUP_PLAN)
    assert (graph.value(presidio, PIAO.targetKind), graph.value(presidio, PIAO.targetValue)) == (PIAO.BooleanTarget, Literal(1))
    roads = annual(graph, "OB.10.05.03", "titolo-strade-riasfaltate", 2027, DUP_PLAN)
    assert graph.value(roads, PIAO.targetValue) == Literal("8.5", datatype=XSD.decimal)
    assert graph.value(URIRef(f"{DUP_PLAN}/obiettivo/OB.10.05.03/indicatore/titolo-strade-riasfaltate"), PIAO.unit) == UNIT.KiloM
    person = URIRef(BASE + "x_valleverde/dirigente/anna-bianchi")
    assert graph.value(person, URIRef("http://xmlns.com/foaf/0.1/title")) == Literal("Dott.ssa")
    commandant = URIRef(BASE + "x_valleverde/dirigente/marco-rossi")
    assert (graph.value(commandant, FOAF.title), graph.value(commandant, FOAF.name)) == (
        Literal("Comm."), Literal("Marco Rossi"))
    assert_nothing_lost(graph, csv_rows(table, ";")[1:])
    validated = run_cli("validate", table, "--ente", "x_valleverde", "--year", "2025", "--format", "json")
    assert validated.exit_code == 0, validated.stdout


def test_objective_weights_that_do_not_total_100_name_the_settore_rows_and_sum(run_cli, tmp_path):
    text = (LAYOUTS / "dup-cascade.csv").read_text(encoding="utf-8").replace(";Comm. Marco Rossi;30;", ";Comm. Marco Rossi;20;")
    table = tmp_path / "plan.csv"
    table.write_text(text, encoding="utf-8")
    result = run_cli("validate", table, "--ente", "x_valleverde", "--year", "2025", "--format", "json", "--lang", "en")
    report = json.loads(result.stdout)
    found = [r for r in report["results"] if r["rule"] == "ObjectiveWeightsTotal100"]
    assert len(found) == 1 and result.exit_code == 1
    assert found[0]["message"] == ("The weights of the objectives of Settore Polizia Locale total 90, not 100: "
                                   "70 (objective OB.03.01.02, line 7) + 20 (objective OB.03.02.01, line 9)")
    italian = run_cli("validate", table, "--ente", "x_valleverde", "--year", "2025")
    assert "70 (obiettivo OB.03.01.02, riga 7) + 20 (obiettivo OB.03.02.01, riga 9)" in italian.stdout


def test_unreadable_value_is_named_with_row_and_column(run_cli, tmp_path):
    text = (LAYOUTS / "dup-cascade.csv").read_text(encoding="utf-8").replace(";numero;12;30;45;60", ";numero;12;30;da definire;60")
    table = tmp_path / "plan.csv"
    table.write_text(text, encoding="utf-8")
    graph, result = convert(run_cli, tmp_path, table, "--ente", "x_valleverde", "--year", "2025", expect=(1,))
    assert (f"{table}:5 [Target 2026, column 14]: error: Target 2026 is not a number; kept as written "
            "(value: “da definire”) [unreadable-target]") in result.stderr
    node = annual(graph, "OB.01.11.02", "titolo-procedimenti-attivati-online", 2026, DUP_PLAN)
    assert graph.value(node, PIAO.targetAsWritten) == Literal("da definire")
    assert graph.value(node, PIAO.targetValue) is None


# -- an XLSX with merged cells, a two-row header, objective weights and no codes; and its CSV export ------------

MERGED_PLAN = BASE + "x_valleverde/piano/2025"


@pytest.mark.parametrize("name", ["piano-performance-merged.xlsx", "piano-performance-merged.csv"])
def test_merged_cells_layout_and_its_csv_export(name, run_cli, tmp_path):
    table = LAYOUTS / name
    graph, result = convert(run_cli, tmp_path, table, "--ente", "x_valleverde")
    assert result.exit_code == 1 and "[no-objective-code-column]" in result.stderr
    assert counts(graph) == {"objectives": 4, "assignments": 10, "indicators": 10, "settori": 2, "dirigenti": 2,
                             "years": 28}
    assert graph.value(URIRef(MERGED_PLAN), PIAO.year) == Literal("2025", datatype=XSD.gYear)
    objective = URIRef(f"{MERGED_PLAN}/obiettivo/titolo-anagrafe-digitale")
    assert graph.value(objective, DCTERMS.title) == Literal("Anagrafe digitale", lang="it")
    assert graph.value(objective, DCTERMS.identifier) is None
    assert graph.value(objective, PIAO.weight) == Literal(50)
    assert len(set(graph.objects(objective, PIAO.hasAssignment))) == 3
    online = URIRef(f"{MERGED_PLAN}/obiettivo/titolo-anagrafe-digitale/indicatore/titolo-certificati-rilasciati-online")
    indicator = graph.value(online, PIAO.indicator)
    assert indicator == URIRef(BASE + "x_valleverde/indicatore/titolo-certificati-rilasciati-online")
    assert graph.value(indicator, DCTERMS.identifier) is None
    assert {int(graph.value(node, PIAO.targetYear)): graph.value(node, PIAO.targetAsWritten)
            for node in graph.objects(online, PIAO.hasAnnualTarget)} == {2025: Literal("50%"), 2026: Literal("65%"),
                                                                        2027: Literal("80%")}
    assert (graph.value(online, PIAO.baselineAsWritten), graph.value(online, PIAO.baselineYear)) == (
        Literal("35%"), Literal("2024", datatype=XSD.gYear))
    census = URIRef(f"{MERGED_PLAN}/obiettivo/titolo-censimento-permanente/indicatore/titolo-consegna-dei-dati-all-istat/anno/2026")
    assert graph.value(census, PIAO.targetDate) == Literal("2026-03-31", datatype=XSD.date)
    settore = URIRef(BASE + "x_valleverde/settore/settore-servizi-demografici")
    assert set(graph.subjects(PIAO.ownedBy, settore)) == {objective, URIRef(f"{MERGED_PLAN}/obiettivo/titolo-censimento-permanente")}
    assert graph.value(URIRef(BASE + "x_valleverde/dirigente/roberto-galli"), URIRef("http://xmlns.com/foaf/0.1/title")) == Literal("Ing.")
    if name.endswith(".xlsx"):
        assert "sheet “Note metodologiche” holds no objectives table; not read [sheet-skipped]" in result.stderr
        sheet = load_workbook(table, data_only=True)["Obiettivi 2025"]
        rows = [(number, [str(value) if value is not None else "" for value in values])
                for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)]
        for merged in sheet.merged_cells.ranges:       # a merged cell's text is every row's it covers, as shown
            for number in range(merged.min_row + 1, merged.max_row + 1):
                rows[number - 1][1][merged.min_col - 1] = rows[merged.min_row - 1][1][merged.min_col - 1]
        rows = [(number, cells) for number, cells in rows if number >= 6]
    else:
        rows = csv_rows(table, ";")[5:]
    assert_nothing_lost(graph, rows)
    validated = run_cli("validate", table, "--ente", "x_valleverde", "--format", "json")
    report = json.loads(validated.stdout)
    assert [r for r in report["results"] if r["severity"] == "violation"] == [], validated.stdout


# -- a Relazione sulla performance: achieved values and achievement rates ------------------------------------

def test_achieved_values_layout(run_cli, tmp_path):
    table = LAYOUTS / "relazione-performance.csv"
    graph, result = convert(run_cli, tmp_path, table, "--ente", "x_montalto")
    plan = BASE + "x_montalto/piano/2024"
    assert graph.value(URIRef(plan), PIAO.year) == Literal("2024", datatype=XSD.gYear)
    assert counts(graph) == {"objectives": 4, "assignments": 7, "indicators": 7, "settori": 2, "dirigenti": 2,
                             "years": 7}
    node = URIRef(f"{plan}/obiettivo/A.1/indicatore/IND-102/anno/2024")
    assert (graph.value(node, PIAO.targetValue), graph.value(node, PIAO.achievedValue),
            graph.value(node, PIAO.achievementRate)) == (Literal(95), Literal(91), Literal("95.8", datatype=XSD.decimal))
    euro = URIRef(f"{plan}/obiettivo/A.2/indicatore/IND-104")
    assert graph.value(euro, PIAO.unit) == UNIT.CCY_EUR
    assert graph.value(URIRef(f"{euro}/anno/2024"), PIAO.achievedValue) == Literal("212500.5", datatype=XSD.decimal)
    assert f"{table}:3 [Note, column 13]: warning: column “Note” is not a plan field" in result.stderr
    assert_nothing_lost(graph, csv_rows(table, ",")[3:], skip_columns={12})   # Note: reported, kept in the row cells


# -- a layout the vocabulary cannot read: a profile maps it (bundled, or given with --profile) ------------------

def test_layout_that_needs_a_profile_is_read_by_the_bundled_one(run_cli, tmp_path):
    table = LAYOUTS / "attivita-e-misuratori.csv"
    graph, result = convert(run_cli, tmp_path, table, "--ente", "x_colle", expect=(0,))
    plan = BASE + "x_colle/piano/2025"
    assert counts(graph) == {"objectives": 4, "assignments": 6, "indicators": 6, "settori": 2, "dirigenti": 2,
                             "years": 6}
    objective = URIRef(f"{plan}/obiettivo/2.01")
    assert graph.value(graph.value(objective, PIAO.ownedBy), SKOS.prefLabel) == Literal("SERVIZI ALLA PERSONA", lang="it")
    node = URIRef(f"{plan}/obiettivo/2.01/indicatore/titolo-ore-di-assistenza-erogate/anno/2025")
    assert graph.value(node, PIAO.targetValue) == Literal(3500)
    inspected = run_cli("inspect", table, "--ente", "x_colle", "--lang", "en")
    assert inspected.exit_code == 0, inspected.stdout
    assert "Layout profile: Schede delle attività (bundled:schede-attivita.toml)" in inspected.stdout
    assert_nothing_lost(graph, [(n, row) for n, row in csv_rows(table, ";") if n >= 5 and row[1]])


def test_layout_that_needs_a_profile_stops_without_one_and_reads_with_one(run_cli, tmp_path):
    text = (LAYOUTS / "attivita-e-misuratori.csv").read_text(encoding="utf-8").replace("Algoritmo", "Calcolo")
    table = tmp_path / "attivita.csv"
    table.write_text(text, encoding="utf-8")
    result = run_cli("convert", table, "--ente", "x_colle", "-o", tmp_path / "x.ttl", "--lang", "en")
    assert result.exit_code == 2 and not (tmp_path / "x.ttl").exists()
    assert "no plan table found" in result.stderr and "“Attività programmata”" in result.stderr
    assert f"piao-lod inspect {table}" in result.stderr and "--profile" in result.stderr
    inspected = run_cli("inspect", table, "--ente", "x_colle", "--lang", "en")
    assert inspected.exit_code == 2
    assert "“Attività programmata” → not understood" in inspected.stdout
    starter = inspected.stdout[inspected.stdout.index("[profile]"):]
    assert '"Attività programmata" = "ignore"' in starter and '"1.01"' not in starter
    assert "“AREA 1 - SERVIZI GENERALI E FINANZIARI” (line 4)" in starter
    profile = tmp_path / "profile.toml"
    profile.write_text(starter.replace('"Attività programmata" = "ignore"', '"Attività programmata" = "objective_title"')
                       .replace('"Rif." = "ignore"', '"Rif." = "objective_code"')
                       .replace('"Misuratore" = "ignore"', '"Misuratore" = "indicator_title"')
                       .replace('"Soglia 2025" = "ignore"', '"Soglia 2025" = "target"')
                       .replace("# '^AREA", "'^AREA"), encoding="utf-8")
    graph, _ = convert(run_cli, tmp_path, table, "--ente", "x_colle", "--profile", profile)
    assert counts(graph)["objectives"] == 4 and counts(graph)["assignments"] == 6


@pytest.mark.parametrize("content, line, message", [
    ('[profile]\nname = "x"\n[columns]\n"Rif." = "codice"\n', 4, "maps to unknown field “codice”"),
    ('[profile]\nname = "x"\n[colonne]\n"Rif." = "objective_code"\n', 3, "unknown section [colonne]"),
    ('[profile]\nname = "x"\n[blocks]\n"^AREA (" = "settore"\n', 4, "not a valid regular expression"),
    ('[profile]\nname = x\n', 2, "not a valid TOML profile"),
])
def test_bad_profile_is_refused_with_its_file_and_line(run_cli, tmp_path, content, line, message):
    profile = tmp_path / "bad.toml"
    profile.write_text(content, encoding="utf-8")
    result = run_cli("convert", LAYOUTS / "dup-cascade.csv", "--ente", "x_v", "--profile", profile, "-o", tmp_path / "x.ttl",
                     "--lang", "en")
    assert result.exit_code == 2
    assert f"{profile}:{line}: error:" in result.stderr and message in result.stderr


# -- header problems ---------------------------------------------------------------------------------------------

def test_header_in_which_no_column_maps(run_cli, tmp_path):
    table = tmp_path / "plan.csv"
    table.write_text("Voce;Descrizione voce;Importo\nA;Uno;10\n", encoding="utf-8")
    result = run_cli("convert", table, "--ente", "x_v", "--year", "2025", "-o", tmp_path / "x.ttl", "--lang", "en")
    assert result.exit_code == 2
    assert "“Voce”, “Descrizione voce”, “Importo”" in result.stderr and "Objective title" in result.stderr
    assert "piao-lod inspect" in result.stderr


def test_two_columns_for_one_field_and_a_year_outside_the_triennium(run_cli, tmp_path):
    table = tmp_path / "plan.csv"
    table.write_text("Codice obiettivo;Obiettivo;Settore;Indicatore;Descrizione indicatore;Target 2025;Target 2031;Peso\n"
                     "1;Uno;Settore A;Pratiche;Pratiche evase;10;30;100\n", encoding="utf-8")
    graph, result = convert(run_cli, tmp_path, table, "--ente", "x_v", "--year", "2025")
    assert (f"{table}:1 [Descrizione indicatore, column 5]: warning: columns “Indicatore” and “Descrizione indicatore” "
            "both read as Indicator title; the values of “Indicatore” are used [duplicate-column]") in result.stderr
    assert (f"{table}:1 [Target 2031, column 7]: warning: column “Target 2031” is for 2031, outside the plan's "
            "triennium 2025–2027 [year-outside-triennium]") in result.stderr
    assert graph.value(URIRef(BASE + "x_v/piano/2025/obiettivo/1/indicatore/titolo-pratiche/anno/2031"),
                       PIAO.targetValue) == Literal(30)


def test_relative_years_and_a_header_over_two_rows(run_cli, tmp_path):
    table = tmp_path / "plan.csv"
    table.write_text("PIANO DEGLI OBIETTIVI 2026;;;;;;\n"
                     "Codice;Obiettivo;Settore;Indicatore;Valore atteso;;\n"
                     ";;;;N;N+1;N+2\n"
                     "OB-1;Uno;Settore A;Pratiche;10;20;30\n", encoding="utf-8")
    graph, _ = convert(run_cli, tmp_path, table, "--ente", "x_v")
    assignment = URIRef(BASE + "x_v/piano/2026/obiettivo/OB-1/indicatore/titolo-pratiche")
    assert {int(graph.value(node, PIAO.targetYear)): int(graph.value(node, PIAO.targetValue))
            for node in graph.objects(assignment, PIAO.hasAnnualTarget)} == {2026: 10, 2027: 20, 2028: 30}


def test_continuation_rows_append_text_and_settore_rows_are_not_lost(run_cli, tmp_path):
    table = tmp_path / "plan.csv"
    table.write_text("Settore;Codice Obiettivo;Titolo Obiettivo;Definizione Obiettivo;Codice Ind;Titolo Indicatore;Target;Peso\n"
                     "Settore A;1.1_0001;Uno;Prima parte della definizione;101;Pratiche;10;100\n"
                     ";;;che continua qui;;;;\n"
                     "Settore B;;;;;;;\n", encoding="utf-8")
    graph, result = convert(run_cli, tmp_path, table, "--ente", "x_v", "--year", "2025")
    objective = URIRef(BASE + "x_v/piano/2025/obiettivo/1.1_0001")
    assert graph.value(objective, DCTERMS.description) == Literal("Prima parte della definizione che continua qui", lang="it")
    assert len(set(graph.objects(objective, PROV.wasDerivedFrom))) == 2
    assert f"{table}:3 [Definizione Obiettivo, column 4]: info: the row continues the Objective definition of line 2" in result.stderr
    assert f"{table}:4 [Settore" in result.stderr and "settore “Settore B” has no objective under it" in result.stderr


def test_inspect_shows_the_mapping_the_objectives_and_the_problems(run_cli):
    result = run_cli("inspect", LAYOUTS / "relazione-performance.csv", "--ente", "x_montalto", "--lang", "en")
    assert result.exit_code == 1, result.stdout
    out = result.stdout
    assert re.search(r"column 10\s+“Valore raggiunto 2024” → Achieved value, year 2024", out)
    assert re.search(r"column 13\s+“Note” → not understood", out)
    assert "4 objectives, 7 indicator rows, 2 settori, 2 dirigenti" in out
    assert '"Note" = "ignore"   # TODO' in out
    italian = run_cli("inspect", LAYOUTS / "relazione-performance.csv", "--ente", "x_montalto")
    assert "4 obiettivi, 7 righe di indicatori, 2 settori, 2 dirigenti" in italian.stdout
