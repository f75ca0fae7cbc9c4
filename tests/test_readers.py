"""Hostile and damaged sources through the CLI and ``read_plan_table``: nothing lost, nothing stalls.

Each class of issue #11 for the readers and value parsers: mixed encodings, CSV fields past
Python's limit and quotes that swallow lines, XLSX formulas without values, merged cells, far
cells, inflating parts and cell bounds, numbers and LaTeX that crashed the run, and regexes that
backtracked on long runs of spaces. No timing is asserted: the tests on long runs and inflating
parts would take minutes or gigabytes if the bounds were lost.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pyoxigraph as ox
import pytest
from rdflib import DCTERMS, RDF, XSD, Graph, Literal, URIRef

from piao_lod import read_plan_table
from piao_lod.namespaces import PIAO
from workbooks import MAIN, Member, sheet_xml, text_cell, write_workbook

HEADER = ("Dirigente", "Settore", "Codice Obiettivo", "Titolo Obiettivo", "Definizione Obiettivo", "Codice Ind",
          "Titolo Indicatore", "Formula Indicatore", "Finalità Indicatore", "Target Atteso", "Peso")
PLAN = "https://w3id.org/piao-lod/id/c_d150/piano/2024"
PLAN_OPTIONS = ("--ente", "c_d150", "--year", "2024")


def row(code: str, title: str = "Nuova palestra", **cells: str) -> list[str]:
    values = {"Dirigente": "ROSSI MARIO", "Settore": "Settore Sport", "Codice Obiettivo": code, "Titolo Obiettivo": title,
              "Definizione Obiettivo": "Definizione", "Codice Ind": "101", "Titolo Indicatore": "Lavori avviati",
              "Formula Indicatore": "1 = fatto 0 = non fatto", "Finalità Indicatore": "Avviare", "Target Atteso": "1",
              "Peso": "100", **{key.replace("_", " "): value for key, value in cells.items()}}
    return [values[column] for column in HEADER]


def csv_line(cells: list[str]) -> str:
    return ";".join(cells)


def convert(run_cli, source: Path, *options: str, suffix: str = ".ttl"):
    out = source.with_suffix(suffix)
    result = run_cli("convert", "--lang", "en", source, "-o", out, *PLAN_OPTIONS, *options)
    assert "Traceback" not in result.output, result.output
    return result, out


def graph_of(out: Path) -> Graph:
    assert out.exists(), "the usable data must be written"
    return Graph().parse(out)


def objective(code: str) -> URIRef:
    return URIRef(f"{PLAN}/obiettivo/{code}")


def titles(graph: Graph) -> set[str]:
    return {str(title) for title in graph.objects(None, DCTERMS.title)}


def problem_lines(stderr: str, code: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.endswith(f"[{code}]")]


# -- encodings ---------------------------------------------------------------------------------------

def test_mixed_encodings_keep_every_valid_utf8_line(run_cli, tmp_path):
    """UTF-8 lines stay exactly as written; the one Windows-1252 line is decoded as such and named."""
    windows_line = csv_line(row("1_2", "Perché sì"))
    lines = [csv_line(list(HEADER)).encode(), csv_line(row("1_1", "Qualità dei servizi")).encode(),
             windows_line.encode("cp1252"), csv_line(row("1_3", "Città più verde")).encode()]
    source = tmp_path / "plan.csv"
    source.write_bytes(b"\r\n".join(lines) + b"\r\n")
    result, out = convert(run_cli, source)
    assert result.exit_code == 1, result.stderr
    [note] = problem_lines(result.stderr, "encoding")
    assert note.startswith(f"{source}:3: warning: not valid UTF-8 (first bad byte 0xe9 at byte "
                           f"{windows_line.index('é') + 1} of this line); "
                           "this line was read as cp1252, the others as UTF-8"), note
    assert {"Qualità dei servizi", "Perché sì", "Città più verde"} <= titles(graph_of(out))


def test_every_windows_1252_line_of_a_text_table_is_named(run_cli, tmp_path):
    header = "\t".join(HEADER)
    lines = [header.encode(), "\t".join(row("1_1", "Perché")).encode("cp1252"), "\t".join(row("1_2", "Qualità")).encode(),
             "\t".join(row("1_3", "Attività")).encode("cp1252")]
    source = tmp_path / "plan.txt"
    source.write_bytes(b"\n".join(lines))
    out = tmp_path / "plan.ttl"
    result = run_cli("convert", "--lang", "en", source, "-o", out, *PLAN_OPTIONS, "--problems", "json")
    report, _ = json.JSONDecoder().raw_decode(result.stderr)
    [note] = [problem for problem in report["problems"] if problem["code"] == "encoding"]
    assert (note["line"], note["related_lines"]) == (2, [2, 4])
    assert "this line and 1 other (line 4) were read as cp1252" in note["message"]
    assert {"Perché", "Qualità", "Attività"} <= titles(graph_of(out))


def test_broken_utf16_is_read_with_a_replacement_character(run_cli, tmp_path):
    """Regression: a UTF-16 file cut in the middle of a character raised UnicodeDecodeError."""
    text = "\n".join(csv_line(cells) for cells in (list(HEADER), row("1_1"), row("1_2", "Ultima")))
    source = tmp_path / "plan.csv"
    source.write_bytes(text.encode("utf-16") + b"\x00")
    result, out = convert(run_cli, source)
    assert result.exit_code == 1, result.stderr
    [note] = problem_lines(result.stderr, "encoding")
    assert f"{source}:3: warning: not valid UTF-16" in note
    assert "Ultima" in titles(graph_of(out))


# -- CSV -----------------------------------------------------------------------------------------------

def test_field_longer_than_the_csv_module_limit_is_kept_whole(run_cli, tmp_path):
    definition = ("Definizione lunghissima. " * 12_000).strip()            # 300,000 characters, past 131,072
    source = tmp_path / "plan.csv"
    source.write_text("\n".join(csv_line(cells) for cells in (list(HEADER), row("1_1", Definizione_Obiettivo=definition),
                                                               row("1_2", "Dopo"))), encoding="utf-8")
    result, out = convert(run_cli, source)
    assert result.exit_code == 0, result.stderr
    graph = graph_of(out)
    assert graph.value(objective("1_1"), DCTERMS.description) == Literal(definition, lang="it")
    assert "Dopo" in titles(graph)


def test_unclosed_quote_is_reported_where_it_opens_and_the_rows_after_are_read(run_cli, tmp_path):
    lines = [csv_line(list(HEADER)), csv_line(row("1_1")), csv_line(row("1_2", '"Palestra nuova')),
             csv_line(row("1_3", "Piscina")), csv_line(row("1_4", "Campo"))]
    source = tmp_path / "plan.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result, out = convert(run_cli, source)
    assert result.exit_code == 1, result.stderr
    [note] = problem_lines(result.stderr, "unclosed-quote")
    assert note.startswith(f"{source}:3 [Titolo Obiettivo, column 4]: error: the quote that opens this cell does not close where "
                           "the cell ends: it swallowed the 2 lines 4–5 into the cell"), note
    graph = graph_of(out)
    assert {'"Palestra nuova', "Piscina", "Campo"} <= titles(graph)
    assert graph.value(objective("1_2"), DCTERMS.identifier) == Literal("1_2")


def test_stray_quote_closed_lines_later_is_reported_and_every_row_read(run_cli, tmp_path):
    lines = [csv_line(list(HEADER)), csv_line(row("1_1", '"Progetto scuole')), csv_line(row("1_2", "Piscina")),
             csv_line(row("1_3", 'Campo "nuovo" sportivo')), csv_line(row("1_4", "Pista"))]
    source = tmp_path / "plan.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result, out = convert(run_cli, source)
    [note] = problem_lines(result.stderr, "unclosed-quote")
    assert note.startswith(f"{source}:2 [Titolo Obiettivo, column 4]: error:") and "swallowed the 2 lines 3–4" in note, note
    assert {'"Progetto scuole', "Piscina", 'Campo "nuovo" sportivo', "Pista"} <= titles(graph_of(out))


def test_quoted_cell_over_several_lines_is_one_cell(run_cli, tmp_path):
    lines = [csv_line(list(HEADER)), csv_line(row("1_1", Definizione_Obiettivo='"Prima riga; seconda parte\nseconda riga"')),
             csv_line(row("1_2"))]
    source = tmp_path / "plan.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result, out = convert(run_cli, source)
    assert result.exit_code == 0, result.stderr
    assert graph_of(out).value(objective("1_1"), DCTERMS.description) == Literal(
        "Prima riga; seconda parte\nseconda riga", lang="it")


# -- XLSX ----------------------------------------------------------------------------------------------

def openpyxl_workbook(path: Path, rows: list[list[object]], title: str = "Obiettivi") -> openpyxl.Workbook:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for cells in rows:
        sheet.append(cells)
    return workbook


def test_formula_without_cached_value_is_kept_as_written_and_reported(run_cli, tmp_path):
    """openpyxl saves formulas without computing them, like any program that does not calculate."""
    source = tmp_path / "plan.xlsx"
    openpyxl_workbook(source, [list(HEADER), row("1_1", Target_Atteso="=50*2"), row("1_2", "=\"Obiettivo \"&\"due\"")]).save(source)
    result, out = convert(run_cli, source)
    assert result.exit_code == 1, result.stderr
    notes = problem_lines(result.stderr, "formula-without-value")
    assert notes == [
        f"{source}, sheet Obiettivi, row 2 [Target Atteso, column 10]: warning: formula cell without a computed value (the program "
        "that saved the workbook did not calculate it); its formula is read as the cell's text (value: “=50*2”) "
        "[formula-without-value]",
        f"{source}, sheet Obiettivi, row 3 [Titolo Obiettivo, column 4]: warning: formula cell without a computed value (the program "
        "that saved the workbook did not calculate it); its formula is read as the cell's text "
        "(value: “=\"Obiettivo \"&\"due\"”) [formula-without-value]"]
    graph = graph_of(out)
    assignment = URIRef(f"{PLAN}/obiettivo/1_1/indicatore/101")
    assert graph.value(assignment, PIAO.targetAsWritten) == Literal("=50*2")
    assert problem_lines(result.stderr, "unreadable-target")


def test_formula_with_cached_value_gives_its_value(run_cli, tmp_path):
    cells = row("1_1")
    cells[9] = '<c r="J2"><f>50*2</f><v>100</v></c>'
    cells[10] = '<c r="K2" t="str"><f>"10"&amp;"0"</f><v>100</v></c>'
    source = write_workbook(tmp_path / "plan.xlsx", {"Obiettivi": sheet_xml([list(HEADER), cells])})
    result, out = convert(run_cli, source)
    assert result.exit_code == 0, result.stderr
    assert graph_of(out).value(URIRef(f"{PLAN}/obiettivo/1_1/indicatore/101"), PIAO.targetValue) == Literal(100)


def test_shared_formula_without_values_is_moved_to_each_cell(run_cli, tmp_path):
    first, second = row("1_1"), row("1_1", Codice_Ind="102")
    first[9] = '<c r="J2"><f t="shared" ref="J2:J3" si="0">K2/2</f></c>'
    second[9] = '<c r="J3"><f t="shared" si="0"/></c>'
    source = write_workbook(tmp_path / "plan.xlsx", {"Obiettivi": sheet_xml([list(HEADER), first, second])})
    result, _ = convert(run_cli, source)
    values = [line.rpartition("(value: ")[2] for line in problem_lines(result.stderr, "formula-without-value")]
    assert values == ["“=K2/2”) [formula-without-value]", "“=K3/2”) [formula-without-value]"]


def test_merged_cells_give_their_value_to_every_row_they_cover(run_cli, tmp_path):
    """A settore merged over an objective's rows, and objective cells merged over its indicators."""
    rows = [["PIANO DEGLI OBIETTIVI 2024"], list(HEADER), row("1_1", Codice_Ind="101"),
            [None, None, None, None, None, "102", "Report", "Numero", "Controllo", "3", "50"],
            ["ROSSI MARIO", None, "1_2", "Piscina", "Def", "103", "Vasche", "Numero", "Nuoto", "2", "100"]]
    rows[2][10] = "50"
    source = tmp_path / "plan.xlsx"
    workbook = openpyxl_workbook(source, rows)
    for merged in ("A1:K1", "B3:B5", "C3:C4", "D3:D4", "E3:E4"):
        workbook.active.merge_cells(merged)
    workbook.save(source)
    result, out = convert(run_cli, source)
    assert result.exit_code == 0, result.stderr
    graph = graph_of(out)
    assert len(set(graph.objects(objective("1_1"), PIAO.hasAssignment))) == 2
    settori = {graph.value(objective(code), PIAO.ownedBy) for code in ("1_1", "1_2")}
    assert settori == {URIRef("https://w3id.org/piao-lod/id/c_d150/settore/settore-sport")}


def test_cell_far_from_the_table_is_kept_and_reported(run_cli, tmp_path):
    source = tmp_path / "plan.xlsx"
    workbook = openpyxl_workbook(source, [list(HEADER), row("1_1")])
    workbook.active["ZZ2"] = "nota a margine"
    for column, value in enumerate(row("1_2", "In fondo"), start=1):
        workbook.active.cell(100_000, column, value)
    workbook.save(source)
    result, out = convert(run_cli, source)
    [ragged] = problem_lines(result.stderr, "ragged-row")
    assert ragged.startswith(f"{source}, sheet Obiettivi, row 2 [") and "702 cells" in ragged and "nota a margine" in ragged
    graph = graph_of(out)
    assert "In fondo" in titles(graph)
    rows = {str(subject) for subject in graph.subjects(RDF.type, PIAO.SourceRow)}
    assert any(iri.startswith(f"{PLAN}/versione/") and iri.endswith("/fonte/foglio/Obiettivi/riga/100000") for iri in rows)


def test_lying_dimension_does_not_pad_rows(run_cli, tmp_path):
    """openpyxl's read-only mode padded every row to the declared dimension: 16,384 columns here."""
    source = write_workbook(tmp_path / "plan.xlsx", {"Obiettivi": sheet_xml([list(HEADER), row("1_1")],
                                                                          dimension="A1:XFD1048576")})
    plan = read_plan_table(source, ente="c_d150", year=2024)
    assert [objective.code for objective in plan.objectives] == ["1_1"]


def test_every_sheet_keeps_its_name(run_cli, tmp_path):
    source = write_workbook(tmp_path / "plan.xlsx", {
        "Primo": sheet_xml([list(HEADER), row("1_1")]),
        "Secondo semestre": sheet_xml([list(HEADER), row("2_1", Peso="tanto")])})
    result, _ = convert(run_cli, source)
    [weight] = problem_lines(result.stderr, "unreadable-weight")
    assert weight.startswith(f"{source}, sheet Secondo semestre, row 2 [Peso, column 11]:")


def test_shared_strings_and_escaped_characters_are_read(run_cli, tmp_path):
    strings = list(HEADER) + ["1_1", "Riga uno_x000D_\nriga due", "Sorgente _x005F_x0041_ letterale"]
    cells = [f'<c r="{letter}2" t="s"><v>{index}</v></c>' for letter, index in zip("CDE", (11, 12, 13))]
    header = "".join(f'<c r="{chr(65 + index)}1" t="s"><v>{index}</v></c>' for index in range(len(HEADER)))
    body = f'<row r="1">{header}</row><row r="2">{"".join(cells)}' + "".join(
        text_cell(f"{chr(65 + index)}2", value) for index, value in enumerate(row("1_1")) if index not in (2, 3, 4)) + "</row>"
    source = write_workbook(tmp_path / "plan.xlsx", {"Obiettivi": sheet_xml(body)}, shared_strings=strings)
    plan = read_plan_table(source, ente="c_d150", year=2024)
    [read] = plan.objectives
    assert (read.code, read.title, read.definition) == ("1_1", "Riga uno\r\nriga due", "Sorgente _x0041_ letterale")


def test_workbook_past_the_cell_bound_is_refused(run_cli, tmp_path):
    """130 rows ending at column XFD are 130 × 16,384 cells: more than the 2,000,000 read."""
    rows = "".join(f'<row r="{number}">{text_cell(f"XFD{number}", "x")}</row>' for number in range(1, 131))
    source = write_workbook(tmp_path / "plan.xlsx", {"Obiettivi": sheet_xml(rows)})
    result, out = convert(run_cli, source)
    assert result.exit_code == 2
    assert f"{source}: error: the workbook has more than 2,000,000 cells" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize("part", ["xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"])
def test_part_inflating_to_a_gigabyte_is_refused_before_it_is_read(run_cli, tmp_path, part):
    """The ZIP is 1 MB; the part inflates to 1 GB. Reading it would take minutes and gigabytes of memory."""
    if part.endswith("sharedStrings.xml"):
        bomb = Member.repeated(f'<sst xmlns="{MAIN}">'.encode(), b"<si><t>" + b"a" * 2**20 + b"</t></si>", b"</sst>", 1024)
    else:
        bomb = Member.repeated(f'<worksheet xmlns="{MAIN}"><sheetData>'.encode(),
                               b'<row><c t="inlineStr"><is><t>' + b"a" * 2**20 + b"</t></is></c></row>", b"</sheetData></worksheet>", 1024)
    source = write_workbook(tmp_path / "plan.xlsx", {"Obiettivi": sheet_xml([list(HEADER), row("1_1")])}, shared_strings=[],
                            big_parts={part: bomb})
    assert source.stat().st_size < 2**21
    result, out = convert(run_cli, source)
    assert result.exit_code == 2
    assert f"{source}: error: the workbook's sheets and strings would take 1,024 MB uncompressed; at most 64 MB" \
        in result.stderr
    assert not out.exists()


# -- values that crashed the run -----------------------------------------------------------------------

def test_number_of_5000_digits_is_kept_as_written(run_cli, tmp_path):
    """Regression: ValueError (Exceeds the limit for integer string conversion), traceback, no output."""
    digits = "9" * 5000
    source = tmp_path / "plan.csv"
    source.write_text("\n".join(csv_line(cells) for cells in (list(HEADER), row("1_1", Target_Atteso=digits),
                                                               row("1_2", Peso=digits))), encoding="utf-8")
    result, out = convert(run_cli, source)
    assert result.exit_code == 1, result.stderr
    assert problem_lines(result.stderr, "unreadable-target")[0].startswith(f"{source}:2 [Target Atteso, column 10]: error:")
    assert problem_lines(result.stderr, "unreadable-weight")[0].startswith(f"{source}:3 [Peso, column 11]: error:")
    graph = graph_of(out)
    assert graph.value(URIRef(f"{PLAN}/obiettivo/1_1/indicatore/101"), PIAO.targetAsWritten) == Literal(digits)


def test_number_cell_of_5000_digits_in_a_workbook_is_kept_as_written(tmp_path):
    cells = row("1_1")
    cells[9] = f'<c r="J2"><v>{"9" * 5000}</v></c>'
    source = write_workbook(tmp_path / "plan.xlsx", {"Obiettivi": sheet_xml([list(HEADER), cells])})
    plan = read_plan_table(source, ente="c_d150", year=2024)
    assert [problem.code for problem in plan.problems] == ["unreadable-target"]
    assert plan.objectives[0].assignments[0].target.raw == "9" * 5000


@pytest.mark.parametrize("formula, reason", [
    ("$" + "{" * 20_000 + "x" + "}" * 20_000 + "$", "longer than 2000 characters"),
    ("$" + "{" * 45 + "x" + "}" * 45 + "$", "nested 45 levels deep, more than 40"),
    ("$" + r"\sqrt[\section[\item[x]]]" * 20 + "$", "not valid LaTeX"),     # pylatexenc's tolerant parser: exponential
])
def test_latex_that_cannot_be_read_is_kept_as_written_and_reported(run_cli, tmp_path, formula, reason):
    """Regression: RecursionError at 20,000 braces, traceback, no output."""
    source = tmp_path / "plan.csv"
    source.write_text("\n".join(csv_line(cells) for cells in (list(HEADER), row("1_1", Formula_Indicatore=formula))),
                      encoding="utf-8")
    result, out = convert(run_cli, source)
    assert result.exit_code == 1, result.stderr
    [note] = problem_lines(result.stderr, "unreadable-latex")
    assert note.startswith(f"{source}:2 [Formula Indicatore, column 8]: warning: the LaTeX of the formula could not be read ({reason}")
    formula_node = URIRef(f"{PLAN}/obiettivo/1_1/indicatore/101/formula")
    graph = graph_of(out)
    assert graph.value(formula_node, PIAO.formulaAsWritten) == Literal(formula)
    assert graph.value(formula_node, PIAO.formulaText) == Literal(formula, lang="it")


def test_valid_latex_still_gets_its_plain_text(tmp_path):
    formula = r"$(\text{Numero di autorizzazioni} / \text{Totale}) \times 100$"
    source = tmp_path / "plan.csv"
    source.write_text("\n".join(csv_line(cells) for cells in (list(HEADER), row("1_1", Formula_Indicatore=formula))),
                      encoding="utf-8")
    plan = read_plan_table(source, ente="c_d150", year=2024)
    assert plan.objectives[0].assignments[0].formula.text == "(Numero di autorizzazioni / Totale) × 100"
    assert not [problem for problem in plan.problems if problem.code == "unreadable-latex"]


# -- regexes on long runs ---------------------------------------------------------------------------------

RUN = 60_000
HOSTILE_CELLS = [
    " " * RUN, "x " * (RUN // 2), "DIRIGENTE: a" + " " * RUN + "b", "COMUNE DI a" + " " * RUN + "b",
    "1 = fatto 0 = non fatto" + " " * RUN + "x", "PNRR M5C2-I" + " " * RUN + "x", "Settore (dal 1/1/24" + " " * RUN + "x",
    "PIANO DEGLI OBIETTIVI" + " " * RUN + "x", "1" * RUN + "x", "1." * (RUN // 2), "$" + "a" * RUN, "_" * RUN,
    "\t" + " \t" * (RUN // 2) + "x", "(" * RUN,
]


def test_cells_of_60000_spaces_and_repeated_characters_in_every_column_convert(run_cli, tmp_path):
    """60,000 spaces in a title once took 112 s (quadratic backtracking), and in a settore cell minutes more.
    Written as N-Triples and read back with Oxigraph: rdflib's Turtle writer and N-Triples parser are slow on
    literals this long, a matter of their own."""
    lines = [csv_line(list(HEADER)), csv_line(row("1_1"))]
    for number, cell in enumerate(HOSTILE_CELLS, start=2):
        lines += [csv_line([cell] * len(HEADER)), csv_line(row(f"1_{number}", f"Obiettivo {number}"))]
    source = tmp_path / "plan.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result, out = convert(run_cli, source, suffix=".nt")
    assert result.exit_code == 1, result.stderr[-2000:]
    with out.open("rb") as handle:
        written = {triple.object.value for triple in ox.parse(handle, format=ox.RdfFormat.N_TRIPLES)
                   if triple.predicate.value == str(DCTERMS.title)}
    assert {f"Obiettivo {number}" for number in range(2, len(HOSTILE_CELLS) + 2)} <= written


def test_prose_lines_of_long_runs_in_a_text_table(run_cli, tmp_path):
    prose = ["COMUNE DI CREMONA" + " " * RUN, "DIRIGENTE: ROSSI" + " " * RUN + "MARIO", "PIANO DEGLI OBIETTIVI" + " " * RUN]
    lines = prose + ["\t".join(HEADER), "\t".join(row("1_1"))]
    source = tmp_path / "plan.txt"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    plan = read_plan_table(source, year=2024)
    assert plan.ente.ipa_code == "c_d150"
    assert [objective.code for objective in plan.objectives] == ["1_1"]


# -- rows that are not rows of the table ----------------------------------------------------------------

def csv_plan(tmp_path: Path, lines: list[str]) -> Path:
    source = tmp_path / "plan.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return source


def only(cells: dict[str, str]) -> list[str]:
    """A row with text in the named columns only."""
    return [cells.get(column, "") for column in HEADER]


def test_prose_line_between_rows_is_reported_not_dropped(run_cli, tmp_path):
    source = csv_plan(tmp_path, [csv_line(list(HEADER)), csv_line(row("1_1")),
                                 "Le schede seguenti sono state approvate dalla Giunta",
                                 csv_line(row("1_2", "Dopo", Dirigente=""))])
    result, out = convert(run_cli, source)
    assert result.exit_code == 1, result.stderr
    [prose] = problem_lines(result.stderr, "prose-in-table")
    assert prose.startswith(f"{source}:3: warning:") and "approvate dalla Giunta" in prose, prose
    assert not problem_lines(result.stderr, "short-row")
    graph = graph_of(out)
    assert {"Nuova palestra", "Dopo"} <= titles(graph)
    assert not [text for text in graph.objects() if "Giunta" in text], "the sentence is no dirigente's name"


def test_row_holding_only_a_definition_fragment_is_appended_and_reported(run_cli, tmp_path):
    source = csv_plan(tmp_path, [csv_line(list(HEADER)), csv_line(row("1_1", Definizione_Obiettivo="Realizzare la palestra")),
                                 csv_line(only({"Definizione Obiettivo": "entro il 2025 nel quartiere Po"})),
                                 csv_line(row("1_2", "Dopo"))])
    result, out = convert(run_cli, source)
    [continued] = problem_lines(result.stderr, "continued-cell")
    assert continued.startswith(f"{source}:3 [Definizione Obiettivo, column 5]: info:"), continued
    assert graph_of(out).value(objective("1_1"), DCTERMS.description) == Literal(
        "Realizzare la palestra entro il 2025 nel quartiere Po", lang="it")


def test_trailing_row_with_only_a_settore_is_reported(run_cli, tmp_path):
    source = csv_plan(tmp_path, [csv_line(list(HEADER)), csv_line(row("1_1")),
                                 csv_line(only({"Settore": "Settore Cultura"}))])
    result, out = convert(run_cli, source)
    assert result.exit_code == 1, result.stderr
    [settore] = problem_lines(result.stderr, "settore-without-objectives")
    assert settore.startswith(f"{source}:3 [Settore, column 2]: warning: settore “Settore Cultura” has no objective"), settore
    assert "Nuova palestra" in titles(graph_of(out))


def test_the_same_rows_in_a_workbook_are_reported_with_their_sheet_rows(run_cli, tmp_path):
    source = tmp_path / "plan.xlsx"
    workbook = openpyxl_workbook(source, [list(HEADER), row("1_1", Definizione_Obiettivo="Realizzare la palestra"),
                               only({"Definizione Obiettivo": "entro il 2025"}),
                               ["Le schede seguenti sono state approvate dalla Giunta"],
                               row("1_2", "Dopo", Dirigente=""), only({"Settore": "Settore Cultura"})])
    workbook.active.merge_cells("A4:K4")
    workbook.save(source)
    result, out = convert(run_cli, source)
    codes = {line.rpartition("[")[2].rstrip("]"): line for line in result.stderr.splitlines() if line.endswith("]")}
    assert codes["continued-cell"].startswith(f"{source}, sheet Obiettivi, row 3 ["), result.stderr
    assert codes["prose-in-table"].startswith(f"{source}, sheet Obiettivi, row 4"), result.stderr
    assert codes["settore-without-objectives"].startswith(f"{source}, sheet Obiettivi, row 6 ["), result.stderr
    graph = graph_of(out)
    assert graph.value(objective("1_1"), DCTERMS.description) == Literal("Realizzare la palestra entro il 2025", lang="it")
    assert "Dopo" in titles(graph)
    assert not [text for text in graph.objects() if "Giunta" in text], "the sentence is no dirigente's name"


# -- number formats ----------------------------------------------------------------------------------------

def test_percent_and_date_cells_are_read_as_the_user_sees_them(run_cli, tmp_path):
    """0.55 formatted 0% is 55% on screen, and a date serial formatted dd/mm/yyyy is a date: not 0,55 and 46022."""
    source = tmp_path / "plan.xlsx"
    workbook = openpyxl_workbook(source, [list(HEADER), row("1_1", Formula_Indicatore="Pratiche evase / ricevute"),
                                          row("1_1", Codice_Ind="102", Titolo_Indicatore="Apertura",
                                              Formula_Indicatore="Data di apertura")])
    sheet = workbook.active
    sheet["J2"], sheet["J2"].number_format = 0.555, "0.0%"
    sheet["J3"], sheet["J3"].number_format = dt.datetime(2025, 12, 31), "dd/mm/yyyy"
    sheet["K2"], sheet["K3"] = 50, 50
    workbook.save(source)
    result, out = convert(run_cli, source)
    assert result.exit_code == 0, result.stderr
    graph = graph_of(out)
    percent, deadline = (URIRef(f"{PLAN}/obiettivo/1_1/indicatore/{code}") for code in ("101", "102"))
    assert graph.value(percent, PIAO.targetAsWritten) == Literal("55,5%")
    assert graph.value(percent, PIAO.targetValue).toPython() == Decimal("55.5")
    assert graph.value(deadline, PIAO.targetAsWritten) == Literal("31/12/2025")
    assert graph.value(deadline, PIAO.targetDate) == Literal("2025-12-31", datatype=XSD.date)


def test_part_lying_about_its_size_is_cut_there_and_refused(run_cli, tmp_path):
    """The ZIP says the sheet inflates to 20 kB; it inflates to 1 GB. Nothing past the 20 kB is inflated."""
    bomb = Member.repeated(f'<worksheet xmlns="{MAIN}"><sheetData>'.encode(),
                           b'<row><c t="inlineStr"><is><t>' + b"a" * 2**20 + b"</t></is></c></row>",
                           b"</sheetData></worksheet>", 1024).declaring(20_000)
    source = write_workbook(tmp_path / "plan.xlsx", {"Obiettivi": sheet_xml([list(HEADER), row("1_1")])},
                            big_parts={"xl/worksheets/sheet1.xml": bomb})
    result, out = convert(run_cli, source)
    assert result.exit_code == 2, result.stderr
    assert (f"{source}: error: not a readable XLSX workbook: xl/worksheets/sheet1.xml does not inflate to the size and "
            "checksum its ZIP entry declares") in result.stderr
    assert not out.exists()
