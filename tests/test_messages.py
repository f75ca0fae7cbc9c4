"""One message catalogue: every text marked in the code and templates has its Italian and English forms,
plurals included, and the documentation generated from the code is current."""

from __future__ import annotations

import importlib.util
import string

import pytest

from conftest import ROOT
from piao_lod.messages import LANGUAGES, gettext, ngettext, translations
from piao_lod.problems import PROBLEMS, Location, Problem


def tool(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def catalogues():
    return tool("update_catalogues")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_marked_message_is_translated(catalogues, lang):
    template = catalogues.extracted()
    assert len(template) > 150
    missing = catalogues.missing(catalogues.read_catalogue(lang), template)
    assert not missing, f"{lang}: no translation for {missing[:10]} (run python tools/update_catalogues.py)"


def test_plurals_follow_each_language():
    assert ngettext("it", "{count} warning", "{count} warnings", 1) == "1 avviso"
    assert ngettext("it", "{count} warning", "{count} warnings", 2) == "2 avvisi"
    assert ngettext("it", "{count} note", "{count} notes", 0) == "0 note"
    assert ngettext("en", "{count} violation", "{count} violations", 1) == "1 violation"
    assert ngettext("en", "{count} violation", "{count} violations", 3) == "3 violations"
    assert translations("it").ngettext("{count} plan", "{count} plans", 5) == "{count} piani"


def test_every_problem_code_reads_in_both_languages():
    for code, registered in PROBLEMS.items():
        fields = {field for _, field, _, _ in string.Formatter().parse(registered.template) if field}
        problem = Problem(code, Location("plan.csv", 3, "Peso", column_number=9), {name: f"<{name}>" for name in fields}, "x")
        italian, english = problem.describe("it"), problem.describe("en")
        assert italian != english, code
        assert "[Peso, colonna 9]" in italian and "[Peso, column 9]" in english
        assert "{" not in italian + english


def test_unregistered_problem_code_is_refused():
    with pytest.raises(ValueError, match="unregistered problem code"):
        Problem("no-such-code", Location("plan.csv"))


def test_readme_problem_table_is_generated_from_the_registry():
    readme_tool = tool("update_readme")
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme_tool.updated(text) == text, "README.md is stale: run python tools/update_readme.py"
    assert all(f"| `{code}` |" in text for code in PROBLEMS)


def test_catalogues_say_two_plural_forms():
    for lang in LANGUAGES:
        assert translations(lang).plural(1) == 0 and translations(lang).plural(2) == 1
    assert gettext("it", "error") == "errore"
