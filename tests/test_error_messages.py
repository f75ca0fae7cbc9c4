"""Errors that stop a command come from the message catalogue: Italian by default, English with --lang en,
and always naming the file, line and column they are about."""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

import pytest

from conftest import ROOT
from piao_lod.errors import SourceError, UsageError, WorkerError

CATALOGUED_ERRORS = {"SourceError", "UsageError", "WorkerError", "QueryError", "EndpointError", "StoreError",
                     "BuildError"}
MARKERS = {"N_", "ngettext_"}
CODE_FOLDERS = ("src", "converters")


def python_files() -> list[Path]:
    return sorted(path for folder in CODE_FOLDERS for path in (ROOT / folder).rglob("*.py"))


def called_name(call: ast.Call) -> str | None:
    function = call.func
    if isinstance(function, ast.Name):
        return function.id
    return function.attr if isinstance(function, ast.Attribute) else None


def is_text(node: ast.AST) -> bool:
    """A string literal, an f-string, or text built from them with + or %: words no catalogue can translate."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(node.value)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return is_text(node.left) or is_text(node.right)
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("format", "join")
            and isinstance(node.func.value, (ast.Constant, ast.JoinedStr)))


def test_no_error_is_raised_with_bare_text():
    """The rule every raise site keeps: the message is a catalogue id marked with N_ or ngettext_ (or a Phrase,
    or a variable holding one), never a literal or an f-string, which would print English under --lang it."""
    offenders, checked = [], 0
    for path in python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = called_name(node)
            if name in CATALOGUED_ERRORS and node.args:
                checked += 1
                if is_text(node.args[0]):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            if name in MARKERS and not all(isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                                           for arg in node.args):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} ({name} of a computed text: not extracted)")
    assert checked > 60, checked
    assert not offenders, "errors built from bare text:\n" + "\n".join(offenders)


def test_the_check_finds_bare_text():
    """The AST rule above is not vacuous: it flags the shapes raise sites used to have."""
    for source in ('SourceError("file is empty", p)', 'UsageError(f"--param {x}")', 'SourceError("a: " + b, p)',
                   'UsageError("{} x".format(y))'):
        assert is_text(ast.parse(source, mode="eval").body.args[0]), source
    for source in ('SourceError(N_("file is empty"), p)', "SourceError(found, p)", 'UsageError(Phrase(N_("x")))'):
        assert not is_text(ast.parse(source, mode="eval").body.args[0]), source


def test_an_error_renders_in_either_language_and_survives_pickling():
    """Errors come back from worker processes pickled: the message and its parameters come back with them."""
    error = SourceError(("holds {count} plan version; diff compares one with one",
                         "holds {count} plan versions; diff compares one with one"), "a.ttl", 3, count=2)
    again = pickle.loads(pickle.dumps(error))
    assert again.describe("it") == ("a.ttl:3: errore: contiene 2 versioni di piano; diff confronta una sola versione "
                                    "con un'altra")
    assert again.describe("en") == "a.ttl:3: error: holds 2 plan versions; diff compares one with one"
    assert str(again) == again.describe("it")
    worker = pickle.loads(pickle.dumps(WorkerError("a worker process stopped while working on it (killed, out of "
                                                   "memory, or aborted by a library it runs); run again with "
                                                   "--workers 1 to see more", subject="plan.pdf")))
    assert worker.describe("en").startswith("plan.pdf: error: a worker process stopped")
    assert worker.describe("it").startswith("plan.pdf: errore: un processo di lavoro si è fermato")
    assert UsageError("--param {name} given twice", name="x").describe("it") == "--param x indicato due volte"


HEADER = "Ente;Anno;Codice Obiettivo;Titolo Obiettivo;Titolo Indicatore;Target Atteso;Peso"


def both(run_cli, *args):
    """The command's stderr in Italian (the default) and in English."""
    italian, english = run_cli(*args), run_cli(*args, "--lang", "en")
    assert italian.exit_code == english.exit_code == 2, (italian.output, english.output)
    return italian.stderr, english.stderr


def test_empty_file(run_cli, tmp_path):
    empty = tmp_path / "vuoto.csv"
    empty.write_bytes(b"")
    italian, english = both(run_cli, "convert", empty)
    assert f"{empty}: errore: il file è vuoto" in italian
    assert f"{empty}: error: file is empty" in english
    assert "1 sorgente inutilizzabile" in italian and "1 unusable source" in english


def test_invalid_rdf_names_line_and_column(run_cli, tmp_path):
    broken = tmp_path / "rotto.ttl"
    broken.write_text("@prefix : <http://example.org/> .\n:a :b :c ;\n  :d .\n", encoding="utf-8")
    italian, english = both(run_cli, "validate", broken)
    assert f"{broken}:3 [colonna 6]: errore: RDF non valido: " in italian
    assert f"{broken}:3 [column 6]: error: not valid RDF: " in english


def test_bad_param(run_cli, tmp_path):
    italian, english = both(run_cli, "query", "--param", "ente", "SELECT * { ?s ?p ?o }")
    assert italian.strip() == "--param vuole nome=valore, ricevuto «ente»"
    assert english.strip() == "--param takes name=value, got “ente”"


@pytest.mark.parametrize("pages, it, en", [
    ("x", "--pages vuole pagine e intervalli come 12-40 o 1,3,7-9 o 12-, ricevuto «x»",
     "--pages takes pages and ranges such as 12-40 or 1,3,7-9 or 12-, got “x”"),
    ("0-3", "--pages: «0-3» non è un intervallo di pagine contate da 1",
     "--pages: “0-3” is not a range of pages counted from 1"),
], ids=["not-pages", "page-zero"])
def test_bad_pages(run_cli, tmp_path, pages, it, en):
    table = tmp_path / "piano.csv"
    table.write_text(HEADER + "\nc_d150;2024;OB1;Uno;Ind;1;100\n", encoding="utf-8")
    italian, english = both(run_cli, "convert", "--pages", pages, table)
    assert italian.strip() == it
    assert english.strip() == en


def test_one_plan_per_file(run_cli, tmp_path):
    table = tmp_path / "piano.csv"
    table.write_text(HEADER + "\nc_d150;2024;OB1;Uno;Ind;1;50\nc_b157;2024;OB2;Due;Ind;1;50\n", encoding="utf-8")
    italian, english = both(run_cli, "convert", table)
    assert (f"{table} [Ente, colonna 1]: errore: un piano per file: la colonna Ente ha più valori: riga 2: «c_d150»; "
            "riga 3: «c_b157»") in italian
    assert (f"{table} [Ente, column 1]: error: one plan per file: the Ente column has several values: line 2: “c_d150”; "
            "line 3: “c_b157”") in english


def test_a_count_takes_its_plural(run_cli, tmp_path):
    table = tmp_path / "piano.csv"
    table.write_text(HEADER + "\nc_d150;2024;OB1;Uno;Ind;1;100\n", encoding="utf-8")
    rdf = tmp_path / "due.trig"
    assert run_cli("convert", table, "-o", rdf).exit_code in (0, 1)
    again = tmp_path / "piano-2025.csv"
    again.write_text(HEADER + "\nc_d150;2025;OB1;Uno;Ind;1;100\n", encoding="utf-8")
    both_years = tmp_path / "anni.trig"
    assert run_cli("convert", table, again, "-o", both_years).exit_code in (0, 1)
    italian = run_cli("diff", both_years, rdf)
    english = run_cli("diff", both_years, rdf, "--lang", "en")
    assert (f"{both_years}: errore: contiene 2 versioni di piano; diff confronta una sola versione con "
            "un'altra") in italian.stderr
    assert f"{both_years}: error: holds 2 plan versions; diff compares one with one" in english.stderr


def test_json_report_of_unusable_sources_is_in_the_language(run_cli, tmp_path):
    import json

    empty = tmp_path / "vuoto.csv"
    empty.write_bytes(b"")
    result = run_cli("convert", empty, "--problems", "json")
    payload = json.loads(result.stderr[result.stderr.index("{"):result.stderr.rindex("}") + 1])
    assert payload["unusable"] == [{"file": str(empty), "line": None, "column": None, "column_number": None,
                                    "message": "il file è vuoto"}]
