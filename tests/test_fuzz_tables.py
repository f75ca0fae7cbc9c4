"""Random tables never crash the reader: a Plan or a SourceError, and the graph always serialises.

Tables are drawn from the header synonyms in vocabularies/columns.csv, with
random cells (Italian and English numbers, LaTeX, PNRR codes, RTL text, emoji,
control characters, tabs, quotes and newlines inside cells), ragged rows,
encodings and formats; then the real example damaged line by line, and a
workbook damaged inside its ZIP. Files are written with ``tempfile`` because
hypothesis runs many examples per test function.

The example counts keep the file under a minute on two cores; set
PIAO_LOD_FUZZ_SCALE=10 (say) for a longer hunt.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import tempfile
import zipfile
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from rdflib import Graph

from conftest import EXAMPLE, ROOT
from piao_lod import Plan, SourceError, plan_to_graph, read_plan_table

SCALE = int(os.environ.get("PIAO_LOD_FUZZ_SCALE", "1"))
SYNONYMS: dict[str, list[str]] = {}
with (ROOT / "vocabularies" / "columns.csv").open(encoding="utf-8") as handle:
    for entry in csv.DictReader(handle):
        SYNONYMS.setdefault(entry["field"], []).append(entry["header"])
SYNONYMS["purpose"].append("Finalità Indicatore")
FIELDS = sorted(SYNONYMS)

HEADERS = sorted({variant for names in SYNONYMS.values() for text in names
                  for variant in (text, text.upper(), text.title(), f" {text} ", text.replace(" ", "  "))})
NUMBERS = [
    "3.800", "78.219", "1.234.567", "1.234,56", "12,5", "12.5", "0,00000001", "1e5", "1E-9", "-0", "+3", ",5", ".5",
    "1.2.3", "1,234.5", " 7 %", "1\u00a0000", "1\u202f000,5", "%", "100 %", "70%", "0", "50", "100", "-12,75",
    "99999999999999999999", "0,1234567890123456789", "nan", "inf", "-inf", "1.0", "2.457", "٣٠", "１２",
]
LATEX = [
    r"$\frac{a}{b}$", r"$(\text{Numero di autorizzazioni} / \text{Totale}) \times 100$", r"$\left(", r"\text{",
    r"$$", r"\frac{1}{", r"$\unknownmacro{x}$", r"$x^{2}_{3}$", r"$\begin{array}{c}$", r"\mathrm{}", r"$\cdot",
    r"\left\{ \right.", "$%$", r"$\text{\\}$",
]
SPECIAL = [
    "", " ", "\t", "\n", "\r\n", "\r", '"', '""', '"a;b"', "'", ";", ",", "DIRIGENTE: ROSSI MARIO", "DIRIGENTE:",
    "COMUNE DI CREMONA", "COMUNE DI NESSUNLUOGO", "AGGIORNAMENTO PIANO DEGLI OBIETTIVI 2024", "2024 – 2026",
    "Piano Integrato di Attività e Organizzazione", "PNRR - M5C2-I2.1 - Piste", "PNRR – M5C2-I2.1.2 – x",
    "PNRR M9C9-I9.9", "M1C1I1.1", "PNRR", "Settore Sport (dal 31/02/24)", "Settore Tributi (01/04/24)",
    "Settore X (dal 1/1/2024)", "1 = fatto 0 = non fatto", "0 = no / 1 = sì", "=SUM(A1:A3)", "c_d150", "c_b157",
    "2024", "0000", "\u202eRTL override", "مرحبا بالعالم", "עברית", "😀👍🏽", "\x00", "\x1b[31m", "\ufeff",
    "\u2028", "\x85", "\x0c", "a\tb", "riga\nnuova", "<script>", "http://example.org/x y", "_:b0", "\\", "\\u0000",
]
OBJECTIVE_CODES = ["1.3.2_0003", "980_0001", "989_0002", "1_1", "X_1", "1.1.1_0001", "2.2.4_0004", "1.1_0001", "٣_١"]
INDICATOR_CODES = ["774", "883", "0", "ABC", "1", "12345", "7.5"]

any_cell = st.one_of(st.sampled_from(SPECIAL + NUMBERS + LATEX + OBJECTIVE_CODES + HEADERS[::25]), st.text(max_size=25))
numbers = st.one_of(st.sampled_from(NUMBERS), st.integers(-10**7, 10**13).map(lambda n: f"{n:,}".replace(",", ".")),
                    st.floats().map(str))


def mostly(common: list[str], rare: list[str]) -> st.SearchStrategy[str]:
    """Mostly one of ``common``, now and then one of ``rare``: several values of one Ente/Anno make the file unusable."""
    return st.sampled_from(common * 30 + rare)


FIELD_CELLS = {
    "objective_code": st.sampled_from(OBJECTIVE_CODES + [""]), "indicator_code": st.sampled_from(INDICATOR_CODES + [""]),
    "target": numbers, "weight": numbers, "formula": st.sampled_from(LATEX + SPECIAL),
}
CELLS = {field: st.one_of(FIELD_CELLS[field], any_cell) if field in FIELD_CELLS else any_cell for field in FIELDS}
CELLS["ente"] = mostly(["c_d150", ""], ["c_b157", "Cremona", "?!", "COMUNE DI CREMONA"])
CELLS["year"] = mostly(["2024", ""], ["2023", "24", "٢٠٢٤", "MMXXIV"])
CELLS[None] = any_cell
SYNONYM_CHOICES = {field: st.sampled_from(names) for field, names in SYNONYMS.items()}
UNKNOWN_HEADERS = st.one_of(st.text(max_size=12), st.sampled_from(HEADERS))
PROSE = st.sampled_from(SPECIAL)
TENTHS = st.integers(0, 9)


@lru_cache(maxsize=None)
def integers(low: int, high: int) -> st.SearchStrategy[int]:
    """Strategies built once: building them in every draw costs more than the test."""
    return st.integers(low, high)


@st.composite
def tables(draw) -> list[list[object]]:
    """Prose lines, a header of random known (and unknown) columns, then ragged rows."""
    required = ["objective_code", "objective_title"] if draw(TENTHS) < 8 else []
    fields: list[str | None] = list(dict.fromkeys(draw(st.permutations(
        required + draw(st.lists(st.sampled_from(FIELDS), unique=True, min_size=1, max_size=11))))))
    header = [draw(SYNONYM_CHOICES[field]) for field in fields]
    for _ in range(draw(integers(0, 2))):
        position = draw(integers(0, len(header)))
        header.insert(position, draw(UNKNOWN_HEADERS))
        fields.insert(position, None)
    rows: list[list[object]] = [[draw(PROSE)] for _ in range(draw(integers(0, 3)))]
    rows.append(header)
    for _ in range(draw(integers(0, 10))):
        width = draw(integers(0, len(header) + 3))
        rows.append([draw(CELLS[fields[index] if index < len(fields) else None]) for index in range(width)])
        if draw(TENTHS) == 0:
            rows.append(list(header))
    return rows


XLSX_VALUES = st.one_of(st.integers(-10**15, 10**15), st.floats(allow_nan=False, allow_infinity=False), st.booleans(),
                        st.datetimes(min_value=dt.datetime(1900, 3, 1)), st.none())
FORMATS = st.sampled_from(["txt", "txt", "csv;", "csv;", "csv,", "csv,", "csv\t", "xlsx"])
NEWLINES = st.sampled_from(["\n", "\r\n", "\r"])
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"])


def xlsx_value(draw, cell: object) -> object:
    """Some cells become numbers, dates or booleans; text loses what XML cannot hold."""
    text = ILLEGAL_CHARACTERS_RE.sub("", str(cell))
    kind = draw(TENTHS)
    if kind == 0:
        return draw(XLSX_VALUES)
    if kind == 1:
        try:
            return float(text.replace(",", ".")) if "." in text or "," in text else int(text)
        except ValueError:
            return text
    return text


@st.composite
def table_files(draw) -> tuple[str, bytes | list[list[list[object]]]]:
    """(suffix, content): bytes for .txt/.csv, sheets of cell values for .xlsx."""
    rows = draw(tables())
    kind = draw(FORMATS)
    if kind == "xlsx":
        sheets = [[[xlsx_value(draw, cell) for cell in row] for row in rows]]
        if draw(TENTHS) < 2:
            sheets.append([[xlsx_value(draw, cell) for cell in row] for row in draw(tables())])
        return ".xlsx", sheets
    newline, delimiter = draw(NEWLINES), kind[3:] or "\t"
    if kind == "txt" or draw(TENTHS) < 2:
        text = newline.join(delimiter.join(str(cell) for cell in row) for row in rows)
    else:
        buffer = io.StringIO(newline="")
        csv.writer(buffer, delimiter=delimiter, lineterminator=newline).writerows([[str(c) for c in row] for row in rows])
        text = buffer.getvalue()
    encoding = draw(ENCODINGS)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    return (".txt" if kind == "txt" else ".csv"), data


def write_source(directory: str, suffix: str, content) -> Path:
    path = Path(directory) / f"plan{suffix}"
    if isinstance(content, bytes):
        path.write_bytes(content)
        return path
    workbook = openpyxl.Workbook()
    for number, rows in enumerate(content):
        sheet = workbook.active if number == 0 else workbook.create_sheet(f"Foglio {number + 1}")
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def check_reader(path: Path) -> None:
    try:
        plan = read_plan_table(path, ente="c_d150", year=2024)
    except SourceError as error:
        assert str(error).startswith(str(path)), str(error)
        return
    assert isinstance(plan, Plan)
    for problem in plan.problems:
        assert str(problem).startswith(str(path)), str(problem)
    graph = plan_to_graph(plan)
    turtle = graph.serialize(format="turtle")
    parsed = Graph().parse(data=turtle, format="turtle")
    assert len(parsed) == len(graph)


@settings(max_examples=1000 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(table_files())
def test_reader_returns_a_plan_or_a_source_error(source):
    with tempfile.TemporaryDirectory() as directory:
        check_reader(write_source(directory, *source))


CLI_SETTINGS = settings(max_examples=120 * SCALE, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])


@CLI_SETTINGS
@given(table_files(), st.sampled_from(["ttl", "nt", "jsonld", "trig", "nq"]), st.sampled_from(["text", "json"]))
def test_cli_exits_0_1_or_2_without_traceback(run_cli, source, rdf_format, problems):
    """``run_cli`` holds no state between examples, so one fixture for all of them is fine."""
    with tempfile.TemporaryDirectory() as directory:
        path = write_source(directory, *source)
        out = Path(directory) / f"out.{rdf_format}"
        result = run_cli("convert", path, "-o", out, "--ente", "c_d150", "--year", "2024", "--problems", problems)
        assert result.exit_code in (0, 1, 2), result.output
        assert "Traceback" not in result.output
        if result.exit_code in (0, 1):
            assert out.stat().st_size > 0


EXAMPLE_LINES = EXAMPLE.read_text(encoding="utf-8").split("\n")


@st.composite
def damaged_example(draw) -> str:
    """A window of the real example with lines deleted, repeated or cut, and cells replaced, added or dropped."""
    start = draw(integers(0, len(EXAMPLE_LINES) - 1))
    lines = EXAMPLE_LINES[start:draw(integers(start, min(len(EXAMPLE_LINES), start + 40)))]
    for _ in range(draw(integers(0, 6))):
        if not lines:
            break
        index, operation = draw(integers(0, len(lines) - 1)), draw(integers(0, 5))
        cells = lines[index].split("\t")
        cell = draw(integers(0, len(cells) - 1))
        if operation == 0:
            del lines[index]
        elif operation == 1:
            lines.insert(index, lines[index])
        elif operation == 2:
            lines[index] = lines[index][:draw(integers(0, len(lines[index])))]
        else:
            if operation == 3:
                cells[cell] = draw(any_cell)
            elif operation == 4:
                cells.insert(cell, draw(any_cell))
            else:
                del cells[cell]
            lines[index] = "\t".join(cells)
    return "\n".join(lines)


@settings(max_examples=100 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged_example(), st.sampled_from([".txt", ".csv"]))
def test_damaged_example_reads_or_fails_cleanly(text, suffix):
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"plan{suffix}"
        path.write_text(text, encoding="utf-8")
        check_reader(path)


def small_workbook() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["Ente", "Anno", "Codice Obiettivo", "Titolo Obiettivo", "Codice Ind", "Target Atteso", "Peso"])
    workbook.active.append(["c_d150", 2024, "1_1", "Uno", "7", 3800, 50])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


WORKBOOK = small_workbook()
WORKBOOK_MEMBERS = zipfile.ZipFile(io.BytesIO(WORKBOOK)).namelist()


@st.composite
def damaged_workbooks(draw) -> bytes:
    """The small workbook with one member dropped, cut, garbled or replaced, or the ZIP bytes themselves flipped."""
    if draw(TENTHS) < 2:
        data = bytearray(WORKBOOK)
        for _ in range(draw(integers(1, 8))):
            data[draw(integers(0, len(data) - 1))] = draw(integers(0, 255))
        return bytes(data)
    victim, operation = draw(st.sampled_from(WORKBOOK_MEMBERS)), draw(integers(0, 3))
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(WORKBOOK)) as original, zipfile.ZipFile(buffer, "w") as copy:
        for name in original.namelist():
            data = original.read(name)
            if name == victim:
                if operation == 0:
                    continue
                if operation == 1:
                    data = data[:draw(integers(0, len(data)))]
                elif operation == 2:
                    garbled = bytearray(data)
                    for _ in range(draw(integers(1, 5))):
                        garbled[draw(integers(0, len(garbled) - 1))] = draw(integers(0, 255))
                    data = bytes(garbled)
                else:
                    data = draw(st.binary(max_size=200))
            copy.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.filterwarnings("ignore::UserWarning")
@settings(max_examples=150 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged_workbooks())
def test_damaged_workbook_reads_or_fails_cleanly(data):
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "plan.xlsx"
        path.write_bytes(data)
        check_reader(path)


def test_decimal_targets_serialise_as_decimals():
    """Tiny and huge decimals keep an xsd:decimal lexical form (no exponent) through Turtle."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "plan.csv"
        path.write_text("Codice Obiettivo;Titolo Obiettivo;Codice Ind;Target Atteso;Peso\n"
                        "1_1;Uno;1;0,00000001;12,5\n1_1;Uno;2;1.000.000,5;0,5\n", encoding="utf-8")
        plan = read_plan_table(path, ente="c_d150", year=2024)
        turtle = plan_to_graph(plan).serialize(format="turtle")
        assert "piao:targetValue 0.00000001 ;" in turtle and "piao:targetValue 1000000.5 ;" in turtle
        parsed = Graph().parse(data=turtle, format="turtle")
        values = {literal.toPython() for literal in parsed.objects(None, None) if isinstance(literal.toPython(), Decimal)}
        assert {Decimal("0.00000001"), Decimal("1000000.5"), Decimal("12.5"), Decimal("0.5")} <= values
