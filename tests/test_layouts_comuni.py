"""Plan tables as comuni publish them (tests/data/layouts/comuni/, see tests/data/README.md), read through the
CLI: thresholds as targets (``≥ 80%``), totals rows, notes under the table, a formula cell without its value,
Windows-1252 and UTF-8 with BOM, a header over two rows, several sheets. One test per bug found reading them."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, XSD

from conftest import DATA, EXAMPLE

COMUNI = DATA / "layouts" / "comuni"
THRESHOLDS = COMUNI / "soglie-totali-note.csv"
THRESHOLDS_1252 = COMUNI / "soglie-windows-1252.csv"
WORKBOOK = COMUNI / "fogli-totali-formule.xlsx"
PIAO = Namespace("https://w3id.org/piao-lod/ontology#")


def convert(run_cli, tmp_path, table, *options):
    out = tmp_path / "plan.ttl"
    result = run_cli("convert", table, "-o", out, "--lang", "en", "--no-cache", *options)
    assert result.exit_code in (0, 1), result.output
    return Graph().parse(out), result


def problem_lines(stderr: str, code: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.endswith(f"[{code}]")]


def targets_as_written(graph: Graph) -> dict[str, tuple]:
    """Each annual target's text as written -> (value, kind, bound)."""
    return {str(graph.value(node, PIAO.targetAsWritten)): (graph.value(node, PIAO.targetValue),
                                                           graph.value(node, PIAO.targetKind),
                                                           graph.value(node, PIAO.targetBound))
            for node in graph.subjects(RDF.type, PIAO.AnnualTarget)}


@pytest.mark.parametrize("table, at_least_80, at_most_0", [
    (THRESHOLDS, "≥ 80%", "≤ 0"),
    (THRESHOLDS_1252, "=> 80 %", "=< 0"),
])
def test_target_written_as_a_threshold_reads_as_its_value_and_bound(run_cli, tmp_path, table, at_least_80, at_most_0):
    """``≥ 80%`` was an unreadable-target error (no value, only the text); ``≤ 0`` a qualitative target."""
    graph, result = convert(run_cli, tmp_path, table, "--ente", "c_f335")
    found = targets_as_written(graph)
    assert found[at_least_80] == (Literal(80), PIAO.PercentageTarget, PIAO.AtLeast)
    assert found[">= 90 %"] == (Literal(90), PIAO.PercentageTarget, PIAO.AtLeast)
    assert found["<= 1.234,56"] == (Literal(Decimal("1234.56")), PIAO.NumberTarget, PIAO.AtMost)
    assert found["almeno 15"] == (Literal(15), PIAO.NumberTarget, PIAO.AtLeast)
    assert found[at_most_0] == (Literal(0), PIAO.NumberTarget, PIAO.AtMost)
    assert found["80,5%"] == (Literal(Decimal("80.5")), PIAO.PercentageTarget, None)
    assert found["SI"] == (Literal(1), PIAO.BooleanTarget, None) and found["Sì"] == (Literal(1), PIAO.BooleanTarget, None)
    assert graph.value(None, PIAO.targetDate, Literal("2025-06-30", datatype=XSD.date)) is not None
    assert not problem_lines(result.stderr, "unreadable-target"), result.stderr
    assert not problem_lines(result.stderr, "qualitative-target"), result.stderr


@pytest.mark.parametrize("engine", ["oxigraph", "pyshacl"])
def test_threshold_bound_is_checked_by_the_shapes(run_cli, tmp_path, engine):
    graph, _ = convert(run_cli, tmp_path, THRESHOLDS, "--ente", "c_f335")
    graph.update("PREFIX piao: <https://w3id.org/piao-lod/ontology#> DELETE { ?t piao:targetBound piao:AtLeast } "
                 "INSERT { ?t piao:targetBound piao:Roughly } WHERE { ?t a piao:AnnualTarget ; piao:targetBound piao:AtLeast }")
    broken = tmp_path / "broken.ttl"
    graph.serialize(broken, format="turtle")
    result = run_cli("validate", broken, "--lang", "en", "--no-cache", "--engine", engine)
    assert result.exit_code == 1, result.output
    assert "The target bound is at least, at most, more than or less than" in result.output


@pytest.mark.parametrize("table, line", [(THRESHOLDS, 11), (WORKBOOK, 8)])
def test_totals_row_is_not_read_as_an_indicator_or_an_objective(run_cli, tmp_path, table, line):
    """``Totale pesi | 100`` was an indicator of weight 100 (the objective's weights then totalled 200), and a
    ``Totale`` under the title column of a workbook an objective of its own, without a code."""
    graph, result = convert(run_cli, tmp_path, table, "--ente", "c_f335")
    [totals] = problem_lines(result.stderr, "totals-row")
    assert f"{table}:{line}: info:" in totals or f"row {line}: info:" in totals, totals
    assert "Totale" in totals
    assert not any("Totale" in str(title) for title in graph.objects(None, DCTERMS.title))
    assert not any("Totale" in str(title) for title in graph.objects(None, PIAO.targetAsWritten))
    assert Literal(100) not in set(graph.objects(None, PIAO.weight)) or table == WORKBOOK
    assert not problem_lines(result.stderr, "missing-objective-code"), result.stderr
    validation = run_cli("validate", table, "--ente", "c_f335", "--lang", "en", "--no-cache")
    sums = [text for text in validation.output.splitlines() if "Indicator weights total 100" in text]
    assert not [text for text in sums if f"(line {line})" in text], sums


@pytest.mark.parametrize("table", [THRESHOLDS, THRESHOLDS_1252, WORKBOOK])
def test_note_under_the_table_is_not_a_settore_or_an_objective(run_cli, tmp_path, table):
    """``Note: ...`` and ``Fonte: ...`` rows under the table were settori without objectives (CSV) or an
    objective coded ``Note: ...`` (XLSX, a note in the code column)."""
    graph, result = convert(run_cli, tmp_path, table, "--ente", "c_f335")
    named = {str(text) for predicate in (PIAO.settoreAsWritten, DCTERMS.title, DCTERMS.identifier)
             for text in graph.objects(None, predicate)}
    assert {"Settore Affari Generali", "Settore Finanze"} <= named or "Settore Personale" in named
    assert not [text for text in named if text.startswith(("Note", "Fonte"))], named
    assert not problem_lines(result.stderr, "settore-without-objectives"), result.stderr
    assert len(set(graph.subjects(RDF.type, PIAO.Objective))) == 2


def test_formula_without_value_names_the_header_of_its_column(run_cli, tmp_path):
    """It said ``[column 9]``; every other problem names the header as well (``[Peso, column 9]``)."""
    _, result = convert(run_cli, tmp_path, WORKBOOK)
    lines = problem_lines(result.stderr, "formula-without-value")
    assert [line.split(": warning:")[0] for line in lines] == [
        f"{WORKBOOK}, sheet Obiettivi 2025, row 6 [Peso, column 9]",
        f"{WORKBOOK}, sheet Obiettivi 2025, row 8 [Peso, column 9]"]


def test_workbook_with_a_two_row_header_over_several_sheets(run_cli, tmp_path):
    """The sheets without a table are skipped with a note; the header merged over two rows gives three years."""
    graph, result = convert(run_cli, tmp_path, WORKBOOK)
    assert len(problem_lines(result.stderr, "sheet-skipped")) == 2
    years = {int(year) for year in graph.objects(None, PIAO.targetYear)}
    assert years == {2025, 2026, 2027}
    found = targets_as_written(graph)
    assert found["80%"] == (Literal(80), PIAO.PercentageTarget, None)
    assert found["≥ 80%"] == (Literal(80), PIAO.PercentageTarget, PIAO.AtLeast)


@pytest.mark.parametrize("pages", ["١-٣", "1-３", "²", "1,٢"])
def test_pages_written_with_digits_other_than_ascii_are_refused(run_cli, tmp_path, pages):
    """``--pages ١-٣`` (Arabic-Indic digits) was read as pages 1-3: Python's ``\\d`` and ``int()`` take them."""
    result = run_cli("convert", EXAMPLE.with_suffix(".pdf"), "--pages", pages, "-o", tmp_path / "plan.ttl",
                     "--lang", "en", "--no-cache")
    assert result.exit_code == 2, result.output
    assert f"--pages takes page numbers written with the digits 0-9, got “{pages}”" in result.output
    assert not (tmp_path / "plan.ttl").exists()


def test_pnrr_measure_columns_link_the_objective(run_cli, tmp_path):
    """A ``Linea PNRR`` column was not understood (unknown-column) and a ``Misura PNRR M4C1-I1.1`` column marked SI
    likewise: the objectives were left unlinked, the codes only in the source rows."""
    table = COMUNI / "colonne-pnrr.csv"
    graph, result = convert(run_cli, tmp_path, table, "--ente", "c_d150", "--year", "2025")
    pnrr = Namespace("https://w3id.org/piao-lod/pnrr/")
    plan = "https://w3id.org/piao-lod/id/c_d150/piano/2025/obiettivo/"

    def measures(code):
        return set(graph.objects(URIRef(plan + code), PIAO.pnrrMeasure))

    assert measures("OB1") == {pnrr["M1C1-I1.2"]}
    assert measures("OB2") == {pnrr["M4C1-I1.1"]}
    assert measures("OB3") == {pnrr["M5C2-I2.1"]}            # in the title and in the column: once
    assert set(graph.objects(URIRef(plan + "OB3"), PIAO.pnrrCodeAsWritten)) == {Literal("M5C2-I2.1")}
    assert measures("OB4") == set()
    assert not problem_lines(result.stderr, "unknown-column"), result.stderr
    [unknown] = problem_lines(result.stderr, "unknown-pnrr-code")
    assert unknown.startswith(f"{table}:5 [Linea PNRR, column 7]: error: PNRR code M9C9-I9.9"), unknown


@pytest.mark.parametrize("headers", [("Anno 2025", "Anno 2026"), ("2025", "2026")])
def test_columns_headed_by_a_year_alone_are_that_years_targets(run_cli, tmp_path, headers):
    """``Anno 2025 | Anno 2026`` on one header row read as the plan's Year column (twice): exit 2, "the Anno column
    holds '80%', not a year"; bare ``2025 | 2026`` were columns not understood, their targets not read."""
    table = tmp_path / "anni.csv"
    table.write_text("Codice obiettivo;Obiettivo operativo;Settore;Indicatore;{};{};Peso\n"
                     "OB1;Transizione al cloud;Settore Innovazione;Servizi migrati;80%;≥ 90%;100\n".format(*headers),
                     encoding="utf-8")
    graph, result = convert(run_cli, tmp_path, table, "--ente", "c_d150", "--year", "2025")
    assert not problem_lines(result.stderr, "missing-column") and not problem_lines(result.stderr, "unknown-column")
    found = {int(graph.value(node, PIAO.targetYear)): targets_as_written(graph)[str(graph.value(node, PIAO.targetAsWritten))]
             for node in graph.subjects(RDF.type, PIAO.AnnualTarget)}
    assert found == {2025: (Literal(80), PIAO.PercentageTarget, None),
                     2026: (Literal(90), PIAO.PercentageTarget, PIAO.AtLeast)}


def test_targets_written_with_articles_units_and_typewriter_accents(run_cli, tmp_path):
    """``non inferiore all'80%`` was an unreadable percentage; ``≤ 30 giorni``, ``< 5gg`` and ``1.500 €`` (the unit
    written beside the number) qualitative targets, or unreadable where the unit column says days; ``SI'`` (sì
    typed without the accent) a qualitative target."""
    graph, result = convert(run_cli, tmp_path, COMUNI / "target-scritti.csv", "--ente", "c_f335")
    assert result.exit_code == 0, result.output
    assert targets_as_written(graph) == {
        "non inferiore all'80%": (Literal(80), PIAO.PercentageTarget, PIAO.AtLeast),
        "≤ 30 giorni": (Literal(30), PIAO.NumberTarget, PIAO.AtMost),
        "< 5gg": (Literal(5), PIAO.NumberTarget, PIAO.LessThan),
        "1.500 €": (Literal(1500), PIAO.NumberTarget, None),
        "SI'": (Literal(1), PIAO.BooleanTarget, None),
        "più di 3": (Literal(3), PIAO.NumberTarget, PIAO.MoreThan),
    }


def test_header_over_two_rows_grouped_under_objective_and_indicator(run_cli, tmp_path):
    """``Obiettivo`` over ``Codice | Descrizione`` and ``Indicatore`` over ``Codice | Descrizione`` (``Target`` over
    ``2025 | 2026``): the joined names read backwards (``Obiettivo Codice``) matched nothing, the row of years
    under it was taken for a header of its own, and an objective described only by ``Descrizione`` had no
    title column (exit 2)."""
    table = COMUNI / "intestazione-a-gruppi.csv"
    graph, result = convert(run_cli, tmp_path, table, "--ente", "c_d150", "--year", "2025")
    assert result.exit_code == 0, result.output
    plan = "https://w3id.org/piao-lod/id/c_d150/piano/2025/obiettivo/"
    assert graph.value(URIRef(plan + "OB1"), DCTERMS.title) == Literal("Transizione al cloud dei servizi", lang="it")
    assert {str(code) for code in graph.objects(None, DCTERMS.identifier)} >= {"OB1", "OB2", "I1", "I2"}
    years = {(str(graph.value(node, PIAO.targetAsWritten)), int(graph.value(node, PIAO.targetYear)))
             for node in graph.subjects(RDF.type, PIAO.AnnualTarget)}
    assert years == {("80%", 2025), ("90%", 2026), ("30", 2025), ("40", 2026)}


def test_a_column_headed_by_a_span_of_years_is_noted_not_silently_one_year(run_cli, tmp_path):
    """``Target 2025-2027`` was read as the target of 2025 without a word: the header's other years were dropped.
    The values are still those of the first year (the model has one target a year), and a note says so."""
    graph, result = convert(run_cli, tmp_path, COMUNI / "target-triennio.csv", "--ente", "c_d150", "--year", "2025")
    notes = problem_lines(result.stderr, "year-span-column")
    assert notes == [f"{COMUNI / 'target-triennio.csv'}:1 [Target 2025-2027, column 7]: info: column “Target 2025-2027” names the "
                     "years 2025–2027: its values are read as those of 2025, the first of them [year-span-column]"]
    assert {int(year) for year in graph.objects(None, PIAO.targetYear)} == {2025}
    italian = run_cli("convert", COMUNI / "target-triennio.csv", "--ente", "c_d150", "--year", "2025", "-o",
                      tmp_path / "it.ttl", "--no-cache")
    assert "nota: la colonna «Target 2025-2027» indica gli anni 2025–2027" in italian.stderr


def validate(run_cli, table, lang, *options):
    result = run_cli("validate", table, "--lang", lang, *options)
    assert result.exit_code == 1, result.output
    return result.stdout


def test_validation_of_a_workbook_names_the_sheet_of_the_row(run_cli):
    """``validate`` located a workbook's result as ``plan.xlsx:5`` (``lines 5`` in JSON and on the site's page),
    without its sheet, where reading problems say ``plan.xlsx, foglio Obiettivi 2025, riga 5``."""
    italian = validate(run_cli, WORKBOOK, "it")
    english = validate(run_cli, WORKBOOK, "en")
    assert ("violazione: fogli-totali-formule.xlsx, foglio Obiettivi 2025, riga 5: I pesi degli indicatori sommano "
            "a 100") in italian, italian
    assert "violation: fogli-totali-formule.xlsx, sheet Obiettivi 2025, row 5: Indicator weights total 100" in english
    assert "not 100: 50 (sheet Obiettivi 2025, row 5)" in english       # the message's own list said "line 5"
    assert "non a 100: 50 (foglio Obiettivi 2025, riga 5)" in italian
    assert not re.search(r"xlsx:\d", italian + english), italian + english
    results = json.loads(validate(run_cli, WORKBOOK, "en", "--format", "json"))["results"]
    assert results and all(result["sheets"] == ["Obiettivi 2025"] * len(result["lines"]) for result in results)


def test_validation_of_a_csv_has_no_sheet(run_cli):
    """The sheet is only said for workbooks: a CSV result stays ``file.csv:5`` and its JSON has no ``sheets``."""
    table = COMUNI / "colonne-pnrr.csv"
    assert "colonne-pnrr.csv:5: " in validate(run_cli, table, "it", "--ente", "c_d150", "--year", "2025")
    results = json.loads(validate(run_cli, table, "en", "--ente", "c_d150", "--year", "2025", "--format", "json"))
    assert all("sheets" not in result for result in results["results"])


@pytest.mark.parametrize("engine", ["oxigraph", "pyshacl"])
def test_unknown_pnrr_code_of_a_column_is_not_said_to_be_in_the_title(run_cli, engine):
    """The SHACL result for ``M9C9-I9.9`` under ``Linea PNRR`` said "PNRR code M9C9-I9.9 in the title": the
    objective's title (``Manutenzione strade``) has no code; the message now names the column."""
    table = COMUNI / "colonne-pnrr.csv"
    options = ("--ente", "c_d150", "--year", "2025", "--engine", engine)
    italian = validate(run_cli, table, "it", *options)
    assert ("colonne-pnrr.csv:5: Codice PNRR noto — Il codice PNRR M9C9-I9.9 nella colonna «Linea PNRR» non è una "
            "misura dello schema PNRR") in italian, italian
    assert "nel titolo" not in italian
    english = validate(run_cli, table, "en", *options)      # pyshacl's filled messages had lost their language
    assert "PNRR code M9C9-I9.9 in the column “Linea PNRR” is not a measure of the PNRR scheme" in english, english


def test_unknown_pnrr_code_of_the_title_is_said_to_be_in_the_title(run_cli, tmp_path):
    """A code written in the title keeps its message, beside a PNRR column that holds nothing."""
    table = tmp_path / "titolo.csv"
    table.write_text("Codice obiettivo;Obiettivo operativo;Linea PNRR;Indicatore;Target 2025;Peso\n"
                     "OB1;PNRR M9C9-I9.9 Manutenzione strade;;Strade;3.800;100\n", encoding="utf-8")
    english = validate(run_cli, table, "en", "--ente", "c_d150", "--year", "2025")
    assert "PNRR code M9C9-I9.9 in the title is not a measure of the PNRR scheme" in english, english


VALDORA = COMUNI / "valdora-sezioni-cp1252.csv"
VALDORA_PLAN = "https://w3id.org/piao-lod/id/c_d150/piano/2025/obiettivo/"


def annual_targets(graph: Graph) -> dict[str, tuple]:
    """Each annual target's text as written -> (value, kind, bound, deadline, upper value, change from year)."""
    def value(node, prop):
        found = graph.value(node, prop)
        return None if found is None else found.toPython() if isinstance(found, Literal) else found
    return {str(graph.value(node, PIAO.targetAsWritten)): tuple(value(node, prop) for prop in (
        PIAO.targetValue, PIAO.targetKind, PIAO.targetBound, PIAO.targetDate, PIAO.targetUpperValue, PIAO.changeFromYear))
        for node in graph.subjects(RDF.type, PIAO.AnnualTarget)}


def test_targets_with_deadlines_ranges_changes_and_a_deadline_column(run_cli, tmp_path):
    """``80-90%``, ``>= 95% entro il 30/06/2026``, ``entro 2 giorni``, ``+10% rispetto al 2024``, ``SI`` with a
    ``Scadenza`` column and ``SI/NO`` were unreadable or qualitative targets, their numbers and dates not read."""
    graph, result = convert(run_cli, tmp_path, VALDORA, "--ente", "c_d150")
    found = annual_targets(graph)
    assert found["80-90%"] == (80, PIAO.PercentageTarget, PIAO.AtLeast, None, 90, None)
    assert found[">= 95% entro il 30/06/2026"] == (95, PIAO.PercentageTarget, PIAO.AtLeast, dt.date(2026, 6, 30), None, None)
    assert found["entro 2 giorni"] == (2, PIAO.NumberTarget, PIAO.AtMost, None, None, None)
    assert found["entro 30 giorni"] == (30, PIAO.NumberTarget, PIAO.AtMost, None, None, None)
    assert found["+10% rispetto al 2024"][:5] == (10, PIAO.PercentageTarget, None, None, None)
    assert set(graph.objects(None, PIAO.changeFromYear)) == {Literal("2024", datatype=XSD.gYear)}
    assert found["SI"] == (1, PIAO.BooleanTarget, None, dt.date(2025, 12, 31), None, None)        # its Scadenza
    assert found["<= 5 gg"] == (5, PIAO.NumberTarget, PIAO.AtMost, dt.date(2025, 6, 30), None, None)
    assert found["1.234,5"][0] == Decimal("1234.5") and found["€ 1.300,50"][0] == Decimal("1300.5")
    [unreadable] = problem_lines(result.stderr, "unreadable-target")
    assert unreadable.startswith(f"{VALDORA}:17 [Target 2027, column 13]: error:") and "“boh”" in unreadable
    assert not problem_lines(result.stderr, "qualitative-target"), result.stderr



YEARLESS = """COMUNE DI VALLEVERDE;;;;;;;;
PIANO DEGLI OBIETTIVI 2025;;;;;;;;
Settore;Responsabile;Obiettivo;Peso obiettivo;Indicatore;Peso indicatore;Unità di misura;Target N;Target N+1;Target N+2
Settore Tributi;Rag. Anna Neri;Riscossione;100;Approvazione del regolamento;25;data;Entro 31/12;31 dicembre;entro giugno
;;;;Pratiche evase;25;numero;entro il 30/6;1/2;12
;;;;Verifiche svolte;25;;entro il 15.10;al 31/12;29/02
;;;;Avvio della gara;25;data;28/02;29/02;31/11
"""


def test_dates_without_a_year_are_dated_in_the_year_of_their_column(run_cli, tmp_path):
    """``Entro 31/12`` under ``Target N``, ``31 dicembre`` under ``Target N+1``, ``entro giugno``: plans leave out
    the year their column already says. They were unreadable targets (errors); now each is a date of its
    column's year, with a note. Not a date: ``entro il 30/6`` in a column of numbers, ``1/2`` with no unit (a
    fraction); a day no year has (``31/11``), or its year has not (``29/02`` in 2026), is reported as before."""
    table = tmp_path / "senza-anno.csv"
    table.write_text(YEARLESS, encoding="utf-8")
    graph, result = convert(run_cli, tmp_path, table, "--ente", "c_d150")
    dates = {(str(graph.value(node, PIAO.targetAsWritten)), int(str(graph.value(node, PIAO.targetYear))[:4])):
             graph.value(node, PIAO.targetDate) for node in graph.subjects(RDF.type, PIAO.AnnualTarget)}
    def date(text, year):
        found = dates[(text, year)]
        return None if found is None else found.toPython()
    assert date("Entro 31/12", 2025) == dt.date(2025, 12, 31)
    assert date("31 dicembre", 2026) == dt.date(2026, 12, 31)
    assert date("entro giugno", 2027) == dt.date(2027, 6, 30)
    assert date("entro il 30/6", 2025) is None            # a column of numbers: not read as a date
    assert date("entro il 15.10", 2025) == dt.date(2025, 10, 15) and date("al 31/12", 2026) == dt.date(2026, 12, 31)
    assert date("28/02", 2025) == dt.date(2025, 2, 28)
    assert date("1/2", 2026) is None
    notes = problem_lines(result.stderr, "date-without-year")
    assert f"{table.name}:4 [Target N, column 8]: info:" in notes[0] and "read in 2025, the year of its column (Target N)" in notes[0]
    assert len(notes) == 6, result.stderr
    unreadable = {Path(line.split(": error:")[0]).name for line in problem_lines(result.stderr, "unreadable-target")}
    assert {f"{table.name}:7 [Target N+1, column 9]", f"{table.name}:7 [Target N+2, column 10]"} <= unreadable, \
        result.stderr                                                                         # 29/02, 31/11


DEADLINES_WITHOUT_YEAR = """Settore;Responsabile;Obiettivo;Peso obiettivo;Indicatore;Peso indicatore;Unità di misura;Target 2025;Scadenza;Target 2026;Scadenza 2026
Settore Tributi;Rag. Anna Neri;Riscossione;100;Avvisi inviati;50;%;100%;31/12;80%;entro giugno
;;;;Regolamento approvato;50;;SI;30/11;;31/11
"""


def test_deadline_columns_without_a_year_date_the_target_of_their_year(run_cli, tmp_path):
    """A ``Scadenza`` cell written ``31/12`` or ``entro giugno`` was an unreadable target (an error) and the target
    had no deadline; now it dates the target of its column's year, with a note; ``31/11`` is still an error."""
    table = tmp_path / "scadenze.csv"
    table.write_text(DEADLINES_WITHOUT_YEAR, encoding="utf-8")
    graph, result = convert(run_cli, tmp_path, table, "--ente", "c_d150", "--year", "2025")
    dated = {(str(graph.value(node, PIAO.targetAsWritten)), str(graph.value(node, PIAO.targetYear))[:4]):
             graph.value(node, PIAO.targetDate) for node in graph.subjects(RDF.type, PIAO.AnnualTarget)}
    assert dated == {("100%", "2025"): Literal("2025-12-31", datatype=XSD.date),
                     ("80%", "2026"): Literal("2026-06-30", datatype=XSD.date),
                     ("SI", "2025"): Literal("2025-11-30", datatype=XSD.date)}
    notes = problem_lines(result.stderr, "date-without-year")
    assert len(notes) == 3 and "read in 2026, the year of its column (Scadenza 2026)" in notes[1], result.stderr
    [impossible] = problem_lines(result.stderr, "unreadable-target")
    assert impossible.startswith(f"{table}:3 [Scadenza 2026, column 11]: error:") and "“31/11”" in impossible


HONORIFICS = """Settore;Responsabile;Obiettivo;Peso obiettivo;Indicatore;Peso indicatore;Unità di misura;Target 2025
Settore Polizia Locale;Comm. Marco Rossi;Vigilanza;100;Pattuglie;100;numero;40
Settore Cultura;Cav. Uff. Dott. Mario Bianchi;Mostre;100;Mostre allestite;100;numero;3
Settore Tributi;Dottori Anna;Riscossione;100;Avvisi;100;numero;900
Settore Sport;Ing. Cavalli Luca;Impianti;100;Impianti riaperti;100;numero;2
"""


def test_honorifics_one_or_several_are_kept_apart_from_the_name(run_cli, tmp_path):
    """``Comm. Marco Rossi`` was a person named ``Comm. Marco Rossi`` (IRI ``comm-marco-rossi``); several titles
    (``Cav. Uff. Dott.``) kept all but the first in the name. A surname that begins like a title (``Dottori``,
    ``Cavalli``) is not one."""
    table = tmp_path / "titoli.csv"
    table.write_text(HONORIFICS, encoding="utf-8")
    graph, _ = convert(run_cli, tmp_path, table, "--ente", "c_d150", "--year", "2025")
    people = {str(node).rsplit("/", 1)[-1]: (str(graph.value(node, FOAF.name)), graph.value(node, FOAF.title))
              for node in set(graph.objects(None, PIAO.dirigente))}
    assert people == {"marco-rossi": ("Marco Rossi", Literal("Comm.")),
                      "mario-bianchi": ("Mario Bianchi", Literal("Cav. Uff. Dott.")),
                      "dottori-anna": ("Dottori Anna", None),
                      "cavalli-luca": ("Cavalli Luca", Literal("Ing."))}


def test_windows_1252_csv_with_other_headers_multi_line_cells_and_section_rows(run_cli, tmp_path):
    """Headers in other words (``Cod.``, ``Obiettivo strategico / operativo``, ``Centro di responsabilità (CdR)``,
    ``Missione PNRR``), codes ``1.2.3`` / ``OB_05`` / ``OS2-OP3``, the dirigente written under the settore in its
    cell (``Settore Affari Generali`` over ``Dott.ssa Maria Rossi``, ``Responsabile: Rag. Luca Neri``), and mission
    title rows between the objectives: the person was a second settore, the CdR and PNRR columns were not
    understood, the title rows dropped without a word."""
    graph, result = convert(run_cli, tmp_path, VALDORA, "--ente", "c_d150")
    objectives = {str(node).removeprefix(VALDORA_PLAN) for node in graph.subjects(RDF.type, PIAO.Objective)}
    assert objectives == {"1.2.3", "OB_05", "OS2-OP3", "OS2-OP4"}
    first = URIRef(VALDORA_PLAN + "1.2.3")
    assert graph.value(first, DCTERMS.title) == Literal("Digitalizzazione\ndegli atti", lang="it")
    assert graph.value(first, PIAO.pnrrMeasure) == URIRef("https://w3id.org/piao-lod/pnrr/M1C1-I1.2")
    assert graph.value(first, PIAO.budgetProgramme) == URIRef("https://w3id.org/piao-lod/bilancio/programma/01.02")
    people = {code: str(graph.value(graph.value(URIRef(VALDORA_PLAN + code), PIAO.dirigente),
                                    URIRef("http://xmlns.com/foaf/0.1/name"))) for code in objectives}
    assert people == {"1.2.3": "Maria Rossi", "OB_05": "Maria Rossi", "OS2-OP3": "Luca Neri", "OS2-OP4": "Luca Neri"}
    settori = {str(node).rsplit("/", 1)[-1] for node in graph.subjects(RDF.type, ORG.OrganizationalUnit)}
    assert settori == {"settore-affari-generali", "settore-finanze"}
    weights = sorted(int(weight) for weight in graph.objects(None, PIAO.weight))
    assert weights == [40, 60, 100, 100, 100]
    assert [line.split(": warning:")[0] for line in problem_lines(result.stderr, "prose-in-table")] == [
        f"{VALDORA}:6", f"{VALDORA}:14"]
    [unknown] = problem_lines(result.stderr, "unknown-column")
    assert unknown.startswith(f"{VALDORA}:4 [Referente politico, column 7]")
    assert "Ass. Bianchi" in {value for cells in graph.objects(None, PIAO.cells) for value in json.loads(str(cells))}


PEG = COMUNI / "peg-aree-nascoste.xlsx"
PEG_PLAN = "https://w3id.org/piao-lod/id/c_d150/piano/2025/obiettivo/"


def test_workbook_with_area_rows_hidden_cells_cached_formulas_and_date_serials(run_cli, tmp_path):
    """A PEG workbook: ``AREA 1 – AMMINISTRATIVA`` rows merged across the table open each settore, objective
    weights add up to 100 within each area (one of them ``=100-E5`` with its cached 40), a target ``=K5+0.05``
    cached as 0.9 in a ``0%`` cell, ``Scadenza`` dates as Excel serials, ``Responsabile: Dott. Carlo Galli`` and
    ``Dott. Carlo Galli`` for one person, a hidden row and a hidden column, a second table sheet. The area rows
    were no settore (``SETTORE 1 - X`` / ``AREA 1 – X`` were not headings), the hidden row's objective lost its
    settore (the same dirigente written twice ways opened a new block), hidden cells were read without a word."""
    graph, result = convert(run_cli, tmp_path, PEG, "--ente", "c_d150")
    def settore(code):
        return str(graph.value(URIRef(PEG_PLAN + code), ORG.unitOf) or graph.value(URIRef(PEG_PLAN + code), PIAO.ownedBy))
    assert {code: settore(code).rsplit("/", 1)[-1] for code in ("2.1.1", "2.1.2", "2.1.9", "OB_07")} == {
        "2.1.1": "area-1-amministrativa", "2.1.2": "area-1-amministrativa", "2.1.9": "area-1-amministrativa",
        "OB_07": "area-2-tecnica"}
    weights = {str(node).removeprefix(PEG_PLAN): int(graph.value(node, PIAO.weight))
               for node in graph.subjects(RDF.type, PIAO.Objective)}
    assert weights == {"2.1.1": 60, "2.1.2": 40, "2.1.9": 0, "OB_07": 100, "T-01": 100}
    found = annual_targets(graph)
    assert found["90%"][:2] == (90, PIAO.PercentageTarget)
    assert found["85%"][3] == dt.date(2025, 12, 31) and found["SI"][3] == dt.date(2025, 6, 30)
    assert found["entro 15 giorni"][:3] == (15, PIAO.NumberTarget, PIAO.AtMost)
    assert found["100% entro il 31/12/2025"][:4] == (100, PIAO.PercentageTarget, None, dt.date(2025, 12, 31))
    assert [line.split(": warning:")[0] for line in problem_lines(result.stderr, "missing-settore")] == [
        f"{PEG}, sheet Trasversali, row 2"]                 # that sheet names none; the hidden row keeps its area
    assert not problem_lines(result.stderr, "formula-without-value"), result.stderr
    assert [line.split(": info:")[0] for line in problem_lines(result.stderr, "hidden-row")] == [
        f"{PEG}, sheet Obiettivi 2025, row 8"]
    assert [line.split(": info:")[0] for line in problem_lines(result.stderr, "hidden-column")] == [
        f"{PEG}, sheet Obiettivi 2025, row 3 [Note interne, column 15]"]
    assert len(problem_lines(result.stderr, "sheet-skipped")) == 2
    assert {str(name) for name in graph.objects(None, URIRef("http://xmlns.com/foaf/0.1/name"))} == {
        "Carlo Galli", "Sara Conti", "Anna Riva"}


@pytest.mark.parametrize("engine", ["oxigraph", "pyshacl"])
def test_unknown_pnrr_code_beside_a_known_one_is_reported(run_cli, tmp_path, engine):
    """``M1C1-I1.2, M9C9-I9.9`` in one cell (or one in the title, one in the column): the objective was linked to
    M1C1-I1.2, and the rule skipped any objective with a measure, so M9C9-I9.9 went unreported by ``validate``."""
    table = tmp_path / "pnrr.csv"
    table.write_text("Codice obiettivo;Obiettivo operativo;Linea PNRR;Indicatore;Target 2025;Peso\n"
                     "OB1;Manutenzione strade;M1C1-I1.2, M9C9-I9.9;Strade;3.800;100\n"
                     "OB2;PNRR M8C8-I8.8 Scuole;M4C1-I1.1;Aule;3;100\n"
                     "OB3;PNRR - M5C2-I2.1.2 - Piste;;Km;3;100\n", encoding="utf-8")
    english = validate(run_cli, table, "en", "--ente", "c_d150", "--year", "2025", "--engine", engine)
    assert "pnrr.csv:2: Known PNRR code — PNRR code M9C9-I9.9 in the column “Linea PNRR” is not a measure" in english
    assert "pnrr.csv:3: Known PNRR code — PNRR code M8C8-I8.8 in the title is not a measure" in english
    assert english.count("Known PNRR code") == 2, english      # M1C1-I1.2, M4C1-I1.1, M5C2-I2.1(.2) are known


def test_site_validation_page_says_sheet_and_row_for_a_workbook(run_cli, tmp_path):
    """The site's validation page wrote ``sheet Obiettivi 2025, line 5``: a workbook has rows, as ``validate``
    says (``sheet Obiettivi 2025, row 5``)."""
    out = tmp_path / "_site"
    result = run_cli("build", WORKBOOK, "-o", out, "--contact-email", "piao@example.org", "--no-search", "--no-cache")
    assert result.exit_code == 1, result.output
    english = (out / "en" / "validazione" / "index.html").read_text(encoding="utf-8")
    italian = (out / "validazione" / "index.html").read_text(encoding="utf-8")
    assert "sheet Obiettivi 2025<br>row 5" in english, english
    assert not re.search(r"sheet Obiettivi 2025<br>lines? \d", english)
    assert "foglio Obiettivi 2025<br>riga 5" in italian
