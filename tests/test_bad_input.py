"""Bad input through the CLI: the right exit code and a message naming file, line and column.

Exit codes: 0 converted; 1 converted with data problems; 2 unusable input.
Each table is a few lines built in the test from one valid row.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from rdflib import ConjunctiveGraph, DCTERMS, Graph, Literal, URIRef

from conftest import DATA
from piao_lod.leftovers import owner_tag
from piao_lod.namespaces import PIAO

HEADER = ("Ente", "Anno", "Dirigente", "Settore", "Codice Obiettivo", "Titolo Obiettivo", "Codice Ind",
          "Titolo Indicatore", "Formula Indicatore", "Finalità Indicatore", "Target Atteso", "Peso")
ROW = {
    "Ente": "c_d150", "Anno": "2024", "Dirigente": "ROSSI MARIO", "Settore": "Settore Sport",
    "Codice Obiettivo": "1.1.1_0001", "Titolo Obiettivo": "Nuova palestra", "Codice Ind": "101",
    "Titolo Indicatore": "Lavori avviati", "Formula Indicatore": "1 = fatto 0 = non fatto",
    "Finalità Indicatore": "Avviare i lavori", "Target Atteso": "1", "Peso": "100",
}
PLAN = "https://w3id.org/piao-lod/id/c_d150/piano/2024"


def write_table(directory: Path, *rows: dict[str, str] | str, name: str = "plan.csv", drop: tuple[str, ...] = (),
                encoding: str = "utf-8") -> Path:
    """A semicolon CSV: the header (less ``drop``) on line 1, then each row as changes to ROW, or a line as is."""
    header = [column for column in HEADER if column not in drop]
    lines = [";".join(header)]
    for row in rows or ({},):
        lines.append(row if isinstance(row, str) else ";".join({**ROW, **row}[column] for column in header))
    path = directory / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def convert(run_cli, *args):
    """``piao-lod convert`` with its messages in English, the language these assertions are written in."""
    result = run_cli("convert", "--lang", "en", *args)
    assert "Traceback" not in result.output
    return result


def converted_graph(path: Path) -> Graph:
    assert path.exists(), "the usable data should still be written"
    return Graph().parse(path)


def test_valid_table_converts_cleanly(run_cli, tmp_path):
    """The helper's table itself has no problem, so every other test's problem is its own."""
    result = convert(run_cli, write_table(tmp_path), "-o", tmp_path / "x.ttl")
    assert result.exit_code == 0, result.stderr
    assert "0 errors, 0 warnings" in result.stderr


# -- unusable files: exit 2 ----------------------------------------------------

def test_missing_file(run_cli, tmp_path):
    missing = tmp_path / "nowhere.csv"
    result = convert(run_cli, missing, "-o", tmp_path / "x.ttl")
    assert result.exit_code == 2
    assert f"{missing}: error: file not found" in result.stderr
    assert not (tmp_path / "x.ttl").exists()


def test_empty_file(run_cli, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    result = convert(run_cli, empty, "-o", tmp_path / "x.ttl")
    assert result.exit_code == 2
    assert f"{empty}: error: file is empty" in result.stderr


@pytest.mark.parametrize("name, message", [
    ("plan.txt", "binary file"),
    ("plan.csv", "binary file"),
    ("plan.xlsx", "not a readable XLSX workbook"),
])
def test_binary_file(run_cli, tmp_path, name, message):
    binary = tmp_path / name
    binary.write_bytes(b"\x00\x01" + random.Random(7).randbytes(4000) + b"\x00" * 16)
    result = convert(run_cli, binary, "-o", tmp_path / "x.ttl")
    assert result.exit_code == 2
    assert f"{binary}: error: {message}" in result.stderr


def test_xlsx_named_csv(run_cli, tmp_path):
    misnamed = tmp_path / "plan.csv"
    misnamed.write_bytes((DATA / "formats" / "cremona-2024.xlsx").read_bytes())
    result = convert(run_cli, misnamed, "-o", tmp_path / "x.ttl")
    assert result.exit_code == 2
    assert f"{misnamed}: error: this is a ZIP/XLSX file, not text: name it .xlsx or pass --source-format xlsx" \
        in result.stderr
    assert convert(run_cli, misnamed, "-o", tmp_path / "x.ttl", "--source-format", "xlsx").exit_code == 1


def test_damaged_xlsx(run_cli, tmp_path):
    """A sheet cut short: openpyxl only fails when the rows are read."""
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(DATA / "formats" / "cremona-2024.xlsx") as original, zipfile.ZipFile(damaged, "w") as copy:
        for name in original.namelist():
            data = original.read(name)
            copy.writestr(name, data[: len(data) // 2] if name == "xl/worksheets/sheet1.xml" else data)
    result = convert(run_cli, damaged, "-o", tmp_path / "x.ttl")
    assert result.exit_code == 2
    assert f"{damaged}: error: not a readable XLSX workbook (ParseError:" in result.stderr


def test_directory(run_cli, tmp_path):
    """A folder stands for the tables inside it (tests/test_input_folders.py); one without any is unusable."""
    result = convert(run_cli, tmp_path, "-o", tmp_path / "x.ttl")
    assert result.exit_code == 2
    assert f"{tmp_path}: error: is a folder with no plan table" in result.stderr


def test_prose_without_a_table(run_cli, tmp_path):
    prose = tmp_path / "prose.txt"
    prose.write_text("COMUNE DI CREMONA\n\nPiano Integrato di Attività e Organizzazione\nNessuna tabella qui.\n",
                     encoding="utf-8")
    result = convert(run_cli, prose, "-o", tmp_path / "x.ttl")
    assert result.exit_code == 2
    assert f"{prose}: error: no plan table found" in result.stderr


def test_header_without_rows(run_cli, tmp_path):
    path = tmp_path / "header-only.csv"
    path.write_text(";".join(HEADER) + "\n", encoding="utf-8")
    result = convert(run_cli, path, "-o", tmp_path / "x.ttl")
    assert result.exit_code == 2
    assert f"{path}:1: error: the table has a header but no objective rows" in result.stderr


def test_missing_required_column(run_cli, tmp_path):
    path = write_table(tmp_path, drop=("Titolo Obiettivo",))
    result = convert(run_cli, path, "-o", tmp_path / "x.ttl")
    assert result.exit_code == 2
    assert f"{path}:1: error: the header has no Objective title column" in result.stderr
    assert "“Codice Obiettivo” = objective_code" in result.stderr and "piao-lod inspect" in result.stderr


def test_no_objective_code_column_names_objectives_by_title(run_cli, tmp_path):
    path = write_table(tmp_path, drop=("Codice Obiettivo",))
    result = convert(run_cli, path, "-o", tmp_path / "x.ttl")
    assert result.exit_code == 1
    assert f"{path}:1: warning: the header has no objective code column" in result.stderr
    graph = converted_graph(tmp_path / "x.ttl")
    assert graph.value(URIRef(f"{PLAN}/obiettivo/titolo-nuova-palestra"), DCTERMS.title) == Literal("Nuova palestra", lang="it")


def test_no_ente_and_no_option(run_cli, tmp_path):
    path = write_table(tmp_path, drop=("Ente",))
    result = convert(run_cli, path, "-o", tmp_path / "x.ttl")
    assert result.exit_code == 2
    assert f"{path}: error: the document does not say which ente" in result.stderr
    assert "pass --ente" in result.stderr
    assert convert(run_cli, path, "-o", tmp_path / "x.ttl", "--ente", "c_d150").exit_code == 0


def test_anno_column_that_is_not_a_year(run_cli, tmp_path):
    path = write_table(tmp_path, {"Anno": "duemila"})
    result = convert(run_cli, path, "-o", tmp_path / "x.ttl")
    assert result.exit_code == 2
    assert f"{path}:2 [Anno, column 2]: error: the Anno column holds “duemila”, not a year" in result.stderr


def test_two_ente_values_in_one_file(run_cli, tmp_path):
    path = write_table(tmp_path, {}, {"Ente": "c_b157", "Codice Obiettivo": "1.1.1_0002"})
    result = convert(run_cli, path, "-o", tmp_path / "x.ttl")
    assert result.exit_code == 2
    assert f"{path} [Ente, column 1]: error: one plan per file" in result.stderr
    assert "line 2: “c_d150”; line 3: “c_b157”" in result.stderr


# -- readable files with data problems: exit 1, the rest converted -----------------

def test_windows_1252_file(run_cli, tmp_path):
    path = write_table(tmp_path, {"Titolo Obiettivo": "Qualità dei servizi", "Finalità Indicatore": "Perché sì"},
                       encoding="cp1252")
    result = convert(run_cli, path, "-o", tmp_path / "x.ttl")
    assert result.exit_code == 1, result.stderr
    assert f"{path}:1: warning: not valid UTF-8 (first bad byte 0xe0 at byte" in result.stderr
    assert "read as cp1252" in result.stderr and "[encoding]" in result.stderr
    graph = converted_graph(tmp_path / "x.ttl")
    assert Literal("Qualità dei servizi", lang="it") in set(graph.objects(None, DCTERMS.title))
    assert Literal("Perché sì", lang="it") in set(graph.objects(None, DCTERMS.description))


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_of_the_first_bad_byte_for_any_line_end(run_cli, tmp_path, newline):
    path = tmp_path / "plan.csv"
    lines = ["Codice Obiettivo;Titolo Obiettivo;Codice Ind;Target Atteso;Peso", "1_1;Uno;1;1;50", "1_2;Qualità;2;1;50"]
    path.write_bytes(newline.join(lines).encode("cp1252"))
    result = convert(run_cli, path, "-o", tmp_path / "x.ttl", "--ente", "c_d150", "--year", "2024")
    assert ":3: warning: not valid UTF-8 (first bad byte 0xe0 at byte 11 of this line)" in result.stderr


def test_missing_expected_column(run_cli, tmp_path):
    path = write_table(tmp_path, drop=("Peso",))
    result = convert(run_cli, path, "-o", tmp_path / "x.ttl")
    assert result.exit_code == 1, result.stderr
    assert f"{path}:1: error: the header has no Indicator weight column" in result.stderr
    assert "[missing-column]" in result.stderr
    assert len(set(converted_graph(tmp_path / "x.ttl").subjects(None, PIAO.IndicatorAssignment))) == 1


def test_ragged_row_keeps_the_extra_text_in_the_message(run_cli, tmp_path):
    valid = write_table(tmp_path).read_text(encoding="utf-8").splitlines()[1]
    path = write_table(tmp_path, valid + ";;testo in più;;altro ancora")
    result = convert(run_cli, path, "-o", tmp_path / "x.ttl")
    assert result.exit_code == 1, result.stderr
    line = next(line for line in result.stderr.splitlines() if "[ragged-row]" in line)
    assert line.startswith(f"{path}:2")
    assert "testo in più" in line and "altro ancora" in line


@pytest.mark.parametrize("column, field, code, predicate, absent", [
    ("Peso", "weight", "unreadable-weight", PIAO.weightAsWritten, PIAO.weight),
    ("Target Atteso", "target", "unreadable-target", PIAO.targetAsWritten, PIAO.targetValue),
])
def test_number_that_is_not_a_number(run_cli, tmp_path, column, field, code, predicate, absent):
    raw = "circa cinquanta (da definire)"
    path = write_table(tmp_path, {column: raw})
    result = convert(run_cli, path, "-o", tmp_path / "x.ttl")
    assert result.exit_code == 1, result.stderr
    index = HEADER.index(column) + 1
    expected = "yes or no (SI/NO, 1/0)" if field == "target" else "a number"   # the formula says yes/no
    assert f"{path}:2 [{column}, column {index}]: error: {column} is not {expected}; kept as written (value: “{raw}”) [{code}]" \
        in result.stderr
    graph = converted_graph(tmp_path / "x.ttl")
    assignment = URIRef(f"{PLAN}/obiettivo/1.1.1_0001/indicatore/101")
    assert graph.value(assignment, predicate) == Literal(raw)
    assert graph.value(assignment, absent) is None


def test_unknown_pnrr_code(run_cli, tmp_path):
    path = write_table(tmp_path, {"Titolo Obiettivo": "PNRR - M9C9-I9.9 - Nuovo asilo nido"})
    result = convert(run_cli, path, "-o", tmp_path / "x.ttl")
    assert result.exit_code == 1, result.stderr
    assert f"{path}:2 [Titolo Obiettivo, column 6]: error: PNRR code M9C9-I9.9 is not in the PNRR scheme" in result.stderr
    assert "[unknown-pnrr-code]" in result.stderr
    graph = converted_graph(tmp_path / "x.ttl")
    objective = URIRef(f"{PLAN}/obiettivo/1.1.1_0001")
    assert graph.value(objective, PIAO.pnrrCodeAsWritten) == Literal("M9C9-I9.9")
    assert graph.value(objective, PIAO.pnrrMeasure) is None


def test_pnrr_without_code(run_cli, tmp_path):
    path = write_table(tmp_path, {"Titolo Obiettivo": "Monitoraggio dei progetti PNRR"})
    result = convert(run_cli, path, "-o", tmp_path / "x.ttl")
    assert result.exit_code == 1, result.stderr
    assert f"{path}:2 [Titolo Obiettivo, column 6]: warning: the title mentions PNRR but gives no measure code" in result.stderr
    assert "[pnrr-without-code]" in result.stderr


def test_duplicate_objective_code_keeps_both(run_cli, tmp_path):
    path = write_table(tmp_path, {}, {"Titolo Obiettivo": "Un altro obiettivo", "Codice Ind": "102",
                                      "Titolo Indicatore": "Altro indicatore"})
    result = convert(run_cli, path, "-o", tmp_path / "x.ttl")
    assert result.exit_code == 1, result.stderr
    assert f"{path}:3 [Codice Obiettivo, column 5]: error: objective code 1.1.1_0001 is also used at line 2" in result.stderr
    assert "[duplicate-objective-code]" in result.stderr
    graph = converted_graph(tmp_path / "x.ttl")
    first, second = URIRef(f"{PLAN}/obiettivo/1.1.1_0001"), URIRef(f"{PLAN}/obiettivo/1.1.1_0001--2")
    assert graph.value(first, DCTERMS.identifier) == graph.value(second, DCTERMS.identifier) == Literal("1.1.1_0001")
    assert graph.value(second, DCTERMS.title) == Literal("Un altro obiettivo", lang="it")


def test_indicator_code_with_two_titles(run_cli, tmp_path):
    path = write_table(tmp_path, {}, {"Codice Obiettivo": "1.1.1_0002", "Titolo Obiettivo": "Un altro obiettivo",
                                      "Titolo Indicatore": "Lavori iniziati"})
    result = convert(run_cli, path, "-o", tmp_path / "x.ttl")
    assert result.exit_code == 1, result.stderr
    line = next(line for line in result.stderr.splitlines() if "[indicator-title-conflict]" in line)
    assert line.startswith(f"{path}:3 [Titolo Indicatore, column 8]: warning: indicator 101 has 2 different titles")
    assert "line 2: “Lavori avviati”" in line and "line 3: “Lavori iniziati”" in line


def test_new_dirigente_in_the_column_does_not_inherit_the_settore(run_cli, tmp_path):
    """As after a "DIRIGENTE:" heading: the settore above belongs to the previous dirigente."""
    path = write_table(tmp_path, {}, {"Dirigente": "BIANCHI ANNA", "Settore": "", "Codice Obiettivo": "2.1.1_0001",
                                      "Titolo Obiettivo": "Altro obiettivo"})
    result = convert(run_cli, path, "-o", tmp_path / "x.ttl")
    assert result.exit_code == 1, result.stderr
    assert f"{path}:3 [Settore, column 4]: warning: the objective has no settore" in result.stderr
    graph = converted_graph(tmp_path / "x.ttl")
    assert graph.value(URIRef(f"{PLAN}/obiettivo/2.1.1_0001"), PIAO.ownedBy) is None
    assert (URIRef(f"{PLAN}/incarico/bianchi-anna/settore-sport"), None, None) not in graph


# -- options and several sources -----------------------------------------------------

@pytest.mark.parametrize("option, value", [("--format", "docx"), ("--source-format", "docx"), ("--year", "1800")])
def test_bad_option_value(run_cli, tmp_path, option, value):
    result = convert(run_cli, write_table(tmp_path), "-o", tmp_path / "x.ttl", option, value)
    assert result.exit_code == 2
    assert "Invalid value" in result.stderr and f"'{option}'" in result.stderr
    assert not (tmp_path / "x.ttl").exists()


def test_one_unusable_source_among_several(run_cli, tmp_path):
    good = write_table(tmp_path)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    result = convert(run_cli, empty, good, "-o", tmp_path / "x.ttl")
    assert result.exit_code == 2
    assert f"{empty}: error: file is empty" in result.stderr
    assert "converted 1 plan to" in result.stderr and "1 unusable source" in result.stderr
    assert (URIRef(PLAN), None, None) in converted_graph(tmp_path / "x.ttl")


def test_two_sources_for_the_same_plan_are_two_versions(run_cli, tmp_path):
    first = write_table(tmp_path, name="first.csv")
    second = write_table(tmp_path, {"Titolo Obiettivo": "Dalla seconda fonte"}, name="second.csv")
    result = convert(run_cli, first, second, "-o", tmp_path / "x.trig")
    assert result.exit_code == 0, result.stderr
    dataset = ConjunctiveGraph()
    dataset.parse(tmp_path / "x.trig", format="trig")
    versions = [graph for graph in dataset.contexts() if "/versione/" in str(graph.identifier)]
    assert len(versions) == 2
    titles = {graph.value(URIRef(f"{PLAN}/obiettivo/1.1.1_0001"), DCTERMS.title) for graph in versions}
    assert titles == {Literal("Nuova palestra", lang="it"), Literal("Dalla seconda fonte", lang="it")}


def test_the_same_document_twice_is_one_version(run_cli, tmp_path):
    first = write_table(tmp_path, name="first.csv")
    copy = tmp_path / "copy.csv"
    copy.write_bytes(first.read_bytes())
    result = convert(run_cli, first, copy, "-o", tmp_path / "x.ttl")
    assert result.exit_code == 2
    assert f"{copy}: error: version" in result.stderr and f"was already read from {first}" in result.stderr


@pytest.mark.parametrize("kind", ["device", "pipe", "too large"])
def test_a_profile_query_or_template_that_is_no_small_file_is_refused_not_read_for_ever(run_cli, tmp_path, kind):
    """``--profile /dev/zero`` filled the memory until the process was killed; a ``.rq`` that is a pipe nobody
    writes, or a template linked to ``/dev/zero``, hung the command."""
    given = tmp_path / "given"
    if kind == "device":
        given.symlink_to("/dev/zero")
    elif kind == "pipe":
        os.mkfifo(given)
    else:
        given.write_bytes(b"#" * (5 * 1024 * 1024))
    table = write_table(tmp_path)
    profile = run_cli("convert", table, "-o", tmp_path / "x.ttl", "--profile", given, "--lang", "en")
    assert profile.exit_code == 2 and f"{given}: error: cannot read the profile (" in profile.stderr
    query_file = tmp_path / "q.rq"
    query_file.symlink_to(given)
    query = run_cli("query", query_file, "--data", table, "--lang", "en")
    assert query.exit_code == 2 and f"{query_file}: error: cannot read the query file (" in query.stderr
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "legal-notes.html").symlink_to(given)
    site = run_cli("build", table, "-o", tmp_path / "site", "--templates", templates, "--contact-email", "a@b.it",
                   "--lang", "en")
    assert site.exit_code == 2 and "legal-notes.html: error: the template cannot be read:" in site.stderr
    reason = {"too large": "5,242,880 bytes; at most 4,194,304 are read"}.get(kind, "not a regular file")
    assert all(reason in result.stderr for result in (profile, query, site)), (profile.stderr, query.stderr, site.stderr)
    assert not (tmp_path / "x.ttl").exists() and not (tmp_path / "site").exists()


@pytest.mark.parametrize("base", ["http://[::1", "http://x/%ZZ/", "http://x/\x7f/", "http://x/\x01/"])
def test_a_base_with_no_valid_host_or_a_control_character_is_refused(run_cli, tmp_path, base):
    """Both passed the check and crashed minting the first IRI (``Invalid character '[' in host``)."""
    result = convert(run_cli, write_table(tmp_path), "-o", tmp_path / "x.ttl", "--base", base)
    assert result.exit_code == 2 and "--base must be an http(s) IRI" in result.stderr, result.stderr
    site = run_cli("build", write_table(tmp_path), "-o", tmp_path / "site", "--base-url", base, "--lang", "en",
                   "--contact-email", "a@b.it")
    assert site.exit_code == 2 and "--base-url must be an http(s) IRI" in site.stderr, site.stderr


def test_a_file_name_that_is_not_utf8_is_read_as_windows_1252(run_cli, tmp_path):
    """``attivit\\xe0.csv`` (a Windows zip's Latin-1 name) crashed convert (a literal cannot hold the lone
    surrogate Python keeps for the byte); now it is ``attività.csv`` in the RDF, the messages and the site, and the
    site's copy of the source has the name its pages link to."""
    table = write_table(tmp_path, {"Target Atteso": "forse domani"}, name="attivit\udce0.csv")
    converted = convert(run_cli, table, "-o", tmp_path / "x.ttl")
    assert converted.exit_code == 1 and "attività.csv:2 [Target Atteso, column 11]: error:" in converted.stderr
    assert Literal("attività.csv") in set(converted_graph(tmp_path / "x.ttl").objects(None, PIAO.fileName))
    validated = run_cli("validate", table, "--format", "json", "--lang", "en")
    assert validated.exit_code in (0, 1) and '"file": "attività.csv"' in validated.stdout
    built = run_cli("build", table, "-o", tmp_path / "site", "--contact-email", "a@b.it", "--no-search")
    assert built.exit_code in (0, 1), built.stderr
    assert [path.name for path in (tmp_path / "site" / "dati" / "fonti").iterdir()] == ["attività.csv"]


def test_control_characters_from_the_data_reach_the_terminal_escaped(run_cli, tmp_path):
    """An ESC in a cell was printed as it is: ``\\x1b]0;…\\x07`` sets the terminal's title, ``\\x1b[2J`` clears it."""
    table = write_table(tmp_path, {"Target Atteso": "1\x1b[2J\x1b]0:titolo\x07", "Titolo Indicatore": "Lavori\x1b[31m avviati"})
    converted = convert(run_cli, table, "-o", tmp_path / "x.ttl")
    assert "\x1b" not in converted.stderr and "\x07" not in converted.stderr
    assert "1\\x1b[2J\\x1b]0:titolo\\x07" in converted.stderr, converted.stderr
    report = run_cli("validate", table, "--lang", "en")
    assert "\x1b" not in report.stdout and "“1\\x1b[2J\\x1b]0:titolo\\x07”" in report.stdout, report.stdout
    turtle = run_cli("validate", table, "--format", "ttl")
    assert "\x1b" not in turtle.stdout and "\\u001B[2J" in turtle.stdout                  # as Oxigraph writes it
    assert any("1\x1b[2J" in str(value) for value in Graph().parse(data=turtle.stdout, format="turtle").objects())
    answer = run_cli("query", "SELECT ?t { ?s <http://purl.org/dc/terms/title> ?t }", "--data", table, "-f", "table")
    assert "\x1b" not in answer.stdout and "Lavori\\x1b[31m avviati" in answer.stdout
    assert "Lavori\x1b[31m avviati" in {str(title) for title in converted_graph(tmp_path / "x.ttl").objects(None, DCTERMS.title)}


def test_a_corrupt_store_is_refused_by_load_not_a_crash(run_cli, tmp_path):
    store = tmp_path / "store"
    store.mkdir()
    (store / "CURRENT").write_bytes(b"\x00garbage")
    result = run_cli("load", write_table(tmp_path), "--store", store, "--lang", "en")
    assert result.exit_code == 2 and f"{store}: error: cannot open the store (" in result.stderr, result.stderr
    assert sorted(path.name for path in store.iterdir()) == ["CURRENT"]


def test_a_query_answer_that_cannot_be_written_is_said_like_converts(tmp_path):
    """``query … | head`` (a closed pipe) or a full disk ended with exit 1 and no word (Click's own handling of
    ``EPIPE``); convert says "cannot write output" with exit 2, and so does query now."""
    table = write_table(tmp_path)
    with open("/dev/full", "wb") as full:
        result = subprocess.run([sys.executable, "-m", "piao_lod", "query", "SELECT * { ?s ?p ?o }", "--data", str(table),
                                 "-f", "json", "--lang", "en"], stdout=full, stderr=subprocess.PIPE, text=True, check=False)
    assert result.returncode == 2 and "-: error: cannot write output (No space left on device)" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_the_partial_output_of_a_killed_convert_is_removed_by_the_next_run(run_cli, tmp_path):
    """A convert killed while writing left ``.all.nq.partial-PID`` for good (38 GB at national size); the next
    convert to the same file now removes it, and leaves a live process's or another machine's alone."""
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    host = owner_tag().rsplit("-", 1)[0]
    dead, alive, elsewhere = (tmp_path / f".all.nq.partial-{owner}" for owner in (
        f"{host}-{ended.pid}", f"{host}-{os.getppid()}", f"elsewhere-{ended.pid}"))
    for partial in (dead, alive, elsewhere):
        partial.write_text("<a> <b> <c> .\n", encoding="utf-8")
    result = convert(run_cli, write_table(tmp_path), "-o", tmp_path / "all.nq")
    assert result.exit_code == 0, result.stderr
    assert not dead.exists() and alive.exists() and elsewhere.exists()
    assert (tmp_path / "all.nq").stat().st_size > 1000
