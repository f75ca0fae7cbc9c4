"""Validation reports, byte for byte, against reviewed golden files.

The other validation tests pin which rules fire and that both engines agree; these pin every word, line number
and value of the reports (text in both languages, JSON, the SHACL Turtle report), so that a faster way of running
the same shapes cannot change what a plan author reads. The golden files were written by the code before the
shapes were rewritten for speed (main at 23eb311); the cases are the Cremona example and the clean fixture broken
once for each rule whose SPARQL was rewritten.

To write them again after an intended change of a report: ``PIAO_LOD_WRITE_GOLDEN=1 pytest
tests/test_validation_golden.py``, then review the diff.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import DATA, EXAMPLE
from test_validation import CLEAN, TABLE_CASES

GOLDEN = DATA / "validation" / "golden"
REWRITTEN_RULES = ("DefinitionPresent", "FormulaPresent", "IndicatorOneTitle", "TargetPresent", "TargetReadable",
                   "WeightPresent")
OUTPUTS = (("text", "it"), ("text", "en"), ("json", "en"), ("ttl", "it"))


def check_golden(name: str, output: str) -> None:
    golden = GOLDEN / name
    if os.environ.get("PIAO_LOD_WRITE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(output, encoding="utf-8")
    assert output == golden.read_text(encoding="utf-8"), f"{name} differs from its golden file"


def report(run_cli, source: Path, report_format: str, lang: str) -> str:
    """The exit code and the report, the temporary folder named ``TMP`` in it (reading problems give the path)."""
    result = run_cli("validate", source, "--format", report_format, "--lang", lang, "--no-cache")
    return f"exit {result.exit_code}\n{result.stdout}".replace(str(source.parent), "TMP")


@pytest.mark.parametrize(("report_format", "lang"), OUTPUTS)
def test_example_report_unchanged(run_cli, tmp_path, report_format, lang):
    source = tmp_path / EXAMPLE.name
    shutil.copyfile(EXAMPLE, source)
    check_golden(f"example.{lang}.{report_format}", report(run_cli, source, report_format, lang))


@pytest.mark.parametrize("rule", REWRITTEN_RULES)
def test_rewritten_rule_report_unchanged(run_cli, tmp_path, rule):
    edit, _, _ = TABLE_CASES[rule]
    source = tmp_path / f"{rule}.csv"
    source.write_text(edit(CLEAN.read_text(encoding="utf-8")), encoding="utf-8")
    for report_format, lang in OUTPUTS:
        check_golden(f"{rule}.{lang}.{report_format}", report(run_cli, source, report_format, lang))
