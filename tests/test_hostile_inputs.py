"""Inputs and outputs a real user can get wrong, found by an adversarial review: each test is named after
the defect it guards against, and drives the CLI (or HTTP) with files made here."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import EXAMPLE

HEADER = "Codice obiettivo;Obiettivo;Settore;Dirigente;Codice indicatore;Indicatore;Formula;Target 2025;Peso"
ROW = "A.1;Riduzione dei tempi;Area Finanziaria;Giulia Neri;IND-1;Tempo medio;media dei giorni;30;100"


def plan_table(folder: Path, *rows: str, name: str = "plan.csv") -> Path:
    path = folder / name
    path.write_text("\n".join((HEADER, *(rows or (ROW,)))) + "\n", encoding="utf-8")
    return path


def convert(run_cli, *args):
    result = run_cli("convert", "--lang", "en", "--ente", "c_x001", *args)
    assert "Traceback" not in result.output
    return result


def test_output_to_a_character_device_is_written_to_not_replaced(run_cli, tmp_path):
    """`-o /dev/null` renamed a file over the device (as root it replaced /dev/null itself): a device or pipe is
    written to in place, only a regular file is replaced atomically."""
    if os.geteuid() != 0:
        pytest.skip("making a device node needs root")
    device = tmp_path / "null"
    os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    result = convert(run_cli, plan_table(tmp_path), "-o", device, "-f", "ttl")
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISCHR(device.lstat().st_mode), "the device was replaced by a file"


def test_output_to_a_fifo_is_written_to_not_replaced(run_cli, tmp_path):
    """The same for a named pipe (`-o >(gzip > plans.ttl.gz)` is one): what is written arrives at the reader."""
    fifo = tmp_path / "pipe.ttl"
    os.mkfifo(fifo)
    received = bytearray()

    def read() -> None:
        with fifo.open("rb") as handle:
            received.extend(handle.read())

    reader = threading.Thread(target=read)
    reader.start()
    result = convert(run_cli, plan_table(tmp_path), "-o", fifo)
    reader.join(timeout=30)
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert b"piao:Plan" in received


def test_output_that_is_the_source_is_refused_and_the_source_kept(run_cli, tmp_path):
    """`convert plan.csv -f ttl -o plan.csv` wrote the RDF over the plan it read: the source was lost."""
    source = plan_table(tmp_path)
    before = source.read_bytes()
    result = convert(run_cli, source, "-f", "ttl", "-o", source)
    assert result.exit_code == 2
    assert f"{source}: error:" in result.stderr and "source" in result.stderr
    assert source.read_bytes() == before


@pytest.mark.parametrize("endpoint", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>",
                                      "http://a b/<x>", "https://example.org/sparql\n", "http://a<b>/"])
def test_sparql_endpoint_that_is_no_http_iri_is_refused(run_cli, tmp_path, endpoint):
    """`build --sparql-endpoint javascript:alert(1)` went into the catalogue and VoID as the endpoint's URL (a link
    harvesters show), and one with a space stopped the build with a traceback from rdflib's Turtle writer."""
    out = tmp_path / "site"
    result = run_cli("build", plan_table(tmp_path), "--ente", "c_x001", "-o", out, "--no-search",
                     "--contact-email", "dati@example.org", "--sparql-endpoint", endpoint)
    assert result.exit_code == 2
    assert f"--sparql-endpoint deve essere un IRI http(s), ricevuto «{endpoint}»" in result.output
    assert not out.exists()


@pytest.mark.parametrize("address", ["dati@example.org\nX-Header: x", "dati @example.org", "<dati@example.org>",
                                     "dati.example.org"])
def test_a_contact_email_that_is_no_address_is_refused(run_cli, tmp_path, address):
    """`build --contact-email` with a line break in it stopped the build with a traceback from rdflib's Turtle
    writer, after every page had been rendered."""
    out = tmp_path / "site"
    result = run_cli("build", plan_table(tmp_path), "--ente", "c_x001", "-o", out, "--no-search",
                     "--contact-email", address, "--lang", "en")
    assert result.exit_code == 2
    assert f"--contact-email must be an e-mail address, got “{address}”" in result.output
    assert not out.exists()


def test_a_site_folder_that_cannot_be_written_is_a_message_not_a_traceback(run_cli, tmp_path):
    """`build -o` in a folder the user cannot write (read-only, or under a file) ended in a PermissionError or
    NotADirectoryError traceback from the staging folder's mkdir."""
    not_a_folder = tmp_path / "notes.txt"
    not_a_folder.write_text("a file\n", encoding="utf-8")
    result = run_cli("build", plan_table(tmp_path), "--ente", "c_x001", "-o", not_a_folder / "site", "--no-search",
                     "--contact-email", "dati@example.org", "--workers", "1")
    assert result.exit_code == 2
    assert (f"{not_a_folder / 'site'}: errore: non è stato possibile scrivere il sito, il sito precedente è "
            "conservato") in result.output
    assert not_a_folder.read_text(encoding="utf-8") == "a file\n"


def test_symlinks_planted_in_a_built_site_are_not_carried_into_the_next_build(run_cli, tmp_path):
    """An incremental rebuild hard-linked what the previous site held: a page file or a download replaced by a
    symbolic link to a file outside the site stayed a link in the new site (and the catalogue gave that file's
    size and checksum), so the site published a file from outside its folder."""
    outside = tmp_path / "outside" / "secret.txt"
    outside.parent.mkdir()
    outside.write_text("SECRET\n", encoding="utf-8")
    source, site = plan_table(tmp_path), tmp_path / "site"
    arguments = ("build", source, "--ente", "c_x001", "-o", site, "--no-search", "--contact-email", "dati@example.org",
                 "--workers", "1")
    assert run_cli(*arguments).exit_code in (0, 1)
    planted = [site / "id" / "c_x001" / "index.ttl", site / "dati" / "c_x001-piano-2025.ttl"]
    for path in planted:
        path.unlink()
        path.symlink_to(outside)
    result = run_cli(*arguments)
    assert result.exit_code in (0, 1), result.output
    assert [str(path) for path in site.rglob("*") if path.is_symlink()] == []
    for path in planted:
        assert "SECRET" not in path.read_text(encoding="utf-8")
    assert outside.read_text(encoding="utf-8") == "SECRET\n"


def billion_laughs(levels: int = 9) -> str:
    entities = '<!ENTITY a0 "lolololololololololol">' + "".join(
        f'<!ENTITY a{level} "{f"&a{level - 1};" * 10}">' for level in range(1, levels + 1))
    return (f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ {entities} ]>\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dct="http://purl.org/dc/terms/">'
            f'<rdf:Description rdf:about="https://w3id.org/piao-lod/id/c_x001"><dct:title>&a{levels};</dct:title>'
            '</rdf:Description></rdf:RDF>\n')


@pytest.mark.parametrize("command", [("validate", "{file}"), ("load", "{file}", "--store", "{tmp}/store"),
                                     ("query", "ASK {{}}", "--data", "{file}"), ("diff", "{file}", "{file}")])
def test_rdf_xml_billion_laughs_is_refused_before_it_is_expanded(run_cli, tmp_path, command):
    """A 1 kB RDF/XML file of nested entities took 10 GB of memory in Oxigraph's parser (validate was killed after
    a minute): the entities a DOCTYPE declares are measured first, and such a file is unusable input."""
    source = tmp_path / "laughs.rdf"
    source.write_text(billion_laughs(), encoding="utf-8")
    arguments = [part.format(tmp=tmp_path, file=source) for part in command]
    result = run_cli(*arguments)
    assert result.exit_code == 2
    assert f"{source}: errore: le sue entità si espanderebbero in più di 64.000.000 caratteri" in result.output


def test_rdf_xml_with_namespace_entities_is_still_read(run_cli, tmp_path):
    source = tmp_path / "entities.rdf"
    source.write_text('<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY dct "http://purl.org/dc/terms/"> ]>\n'
                      '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dct="&dct;">'
                      '<rdf:Description rdf:about="https://example.org/x"><dct:title>Tom &amp; Jerry</dct:title>'
                      '</rdf:Description></rdf:RDF>\n', encoding="utf-8")
    result = run_cli("query", "SELECT ?t { ?s <http://purl.org/dc/terms/title> ?t }", "--data", source, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert "Tom & Jerry" in result.stdout


@pytest.mark.parametrize("lang, expected", [
    ("en", "no plan converted, nothing written to {output}; 0 errors, 0 warnings, 0 notes; 1 unusable source"),
    ("it", "nessun piano convertito, niente scritto in {output}; 0 errori, 0 avvisi, 0 note; 1 sorgente inutilizzabile"),
])
def test_a_run_that_converts_nothing_does_not_say_it_converted_to_the_output(run_cli, tmp_path, lang, expected):
    """The summary said "converted 0 plans to x.ttl ()" though nothing was written there."""
    damaged = tmp_path / "cut.pdf"
    damaged.write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type")
    output = tmp_path / "x.ttl"
    result = run_cli("convert", "--lang", lang, damaged, "-o", output)
    assert result.exit_code == 2
    assert expected.format(output=output) in result.stderr
    assert not output.exists()


def test_a_windows_1252_line_with_an_undefined_byte_keeps_its_euro_sign(run_cli, tmp_path):
    """A byte Windows-1252 leaves undefined (0x81, 0x8d, 0x8f, 0x90, 0x9d) made the whole line Latin-1, so the € (0x80)
    on that line became the control character U+0080: data changed while the warning said it was read as cp1252."""
    source = tmp_path / "plan.csv"
    source.write_bytes((HEADER + "\n").encode() + b"A.1;Costo \x80 100 \x81;Area;Neri;IND-1;Tempo;giorni;30;100\n")
    output = tmp_path / "x.ttl"
    result = convert(run_cli, source, "-o", output)
    assert result.exit_code == 1, result.stderr
    assert "[encoding]" in result.stderr
    titles = {quad.object.value for quad in ox.parse(path=str(output), format=ox.RdfFormat.TURTLE)
              if quad.predicate.value == "http://purl.org/dc/terms/title"}
    assert "Costo € 100 \x81" in titles


def test_line_numbers_written_as_text_are_violations_not_a_crash(tmp_path):
    """pyoxigraph 0.5.13 aborts the process (a Rust panic) when ORDER BY meets numbers and strings together;
    the shapes sorted source lines by ``piao:lineNumber``, so RDF whose line numbers were every other one a
    plain string ended validate with SIGABRT. The shapes sort by a typed key; the strings are reported."""
    converted = tmp_path / "plan.nt"
    done = subprocess.run([sys.executable, "-m", "piao_lod", "convert", str(EXAMPLE), "-o", str(converted)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 1, done.stderr
    lines, count = [], 0
    for line in converted.read_text(encoding="utf-8").splitlines():
        if "#lineNumber>" in line:
            count += 1
            if count % 2 == 0:
                line = re.sub(r'"(\d+)"\^\^<http://www.w3.org/2001/XMLSchema#integer>', r'"\1"', line)
        lines.append(line)
    mixed = tmp_path / "mixed-lines.nt"
    mixed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "piao_lod", "validate", str(mixed), "--no-cache", "--lang", "en",
                             "--format", "json"], capture_output=True, text=True, check=False)
    assert result.returncode == 1, result.stderr[-2000:]
    rows = {finding["focus"] for finding in json.loads(result.stdout)["results"] if finding["rule"] == "SourceRow-line"}
    assert len(rows) == count // 2


def test_a_pipe_given_as_a_table_is_named_as_such_not_called_empty(run_cli, tmp_path):
    """`convert /dev/stdin` or a FIFO said "file is empty" (its size is 0); it is named as what it is."""
    fifo = tmp_path / "plan.csv"
    os.mkfifo(fifo)
    result = convert(run_cli, fifo, "-o", tmp_path / "out.ttl")
    assert result.exit_code == 2
    assert f"{fifo}: error: is not a regular file (a pipe or a device" in result.stderr


@pytest.mark.parametrize("ente", ["../x", "a/b", "<script>", "c_d150 ", "C_D150", "x"])
def test_an_ente_flag_that_is_not_an_ipa_code_is_refused(run_cli, tmp_path, ente):
    """`--ente ../x` (or `<script>`, a trailing space) was taken as the ente's code, flagged only by SHACL; it is a
    usage error now, by the rule the codes a document states are read by."""
    result = run_cli("convert", plan_table(tmp_path), "--ente", ente, "-o", tmp_path / "out.ttl")
    assert result.exit_code == 2
    assert f"--ente «{ente}»: non è un codice IPA" in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "out.ttl").exists()


@pytest.mark.parametrize("command", [("validate", "{file}"), ("load", "{file}", "--store", "{tmp}/store"),
                                     ("query", "ASK {{}}", "--data", "{file}")])
@pytest.mark.parametrize("suffix", [".ttl", ".nt"])
def test_an_rdf_statement_longer_than_the_parsers_buffer_is_unusable_input(run_cli, tmp_path, command, suffix):
    """A literal of 17 MB ended validate, load and query with Oxigraph's MemoryError and a traceback."""
    source = tmp_path / f"long{suffix}"
    source.write_text('<https://example.org/s> <https://example.org/p> "' + "a" * (17 * 2**20) + '" .\n')
    result = run_cli(*[part.format(tmp=tmp_path, file=source) for part in command], "--lang", "en")
    assert result.exit_code == 2
    assert f"{source}: error: cannot read RDF: a statement is longer than the parser can hold" in result.output


def test_a_csv_cell_of_17_million_characters_is_named_not_a_traceback(run_cli, tmp_path):
    """The row's cells become one literal that Oxigraph reads again, 16 MB at most: a 17 MB cell ended convert
    with a MemoryError traceback. The row and its column are named; the file is unusable input."""
    row = "A.2;" + "x" * 17_000_000 + ";Area Finanziaria;Giulia Neri;IND-2;Tempo;giorni;30;100"
    source = plan_table(tmp_path, ROW, row)
    result = convert(run_cli, source, "-o", tmp_path / "out.ttl")
    assert result.exit_code == 2
    size = len(row) - row.count(";")
    assert (f"{source}:3 [column 2]: error: a row of {size:,} characters; at most 2,000,000 are read in one row"
            in result.output)
    assert not (tmp_path / "out.ttl").exists()


def test_a_long_workbook_row_is_named_by_its_sheet_and_row(run_cli, tmp_path):
    from workbooks import sheet_xml, write_workbook

    rows = [HEADER.split(";"), ROW.split(";"), ["A.2", "x" * 2_100_000, *ROW.split(";")[2:]]]
    source = write_workbook(tmp_path / "plan.xlsx", {"Obiettivi": sheet_xml(rows)})
    result = run_cli("convert", source, "--ente", "c_x001", "-o", tmp_path / "out.ttl")
    assert result.exit_code == 2
    size = f"{sum(map(len, rows[2])):,}".replace(",", ".")
    assert (f"{source}, foglio Obiettivi, riga 3 [colonna 2]: errore: una riga di {size} caratteri; se ne "
            "leggono al massimo 2.000.000 in una riga" in result.output)


def test_text_continued_over_rows_past_the_row_limit_is_named_not_a_traceback(run_cli, tmp_path):
    """Rows holding only a title are appended to the title above: twelve of 1.5 million characters made one
    literal of 18 MB, and a MemoryError traceback."""
    continued = ";" + "x" * 1_500_000 + ";;;;;;;"
    source = plan_table(tmp_path, ROW, *[continued] * 12)
    result = convert(run_cli, source, "-o", tmp_path / "out.ttl")
    assert result.exit_code == 2
    assert (f"{source}:4 [Obiettivo]: error: the text of this column, continued from line 2, grows past 2,000,000 "
            "characters" in result.output)


def loaded_store_and_working_copy(run_cli, folder: Path, copy: str) -> tuple[Path, Path, Path]:
    """A plan loaded into ``folder/store``, and a copy of it named as a load names its working copies."""
    table, store = plan_table(folder), folder / "store"
    assert run_cli("load", table, "--store", store, "--ente", "c_x001", "--no-cache").exit_code == 0
    shutil.copytree(store, folder / f"store.{copy}")
    return table, store, folder / f"store.{copy}"


def test_the_server_does_not_take_a_loads_working_copy_for_a_store(run_cli, tmp_path):
    """``serve --store DIR.loading`` (the copy a running load writes) served a half-written store, or its query
    worker died as the load changed the files under it: startup ended in an EOFError traceback and hung."""
    from piao_lod.errors import StoreError
    from piao_lod.server.app import create_app
    from piao_lod.server.settings import ServerSettings

    _, store, working_copy = loaded_store_and_working_copy(run_cli, tmp_path, "loading")
    with pytest.raises(StoreError) as refused:
        create_app(ServerSettings(None, working_copy))
    assert refused.value.describe("en") == (f"{working_copy}: error: this folder is a copy a piao-lod load of {store} "
                                            f"writes or deletes, not a store; give --store {store}")


@pytest.mark.parametrize("copy", ["loading", "replaced", "old-1765000000"])
@pytest.mark.parametrize("command", [("query", "ASK {{}}", "--store", "{copy}"), ("load", "{table}", "--store", "{copy}")])
def test_a_loads_working_copy_is_not_taken_for_a_store(run_cli, tmp_path, copy, command):
    table, store, working_copy = loaded_store_and_working_copy(run_cli, tmp_path, copy)
    result = run_cli(*[part.format(copy=working_copy, table=table) for part in command], "--lang", "en")
    assert result.exit_code == 2
    assert (f"{working_copy}: error: this folder is a copy a piao-lod load of {store} writes or deletes, not a store; "
            f"give --store {store}") in result.output


def test_a_header_of_brackets_nested_thousands_deep_is_an_unknown_column_not_a_recursion_error(run_cli, tmp_path):
    """A header's bracketed abbreviation is taken out to match its name ("Centro di responsabilità (CdR)"); brackets
    nested thousands deep were taken out one level per call, past Python's recursion limit."""
    source = tmp_path / "plan.csv"
    source.write_text("\n".join((HEADER + ";Note " + "(" * 3000 + ")" * 3000, ROW + ";nota")) + "\n", encoding="utf-8")
    result = convert(run_cli, source, "-o", tmp_path / "out.ttl", "--problems", "json")
    assert result.exit_code == 1, result.output       # warnings: the unknown column, the year read from a header
    problems = json.loads(result.stderr[result.stderr.index("{"):result.stderr.rindex("}") + 1])["problems"]
    (unknown,) = [problem for problem in problems if problem["code"] == "unknown-column"]
    assert unknown["column"].startswith("Note (((")
    assert (tmp_path / "out.ttl").exists()
