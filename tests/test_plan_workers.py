"""Plans in worker processes, and the cache of plans read and validated: the same output as one process without a
cache, observed through the CLI (output files, reports, exit codes, the cache folder's entries)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import sys
from pathlib import Path

import pytest

from piao_lod.errors import WorkerError
from piao_lod.plan_pool import map_in_workers

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "cremona-piao-2024-2026-obiettivi.txt"


def load_generator():
    spec = importlib.util.spec_from_file_location("piao_lod_benchmark_generate_workers", ROOT / "benchmarks" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[Path]:
    """Four synthetic plans (two comuni, two years: CSV, text, XLSX) and the real example."""
    out = tmp_path_factory.mktemp("corpus")
    load_generator().generate(out, "small", 1, comuni=2, years=2)
    return sorted((out / "plans").iterdir()) + [EXAMPLE]


def entries(cache: Path, kind: str) -> dict[str, int]:
    """The cache's entries of one kind: name -> modification time (ns)."""
    return {path.name: path.stat().st_mtime_ns for path in (cache / kind).rglob("*") if path.is_file()}


@pytest.mark.parametrize("suffix", ["nq", "ttl"])
def test_convert_gives_the_same_files_and_messages_with_one_worker_or_two(run_cli, corpus, tmp_path, suffix):
    unusable = tmp_path / "empty.csv"
    unusable.write_text("", encoding="utf-8")
    sources = [*corpus[:2], unusable, *corpus[2:]]
    results = {}
    for workers in (1, 2):
        output = tmp_path / f"w{workers}.{suffix}"
        result = run_cli("convert", *sources, "-o", output, "--workers", workers, "--no-cache")
        assert result.exit_code == 2, result.output          # the empty file is unusable; the others are converted
        results[workers] = (output.read_bytes(), result.stderr.replace(str(output), "OUT"))
    assert results[1] == results[2]
    assert "empty.csv" in results[2][1] and b"x_" in results[2][0]


def test_validate_gives_the_same_report_with_one_worker_or_two(run_cli, corpus, tmp_path):
    quads = tmp_path / "plans.nq"
    assert run_cli("convert", *corpus, "-o", quads, "--no-cache").exit_code in (0, 1)
    for inputs, formats in (([quads], ("json", "ttl")), (corpus, ("text",))):
        for fmt in formats:
            one = run_cli("validate", *inputs, "-f", fmt, "--workers", 1, "--no-cache")
            two = run_cli("validate", *inputs, "-f", fmt, "--workers", 2, "--no-cache")
            assert (one.exit_code, one.stdout) == (two.exit_code, two.stdout), (fmt, inputs)
            assert one.exit_code == 1, one.output           # the synthetic plans carry data problems


def test_validate_of_a_file_of_several_plans_falls_back_to_one_store(run_cli, corpus, tmp_path):
    """A Turtle file of several plans is loaded under the file's name: its enti cannot be told apart, and the
    report is still the one of the whole graph."""
    turtle = tmp_path / "plans.ttl"
    run_cli("convert", *corpus, "-o", turtle, "--no-cache")
    one = run_cli("validate", turtle, "-f", "json", "--workers", 1, "--no-cache")
    two = run_cli("validate", turtle, "-f", "json", "--workers", 2)
    assert (one.exit_code, one.stdout) == (two.exit_code, two.stdout)


def test_build_gives_the_same_site_with_one_worker_or_two(run_cli, corpus, tmp_path):
    sites = {}
    for workers in (1, 2):
        out = tmp_path / f"site{workers}"
        result = run_cli("build", *corpus[:3], "-o", out, "--no-search", "--contact-email", "dati@example.org",
                         "--workers", workers, "--no-cache")
        assert result.exit_code in (0, 1), result.output
        sites[workers] = {str(path.relative_to(out)): path.read_bytes() for path in sorted(out.rglob("*")) if path.is_file()}
    assert sites[1] == sites[2]


def test_an_unchanged_source_is_not_converted_again_and_a_changed_one_is(run_cli, corpus, tmp_path):
    sources = tmp_path / "plans"
    shutil.copytree(corpus[0].parent, sources)
    tables = sorted(sources.iterdir())
    cache = tmp_path / "cache"
    first = run_cli("convert", *tables, "-o", tmp_path / "first.nq", "--cache", cache)
    written = entries(cache, "plans")
    assert len(written) == len(tables), first.output

    again = run_cli("convert", *tables, "-o", tmp_path / "again.nq", "--cache", cache)
    assert (again.exit_code, again.stderr.replace("again", "first")) == (first.exit_code, first.stderr)
    assert (tmp_path / "again.nq").read_bytes() == (tmp_path / "first.nq").read_bytes()
    assert entries(cache, "plans") == written                    # nothing read again, nothing rewritten

    csv = next(table for table in tables if table.suffix == ".csv")
    csv.write_text(csv.read_text(encoding="utf-8").replace("Formazione personale assegnato", "Formazione del personale", 1),
                   encoding="utf-8")
    changed = run_cli("convert", *tables, "-o", tmp_path / "changed.nq", "--cache", cache)
    after = entries(cache, "plans")
    assert len(after) == len(tables) + 1 and set(written) < set(after), changed.output   # that plan read again
    assert {name: after[name] for name in written} == written
    assert "Formazione del personale".encode() in (tmp_path / "changed.nq").read_bytes()
    run_cli("convert", *tables, "-o", tmp_path / "fresh.nq", "--no-cache")
    assert (tmp_path / "changed.nq").read_bytes() == (tmp_path / "fresh.nq").read_bytes()

    run_cli("convert", *tables, "-o", tmp_path / "base.nq", "--cache", cache, "--base", "https://example.org/id/")
    assert len(entries(cache, "plans")) == 2 * len(tables) + 1   # another base: every plan converted again
    assert b"https://example.org/id/" in (tmp_path / "base.nq").read_bytes()


def test_other_reading_options_convert_again(run_cli, tmp_path):
    cache = tmp_path / "cache"
    run_cli("convert", EXAMPLE, "-o", tmp_path / "a.nt", "--cache", cache)
    run_cli("convert", EXAMPLE, "-o", tmp_path / "b.nt", "--cache", cache, "--ente", "c_d150")
    run_cli("convert", EXAMPLE, "-o", tmp_path / "c.nt", "--cache", cache, "--ente", "c_d150")
    assert len(entries(cache, "plans")) == 2


def test_an_unchanged_ente_is_not_validated_again(run_cli, corpus, tmp_path):
    sources = tmp_path / "plans"
    shutil.copytree(corpus[0].parent, sources)
    tables = sorted(sources.iterdir())
    cache = tmp_path / "cache"
    first = run_cli("validate", *tables, "-f", "json", "--cache", cache)
    validated = entries(cache, "validation")
    assert len(validated) == 2, first.output                      # two comuni
    again = run_cli("validate", *tables, "-f", "json", "--cache", cache)
    assert (again.exit_code, again.stdout) == (first.exit_code, first.stdout)
    assert entries(cache, "validation") == validated

    csv = next(table for table in tables if table.suffix == ".csv")
    lines = csv.read_text(encoding="utf-8").splitlines()
    csv.write_text("\n".join(lines[:2] + [lines[2]] + lines[2:]) + "\n", encoding="utf-8")   # a row given twice
    changed = run_cli("validate", *tables, "-f", "json", "--cache", cache)
    after = entries(cache, "validation")
    assert len(after) == 3 and set(validated) < set(after), changed.output  # only that comune validated again
    fresh = run_cli("validate", *tables, "-f", "json", "--no-cache")
    assert (changed.exit_code, changed.stdout) == (fresh.exit_code, fresh.stdout)


def test_damaged_cache_entries_are_ignored(run_cli, tmp_path):
    cache = tmp_path / "cache"
    run_cli("convert", EXAMPLE, "-o", tmp_path / "a.nt", "--cache", cache)
    for path in (cache / "plans").rglob("*"):
        if path.is_file():
            path.write_bytes(b"not a pickle")
    result = run_cli("convert", EXAMPLE, "-o", tmp_path / "b.nt", "--cache", cache)
    assert result.exit_code in (0, 1), result.output
    assert (tmp_path / "a.nt").read_bytes() == (tmp_path / "b.nt").read_bytes()


def test_cache_and_no_cache_together_is_a_usage_error(run_cli, tmp_path):
    result = run_cli("convert", EXAMPLE, "--cache", tmp_path / "cache", "--no-cache")
    assert result.exit_code == 2
    assert "--no-cache" in result.stderr


def die_on_b(path: Path) -> str:
    if path.name == "plan-b.csv":
        os.kill(os.getpid(), signal.SIGKILL)
    return path.name


def test_a_worker_that_dies_is_an_error_naming_its_item_not_a_traceback():
    """A worker killed (the OOM killer) or aborted by a library ended a parallel command in a BrokenProcessPool
    traceback; it is a WorkerError naming what the worker had, which the CLI reports with exit 2."""
    with pytest.raises(WorkerError, match=r"^plan-b.csv: errore: un processo di lavoro si è fermato") as raised:
        map_in_workers(die_on_b, [Path("plan-a.csv"), Path("plan-b.csv"), Path("plan-c.csv")], workers=2)
    assert raised.value.exit_code == 2
    assert map_in_workers(die_on_b, [Path("plan-a.csv"), Path("plan-c.csv")], workers=2) == ["plan-a.csv", "plan-c.csv"]
