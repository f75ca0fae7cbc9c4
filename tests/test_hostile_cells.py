"""Hostile cells, drawn by hypothesis, through ``read_plan_table`` and ``piao-lod convert``.

Every table has a valid objective before and after one to four hostile rows, whose cells are
huge numbers, LaTeX nested or repeated past what pylatexenc survives, long runs of spaces and
repeated characters after the prefixes the regexes look for, NUL and control characters, lone
surrogates, 300-character codes and stray quotes; as CSV (three delimiters, raw or quoted),
PDF-extracted text or XLSX (characters XML cannot hold written as Excel escapes them). The
outcome is always a plan, or a SourceError only for a file the readers refuse as a whole (a
text file with NUL bytes at its start is binary); problems name their line, and their column
when they are about a cell; both valid objectives are converted; the CLI writes the output.
The N-Triples written are read back with Oxigraph: rdflib's parser takes 25 s on a graph of
literals of 100,000 characters, a matter of its own.

Set PIAO_LOD_FUZZ_SCALE=10 (say) for a longer hunt.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
import pyoxigraph as ox
from rdflib import DCTERMS

from piao_lod import Plan, SourceError, plan_to_graph, read_plan_table
from workbooks import sheet_xml, write_workbook

SCALE = int(os.environ.get("PIAO_LOD_FUZZ_SCALE", "1"))
HEADER = ("Dirigente", "Settore", "Codice Obiettivo", "Titolo Obiettivo", "Definizione Obiettivo", "Codice Ind",
          "Titolo Indicatore", "Formula Indicatore", "Finalità Indicatore", "Target Atteso", "Peso")
VALID = {"Dirigente": "ROSSI MARIO", "Settore": "Settore Sport", "Codice Ind": "101", "Titolo Indicatore": "Lavori",
         "Formula Indicatore": r"$(\text{fatti} / \text{previsti}) \times 100$", "Finalità Indicatore": "Avviare",
         "Target Atteso": "100", "Peso": "100", "Definizione Obiettivo": "Definizione"}
FIRST, LAST = ("9.9.9_0001", "Primo obiettivo valido"), ("9.9.9_0002", "Ultimo obiettivo valido")
PLAN = "https://w3id.org/piao-lod/id/c_d150/piano/2024"

PREFIXES = ["", "DIRIGENTE: a", "COMUNE DI a", "1 = fatto 0 = non fatto", "PNRR M5C2-I", "Settore (dal 1/1/24",
            "PIANO DEGLI OBIETTIVI", "$a", r"\text{", "1.", "1_", "x"]
FILLS = [" ", "\t", "x ", ". ", "1", "_", "(", "\u00a0", "$", "{", "\\"]
runs = st.builds(lambda prefix, fill, count, end: prefix + fill * count + end,
                 st.sampled_from(PREFIXES), st.sampled_from(FILLS), st.integers(1_000, 30_000), st.sampled_from(["", "x", ")", "b"]))
huge_numbers = st.builds(lambda digits, kind: {0: digits, 1: f"{digits},5", 2: f"{digits[:3]}.{digits}", 3: f"-{digits}%"}[kind],
                         (st.sampled_from([31, 4_301, 5_000]) | st.integers(31, 6_000)).map(lambda n: "9" * n),
                         st.integers(0, 3))
deep_latex = st.builds(lambda depth, opener, closer: "$" + opener * depth + "x" + closer * depth + "$",
                       st.integers(41, 20_000), st.sampled_from(["{", r"\left(", r"\frac{", r"\begin{a}", "["]),
                       st.sampled_from(["}", r"\right)", "}{y}", r"\end{a}", "]"]))
repeated_latex = st.builds(lambda unit, times: "$" + unit * times + "$",
                           st.sampled_from([r"\sqrt[\section[\item[x]]]", r"\sqrt[", r"\sqrt[x", r"\item[", "{}", r"\text{a}",
                                            "x\\begin{a}$$\\(\\href", "\\right)]_{&\\cite"]), st.integers(1, 400))
controls = st.text(st.characters(max_codepoint=0x1F) | st.sampled_from("\x7f\x85\u2028\u2029\ufeff\ufffe"), min_size=1, max_size=6)
surrogates = st.text(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1, max_size=3)
long_codes = st.integers(250, 400).map(lambda n: ("1." * n)[:n - 2] + "_1") | st.text(min_size=300, max_size=320)
quotes = st.sampled_from(['"aperta', 'a"b', '""', '"', '"chiusa" dopo', "'"])
hostile = st.one_of(runs, huge_numbers, deep_latex, repeated_latex, controls, surrogates, long_codes, quotes,
                    st.builds(lambda a, b: a + b, controls | surrogates, st.text(max_size=10)))
BY_COLUMN = {"Target Atteso": huge_numbers | hostile, "Peso": huge_numbers | hostile,
             "Formula Indicatore": deep_latex | repeated_latex | hostile}


def valid_row(code: str, title: str) -> list[str]:
    return [{"Codice Obiettivo": code, "Titolo Obiettivo": title}.get(column) or VALID[column] for column in HEADER]


@st.composite
def tables(draw) -> list[list[str]]:
    rows = [list(HEADER), valid_row(*FIRST)]
    for _ in range(draw(st.integers(1, 4))):
        cells = valid_row("1.1_0001", "Ostile")
        for index in draw(st.sets(st.integers(0, len(HEADER) - 1), min_size=1)):
            cells[index] = draw(BY_COLUMN.get(HEADER[index], hostile))
        rows.append(cells)
    rows.append(valid_row(*LAST))
    return rows


@st.composite
def sources(draw) -> tuple[str, object]:
    """(suffix, bytes) for text and CSV, (".xlsx", rows) for a workbook."""
    rows = draw(tables())
    kind = draw(st.sampled_from(["csv;", "csv,", "csv\t", "csv;raw", "txt", "xlsx"]))
    if kind == "xlsx":
        return ".xlsx", rows
    delimiter = "\t" if kind in ("txt", "csv\t") else kind[3]
    if kind in ("txt", "csv;raw"):
        text = "\n".join(delimiter.join(cells) for cells in rows)
    else:
        buffer = io.StringIO(newline="")
        csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
        text = buffer.getvalue()
    return (".txt" if kind == "txt" else ".csv"), text.encode("utf-8", "surrogatepass")


def write_source(directory: str, suffix: str, content) -> Path:
    path = Path(directory) / f"plan{suffix}"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        write_workbook(path, {"Obiettivi": sheet_xml(content)})
    return path


def refused_as_a_whole(path: Path) -> bool:
    """A text file with NUL bytes in its first 8 kB is binary (see converters/decoding.py)."""
    return path.suffix != ".xlsx" and b"\x00" in path.read_bytes()[:8192]


FILE_LEVEL = {"option-overridden", "year-from-triennium"}
CELL_CODES = {"unreadable-target", "unreadable-weight", "unreadable-latex", "formula-without-value", "unclosed-quote",
              "missing-objective-code", "duplicate-objective-code", "unknown-pnrr-code", "pnrr-code-not-in-scheme",
              "pnrr-without-code", "missing-indicator-code", "duplicate-indicator-in-objective", "ragged-row"}


def check_plan(path: Path, plan: Plan) -> None:
    for problem in plan.problems:
        assert str(problem).startswith(str(path)), str(problem)[:300]
        if problem.code not in FILE_LEVEL:
            assert problem.location.line is not None, str(problem)[:300]
        if problem.code in CELL_CODES:
            assert problem.location.column or problem.location.column_number, str(problem)[:300]
    by_code = {objective.code: objective for objective in plan.objectives}
    for code, title in (FIRST, LAST):
        assert code in by_code and by_code[code].title == title, sorted(by_code)[:5]
        assert by_code[code].assignments[0].indicator_code == "101"
    graph = plan_to_graph(plan)
    written = graph.serialize(format="nt", encoding="utf-8")
    assert sum(1 for _ in ox.parse(written, format=ox.RdfFormat.N_TRIPLES)) == len(graph)


@settings(max_examples=150 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(sources())
def test_hostile_cells_never_crash_the_reader_and_the_other_rows_are_read(source):
    with tempfile.TemporaryDirectory() as directory:
        path = write_source(directory, *source)
        try:
            plan = read_plan_table(path, ente="c_d150", year=2024)
        except SourceError as error:
            assert refused_as_a_whole(path), str(error)[:500]
            assert str(error).startswith(str(path))
            return
        assert not refused_as_a_whole(path)
        check_plan(path, plan)


@settings(max_examples=40 * SCALE, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])
@given(sources())
def test_hostile_cells_through_the_cli_write_the_other_rows(run_cli, source):
    with tempfile.TemporaryDirectory() as directory:
        path = write_source(directory, *source)
        out = Path(directory) / "out.nt"
        result = run_cli("convert", path, "-o", out, "--ente", "c_d150", "--year", "2024", "--problems", "json")
        assert "Traceback" not in result.output
        if refused_as_a_whole(path):
            assert result.exit_code == 2, result.stderr[:500]
            return
        assert result.exit_code in (0, 1), result.stderr[:2000]
        with out.open("rb") as handle:
            titles = {triple.subject.value: triple.object.value for triple in ox.parse(handle, format=ox.RdfFormat.N_TRIPLES)
                      if triple.predicate.value == str(DCTERMS.title)}
        for code, title in (FIRST, LAST):
            assert titles.get(f"{PLAN}/obiettivo/{code}") == title
