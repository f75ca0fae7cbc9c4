"""Fixed words a command prints follow --lang (Italian by default, English with --lang en): the saved queries'
listing, the cells quoted in messages («…» in Italian, “…” in English), inspect's header and starter profile,
diff's names of objectives and indicators without a code."""

from __future__ import annotations

import json

import pytest

from conftest import EXAMPLE
from piao_lod.saved_queries import saved_queries

# lang -> (words that must be there, words that must not)
LIST_WORDS = {
    "it": (("parametri: nessuno", "(predefinito 774)", "(facoltativo)", "I target di un indicatore negli anni"),
           ("parameters: none", "(default ", "(optional)", "(required)", "One indicator's targets")),
    "en": (("parameters: none", "(default 774)", "(optional)", "One indicator's targets across years"),
           ("parametri", "predefinito", "facoltativo")),
}


def language_args(lang: str) -> tuple[str, ...]:
    return () if lang == "it" else ("--lang", lang)


@pytest.mark.parametrize("lang", ["it", "en"])
def test_query_list_is_in_the_language(run_cli, lang):
    result = run_cli("query", "--list", *language_args(lang))
    assert result.exit_code == 0, result.output
    present, absent = LIST_WORDS[lang]
    for words in present:
        assert words in result.stdout
    for words in absent:
        assert words not in result.stdout
    assert all(f"{query.name} — " in result.stdout for query in saved_queries())


def test_query_list_says_required_in_both_languages(tmp_path, monkeypatch, run_cli):
    """A parameter without a default (none of the bundled queries has one) is marked as one the caller must give."""
    import piao_lod.cli as cli
    from piao_lod.saved_queries import parse_query

    required = parse_query("# title: Targets of one indicator across years\n# parameters: indicator: the code\n"
                           "SELECT * WHERE { ?s ?p ?_indicator }", "x.rq", "x")
    monkeypatch.setattr(cli, "saved_queries", lambda: [required])
    assert "--param indicator=… (obbligatorio): the code" in run_cli("query", "--list").stdout
    assert "--param indicator=… (required): the code" in run_cli("query", "--list", "--lang", "en").stdout


QUOTED_CELLS = {   # a table the convert stops at -> what the error quotes from it, in each language
    "Anno,Voce di spesa,Importo\n2024,Carta,100\n": {
        "it": "(questa riga ha: «Anno», «Voce di spesa», «Importo»)",
        "en": "(this one has: “Anno”, “Voce di spesa”, “Importo”)"},
    "Codice obiettivo,Settore,Target,Peso indicatore\n1,Cultura,3,40\n": {
        "it": "«Codice obiettivo» = objective_code, «Settore» = settore",
        "en": "“Codice obiettivo” = objective_code, “Settore” = settore"},
}


@pytest.mark.parametrize("lang", ["it", "en"])
@pytest.mark.parametrize("table", QUOTED_CELLS, ids=["no-table", "no-title-column"])
def test_cells_an_error_quotes_are_in_the_quotes_of_the_language(tmp_path, run_cli, table, lang):
    source = tmp_path / "tabella.csv"
    source.write_text(table, encoding="utf-8")
    result = run_cli("convert", source, "-o", tmp_path / "out.ttl", *language_args(lang))
    assert result.exit_code == 2
    assert QUOTED_CELLS[table][lang] in result.stderr
    assert ("“" in result.stderr) == (lang == "en")


INSPECT_WORDS = {
    "it": ("colonna 1  «Codice obiettivo» → Codice obiettivo", 'description = "Tracciato di nuovo.csv"',
           "# campi: ente, year,", "# DA FARE: il campo che questa colonna contiene",
           "# le righe di una sola cella, come «SETTORE CULTURA» (riga 2), possono aprire un blocco di righe"),
    "en": ("column 1  “Codice obiettivo” → Objective code", 'description = "Layout of nuovo.csv"',
           "# fields: ente, year,", "# TODO: the field this column holds",
           "# rows holding one cell, like “SETTORE CULTURA” (line 2), may open a block of rows"),
}


@pytest.mark.parametrize("lang", ["it", "en"])
def test_inspect_header_and_starter_profile_are_in_the_language(tmp_path, run_cli, lang):
    source = tmp_path / "nuovo.csv"
    source.write_text("Codice obiettivo,Titolo obiettivo,Settore,Titolo indicatore,Target,Peso indicatore,Strano\n"
                      "SETTORE CULTURA\n1,Biblioteca,Cultura,Prestiti,300,40,x\n", encoding="utf-8")
    result = run_cli("inspect", source, *language_args(lang))
    for words in INSPECT_WORDS[lang]:
        assert words in result.stdout
    other = INSPECT_WORDS["en" if lang == "it" else "it"]
    assert not any(words in result.stdout for words in other)


@pytest.fixture
def changed_plan(tmp_path):
    """The example with indicator 844 losing its code, and so read as a new indicator named by its title."""
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(index for index, line in enumerate(lines) if "\t844\t" in line)
    lines[number] = lines[number].replace("\t844\t", "\t\t")
    changed = tmp_path / "cambiato.txt"
    changed.write_text("".join(lines), encoding="utf-8")
    return changed


@pytest.mark.parametrize("lang", ["it", "en"])
def test_diff_names_an_indicator_without_code_in_the_quotes_of_the_language(run_cli, changed_plan, lang):
    result = run_cli("diff", EXAMPLE, changed_plan, *language_args(lang))
    expected = {"it": "indicatore «Incremento metri lineari di piste ciclabili» aggiunto",
                "en": "indicator “Incremento metri lineari di piste ciclabili” added"}
    assert expected[lang] in result.stdout


def test_diff_json_names_it_the_same_in_both_languages(run_cli, changed_plan):
    names = {lang: {change["indicator"] for change in json.loads(
        run_cli("diff", EXAMPLE, changed_plan, "-f", "json", *language_args(lang)).stdout)["changes"]}
        for lang in ("it", "en")}
    assert names["it"] == names["en"]
    assert "“Incremento metri lineari di piste ciclabili”" in names["it"]


# command -> lang -> words its --help must have; it must have none of the other language's
HELP_WORDS = {
    (): {
        "it": ("Uso: ", "[OPZIONI] COMANDO [ARGOMENTI]...", "╭─ Opzioni", "╭─ Comandi",
               "Mostra questo messaggio ed esce.", "Converte le tabelle del piano in RDF."),
        "en": ("Usage: ", "[OPTIONS] COMMAND [ARGS]...", "╭─ Options", "╭─ Commands",
               "Show this message and exit.", "Convert plan tables to RDF.")},
    ("convert",): {
        "it": ("convert [OPZIONI]", "╭─ Argomenti", "[obbligatorio]", "[predefinito: -]",
               "File di output, oppure - per lo standard output.", "Lingua dei messaggi: it (predefinita) o en."),
        "en": ("convert [OPTIONS]", "╭─ Arguments", "[required]", "[default: -]",
               "Output file, or - for standard output.", "Language of the messages: it (default) or en.")},
    ("query",): {
        "it": ("query [OPZIONI] [QUERY]", "Elenca le query salvate con i loro parametri ed esce.",
               "[variabile d'ambiente: PIAO_LOD_PASSWORD]", "Testo SPARQL, un file .rq o il nome di una query salvata"),
        "en": ("query [OPTIONS] [QUERY]", "List the saved queries with their parameters and exit.",
               "[env var: PIAO_LOD_PASSWORD]", "SPARQL text, a .rq file, or the name of a saved query")},
}

# command line -> lang -> words of the usage error (on stderr, exit 2); the runner calls the program "root"
USAGE_ERROR_WORDS = {
    ("convert",): {
        "it": ("convert [OPZIONI]", "Uso: ", "Per l'aiuto: '", "convert --help'.", "╭─ Errore ─",
               "Manca l'argomento 'sources'."),
        "en": ("convert [OPTIONS]", "Usage: ", "Try '", "convert --help' for help.", "╭─ Error ─",
               "Missing argument 'sources'.")},
    ("convert", "--nope", "x.csv"): {
        "it": ("L'opzione --nope non esiste (opzioni possibili: --no-cache, --pages)",),
        "en": ("No such option: --nope (Possible options: --no-cache, --pages)",)},
    ("convert", "--year", "3000", "x.csv"): {
        "it": ("Valore non valido per '--year': il valore deve essere al massimo 2100",),
        "en": ("Invalid value for '--year': Input should be less than or equal to 2100",)},
    ("inspect", "a.csv", "b.csv"): {
        "it": ("Argomenti in più non previsti (b.csv)",),
        "en": ("Got unexpected extra argument(s) (b.csv)",)},
}


@pytest.fixture
def wide(monkeypatch):
    """Rich wraps the help at the terminal's width; wide enough, each sentence stays on one line."""
    monkeypatch.setenv("COLUMNS", "400")


def assert_in_language(text: str, words: dict, lang: str) -> None:
    for phrase in words[lang]:
        assert phrase in text
    for phrase in words["en" if lang == "it" else "it"]:
        assert phrase not in text


@pytest.mark.parametrize("lang", ["it", "en"])
@pytest.mark.parametrize("command", HELP_WORDS, ids=lambda command: " ".join(command) or "piao-lod")
def test_help_is_in_the_language(run_cli, wide, command, lang):
    result = run_cli(*command, "--help", *language_args(lang))
    assert result.exit_code == 0
    assert_in_language(result.stdout, HELP_WORDS[command], lang)


@pytest.mark.parametrize("lang", ["it", "en"])
@pytest.mark.parametrize("line", USAGE_ERROR_WORDS, ids=" ".join)
def test_usage_error_is_in_the_language(run_cli, wide, line, lang):
    result = run_cli(*line, *language_args(lang))
    assert result.exit_code == 2
    assert_in_language(result.stderr, USAGE_ERROR_WORDS[line], lang)


def test_lang_before_the_command_is_the_command_s(run_cli, tmp_path):
    source = tmp_path / "spese.csv"
    source.write_text("Anno,Voce di spesa,Importo\n2024,Carta,100\n", encoding="utf-8")
    result = run_cli("--lang", "en", "convert", source)
    assert result.exit_code == 2
    assert "error: no plan table found" in result.stderr


def test_every_help_text_has_its_italian():
    """A help text not marked for the catalogue (or not translated) would print English under the default --lang."""
    from typer.main import get_command

    from piao_lod.cli import app
    from piao_lod.cli_language import commands
    from piao_lod.messages import translations

    group = get_command(app)
    texts = [item.help for command in commands(group) for item in (command, *command.params) if item.help]
    assert len(texts) > 60
    assert [text for text in texts if translations("it").gettext(text) == text] == []
