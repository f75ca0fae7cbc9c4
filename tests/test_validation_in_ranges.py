"""``validate`` of N-Quads files with several workers validates each range of whole enti in the store that loaded it
(``piao_lod.range_validation``): the report is the one process's, and whatever a range cannot be validated apart
for sends the input back to the split by ente, with the same report."""

from __future__ import annotations

import pytest

from piao_lod import ente_files, range_validation, validation
from test_split_in_ranges import HANDMADE, converted, invoke  # noqa: F401 (converted: a fixture)


@pytest.fixture
def small_ranges(monkeypatch):
    """Every N-Quads input validated in ranges of a few hundred lines; what each validation in ranges gave (None:
    the split by ente was used)."""
    monkeypatch.setattr(ente_files, "SPLIT_FROM_RDF_BYTES", 0)
    monkeypatch.setattr(ente_files, "RANGE_BYTES", 20_000)
    monkeypatch.setattr(range_validation, "CUT_SCAN_BYTES", 5_000)
    monkeypatch.setattr(range_validation, "MOST_RANGES", 1_000)
    outcomes = []
    validated = range_validation.validated_in_ranges
    monkeypatch.setattr(range_validation, "validated_in_ranges",
                        lambda *args: outcomes.append(result := validated(*args)) or result)
    return outcomes


def reports(*args):
    """Exit code and report of ``validate`` in one process and with two workers."""
    return tuple((result.exit_code, result.stdout) for result in (
        invoke("validate", *args, "--no-cache", "--workers", workers) for workers in ("1", "2")))


@pytest.mark.parametrize("report_format", ["json", "ttl", "text"])
def test_ranges_of_whole_enti_give_the_report_of_one_process(converted, small_ranges, monkeypatch, report_format):
    monkeypatch.setattr(ente_files, "SPLIT_FROM_RDF_BYTES", 10**12)
    in_memory = invoke("validate", converted, "-f", report_format, "--no-cache", "--workers", "1")
    monkeypatch.setattr(ente_files, "SPLIT_FROM_RDF_BYTES", 0)
    in_ranges = invoke("validate", converted, "-f", report_format, "--no-cache", "--workers", "2")
    assert (in_ranges.exit_code, in_ranges.stdout) == (in_memory.exit_code, in_memory.stdout)
    assert small_ranges and small_ranges[-1] is not None
    assert len(range_validation.ente_ranges(converted)) > 2


def test_every_range_ends_where_an_ente_ends(converted, small_ranges):
    ranges = range_validation.ente_ranges(converted)
    data = converted.read_bytes()
    assert ranges[0][0] == 0 and ranges[-1][1] == len(data)
    assert all(end == start for (_, end), (start, _) in zip(ranges, ranges[1:]))
    for (_, end), _ in zip(ranges, ranges[1:]):
        before, after = data[:end].splitlines()[-1], data[end:].split(b"\n", 1)[0]
        assert range_validation.line_ente(before) != range_validation.line_ente(after)


def test_an_ente_in_two_files_is_split_by_ente_with_the_same_report(converted, small_ranges, tmp_path):
    lines = converted.read_bytes().splitlines(keepends=True)
    first, second = tmp_path / "first.nq", tmp_path / "second.nq"
    first.write_bytes(b"".join(lines[::2]))
    second.write_bytes(b"".join(lines[1::2]))
    whole = invoke("validate", converted, "-f", "json", "--no-cache", "--workers", "1")
    split = invoke("validate", first, second, "-f", "json", "--no-cache", "--workers", "2")
    assert (split.exit_code, split.stdout) == (whole.exit_code, whole.stdout)
    assert small_ranges == [None]


@pytest.mark.parametrize("name", sorted(HANDMADE))
def test_a_handmade_file_gives_the_report_of_one_process(small_ranges, tmp_path, name):
    path = tmp_path / f"{name}.nq"
    path.write_text("".join(HANDMADE[name]), encoding="utf-8")
    alone, in_workers = reports(path, "-f", "json")
    assert in_workers == alone


def not_validated_again(store):
    raise AssertionError("an ente whose findings are in the cache was validated again")


def test_the_cache_written_in_ranges_is_the_one_the_split_reads(converted, small_ranges, monkeypatch, tmp_path):
    cache = tmp_path / "cache"
    fresh = invoke("validate", converted, "-f", "json", "--no-cache", "--workers", "2")
    written = invoke("validate", converted, "-f", "json", "--cache", cache, "--workers", "2")
    read = invoke("validate", converted, "-f", "json", "--cache", cache, "--workers", "2")
    assert small_ranges[-1] is not None
    monkeypatch.setattr(range_validation, "validated_in_ranges", lambda *args: None)
    monkeypatch.setattr(validation, "validate_store", not_validated_again)
    read_by_the_split = invoke("validate", converted, "-f", "json", "--cache", cache, "--workers", "2")
    assert {(result.exit_code, result.stdout) for result in (written, read, read_by_the_split)} == {
        (fresh.exit_code, fresh.stdout)}
    assert any(cache.rglob("*"))


def test_an_ente_describing_something_outside_it_is_validated_with_the_others(converted, small_ranges, tmp_path):
    """Then the enti cannot be validated apart: the range falls back to the split, which validates everything in one
    store, as one process does."""
    lines = converted.read_bytes().splitlines(keepends=True)
    graph = lines[len(lines) // 2].rsplit(b" ", 2)[-2]
    outside = tmp_path / "outside.nq"
    outside.write_bytes(b"".join(lines[:len(lines) // 2])
                        + b'<https://example.org/elsewhere> <http://purl.org/dc/terms/title> "x" ' + graph + b" .\n"
                        + b"".join(lines[len(lines) // 2:]))
    alone, in_workers = reports(outside, "-f", "json")
    assert in_workers == alone
    assert small_ranges == [None]


def test_an_ente_longer_than_a_range_may_be_is_split_by_ente_with_the_same_report(converted, small_ranges,
                                                                                  monkeypatch):
    monkeypatch.setattr(range_validation, "MOST_RANGES", 1)
    alone, in_workers = reports(converted, "-f", "json")
    assert in_workers == alone
    assert small_ranges == [None]
