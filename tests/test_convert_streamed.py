"""``convert`` of many tables to one file writes each plan as it arrives (only outlines kept): the bytes are the ones
written before, when every plan was held until all were read, in every format, with one worker or two, with the
cache or without; the union formats say each triple of a plan's versions once; the spool they keep on disk never
remains, after success or after an error.

The golden digests were written by main at 616ea19 (before plans were written as they arrive). To write them again
after an intended change of the RDF: ``PIAO_LOD_WRITE_GOLDEN=1 pytest tests/test_convert_streamed.py``, then check
the outputs changed as intended.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import pytest

from conftest import DATA
from piao_lod import read_plan_table, serialize_plans
from piao_lod.namespaces import DEFAULT_BASE_IRI
from piao_lod.rdf_formats import FORMATS

CLEAN = DATA / "validation" / "clean-plan.csv"
GOLDEN = DATA / "convert" / "golden-digests.json"
NAMES = [fmt.name for fmt in FORMATS]


def tables(folder: Path, *names: str) -> list[Path]:
    """Small plans of two enti (c_d150, c_b157) and two years, in the order named; ``a-2024-update`` is a second
    version of c_d150's 2024 plan (other content, no version named); ``empty`` is unusable."""
    clean = CLEAN.read_text(encoding="utf-8")
    edits = {
        "a-2024": lambda text: text,
        "b-2024": lambda text: text.replace("\nc_d150;", "\nc_b157;"),
        "a-2025": lambda text: text.replace(";2024;", ";2025;"),
        "b-2025": lambda text: text.replace("\nc_d150;2024;", "\nc_b157;2025;"),
        "a-2024-update": lambda text: text.replace("Formazione del personale", "Formazione di tutto il personale"),
        "empty": lambda text: "",
    }
    paths = []
    for name in names:
        path = folder / f"{name}.csv"
        path.write_text(edits[name](clean), encoding="utf-8")
        paths.append(path)
    return paths


ENTE_COMES_BACK = ("a-2024", "b-2024", "a-2025", "empty", "b-2025")    # each ente's plans apart, an unusable one


RUNS = {"one worker": ["--workers", 1, "--no-cache"], "two workers": ["--workers", 2, "--no-cache"],
        "cache filled": ["--workers", 2, "--cache", "CACHE"], "cache used": ["--workers", 1, "--cache", "CACHE"]}


@pytest.mark.parametrize("name", NAMES)
def test_same_bytes_as_before_with_one_worker_or_two_and_the_cache(run_cli, tmp_path, name):
    """Every format; the ways of reading (workers, cache) for one named-graph and one union format."""
    sources = tables(tmp_path, *ENTE_COMES_BACK)
    written = {}
    for run, options in RUNS.items() if name in ("nq", "ttl") else [("one worker", RUNS["one worker"])]:
        output = tmp_path / f"{run}.{name}"
        options = [tmp_path / "cache" if option == "CACHE" else option for option in options]
        result = run_cli("convert", *sources, "-o", output, *options, "--lang", "en")
        assert result.exit_code == 2, result.output                 # the empty table; the others are written
        assert "converted 4 plans" in result.stderr and "empty.csv: error: file is empty" in result.stderr
        written[run] = hashlib.sha256(output.read_bytes()).hexdigest()
    assert len(set(written.values())) == 1, written
    golden = json.loads(GOLDEN.read_text(encoding="utf-8")) if GOLDEN.exists() else {}
    if os.environ.get("PIAO_LOD_WRITE_GOLDEN"):
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(json.dumps({**golden, name: written["one worker"]}, indent=2, sort_keys=True) + "\n",
                          encoding="utf-8")
    else:
        assert written["one worker"] == golden[name], f"{name}: not the bytes convert wrote before"


def test_python_api_writes_what_the_cli_writes(run_cli, tmp_path):
    sources = tables(tmp_path, "a-2024", "b-2024", "a-2025", "a-2024-update")
    for name in ("ttl", "nq"):
        output = tmp_path / f"cli.{name}"
        run_cli("convert", *sources, "-o", output, "--no-cache")
        plans = [read_plan_table(source) for source in sources]
        assert serialize_plans(plans, DEFAULT_BASE_IRI, name) == output.read_bytes(), name


def test_what_the_versions_of_a_plan_say_of_it_is_written_once(run_cli, tmp_path):
    """Two versions of one plan with other plans between them: in N-Triples each triple is written once (but for
    the plan's own statements of its versions, written last), and the union holds what the TriG's graphs hold."""
    sources = tables(tmp_path, "a-2024", "b-2024", "a-2025", "a-2024-update", "b-2025")
    union, quads = tmp_path / "plans.nt", tmp_path / "plans.nq"
    for output in (union, quads):
        assert run_cli("convert", *sources, "-o", output, "--no-cache").exit_code == 0
    lines = Counter(union.read_text(encoding="utf-8").splitlines())
    plan = f"<{DEFAULT_BASE_IRI}c_d150/piano/2024>"
    objective = f"{plan[:-1]}/obiettivo/1.1_0001>"
    assert lines[f"{objective} <https://w3id.org/piao-lod/ontology#inPlan> {plan} ."] == 1
    repeated = {line for line, count in lines.items() if count > 1}
    assert repeated and all(line.startswith("<") and "/piano/20" in line.split()[0] and "/versione/" not in
                            line.split()[0] for line in repeated), repeated
    assert all(line.split()[1] in ("<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>",
                                   "<http://purl.org/dc/terms/hasVersion>") for line in repeated), repeated
    in_graphs = {line.rsplit(" ", 2)[0] + " ." for line in quads.read_text(encoding="utf-8").splitlines()}
    assert set(lines) == in_graphs


def files_in(folder: Path) -> set[str]:
    return {path.name for path in folder.iterdir()}


@pytest.mark.parametrize("name", ["ttl", "nq"])
def test_no_spool_or_partial_file_remains_after_success_or_an_error(run_cli, tmp_path, monkeypatch, name):
    (tmp_path / "sources").mkdir()
    sources = tables(tmp_path / "sources", "a-2024", "b-2024", "a-2025", "a-2024-update")
    temporary = tmp_path / "temporary"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))       # where a spool goes when writing to stdout
    out = tmp_path / "out"
    out.mkdir()

    assert run_cli("convert", *sources, "-o", out / f"plans.{name}", "--no-cache").exit_code == 0
    assert files_in(out) == {f"plans.{name}"} and not files_in(temporary)
    assert run_cli("convert", *sources, "-f", name, "--no-cache").exit_code == 0
    assert not files_in(temporary)

    full = run_cli("convert", *sources, "-o", "/dev/full", "-f", name, "--no-cache", "--lang", "en")
    assert full.exit_code == 2 and "/dev/full: error: cannot write output (No space left on device)" in full.stderr
    assert not files_in(temporary)

    # a file that grows past the process's limit: the write fails half-way, after the first plans were written
    def small_files():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (60_000, 60_000))

    too_big = subprocess.run([sys.executable, "-m", "piao_lod", "convert", *map(str, sources), "-o",
                              str(out / f"big.{name}"), "--no-cache", "--workers", "1", "--lang", "en"],
                             capture_output=True, text=True, preexec_fn=small_files, check=False,
                             env={**os.environ, "TMPDIR": str(temporary)})
    assert too_big.returncode == 2 and "cannot write output (File too large)" in too_big.stderr, too_big.stderr
    assert "Traceback" not in too_big.stderr
    assert files_in(out) == {f"plans.{name}"} and not files_in(temporary)


def test_no_plan_read_writes_nothing(run_cli, tmp_path):
    sources = tables(tmp_path, "empty")
    output = tmp_path / "plans.ttl"
    output.write_text("kept", encoding="utf-8")
    result = run_cli("convert", *sources, "-o", output, "--no-cache", "--lang", "en")
    assert result.exit_code == 2 and "no plan converted, nothing written to" in result.stderr
    assert output.read_text(encoding="utf-8") == "kept"
    assert files_in(tmp_path) == {"empty.csv", "plans.ttl"}
    stdout = run_cli("convert", *sources, "--no-cache")
    assert stdout.exit_code == 2 and stdout.stdout == ""


def test_the_summary_names_a_few_plans_and_totals_many(run_cli, tmp_path):
    """A national corpus is tens of thousands of plans: past ten, the summary gives enti, years and totals."""
    from piao_lod.resources import example_plan

    text = Path(str(example_plan())).read_text(encoding="utf-8")
    sources = []
    for year in range(2014, 2025):
        source = tmp_path / f"cremona-{year}.txt"
        source.write_text(text.replace("2024", str(year)), encoding="utf-8")
        sources.append(source)
    few = run_cli("convert", *sources[:2], "-o", tmp_path / "few.nq", "--lang", "en")
    assert "converted 2 plans to " in few.stderr and "(c_d150 2014: " in few.stderr and "; c_d150 2015: " in few.stderr
    many = run_cli("convert", *sources, "-o", tmp_path / "many.nq")
    line = many.stderr.strip().splitlines()[-1]
    assert "11 piani" in line and "(1 ente, anni 2014–2024: " in line and "c_d150 2015" not in line, line
