"""``validate`` of a big corpus splits each N-Quads file by ente in worker processes, a range of its lines each
(``piao_lod.ente_files.split_nquads_in_workers``): the same files, the same errors and the same report as splitting
the file whole in one process."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from answers import BASE, OTHER_COMUNE, PLANS
from piao_lod import ente_files, range_validation
from piao_lod.cli import app

PIAO = "https://w3id.org/piao-lod/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PLAN = f"{BASE}x_999999/piano/2024"
VERSION = f"{PLAN}/versione/v1"
OTHER_VERSION = f"{BASE}x_888888/piano/2024/versione/v1"


def invoke(*args):
    return CliRunner().invoke(app, [str(arg) for arg in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def converted(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("rdf") / "plans.nq"
    assert invoke("convert", *PLANS, "-o", output).exit_code in (0, 1)
    return output


@pytest.fixture
def small_ranges(monkeypatch, tmp_path):
    """Every input split by ente, in ranges of a few lines (not validated a range each: see
    ``test_validation_in_ranges.py``)."""
    monkeypatch.setattr(range_validation, "validated_in_ranges", lambda *args: None)
    monkeypatch.setattr(ente_files, "SPLIT_FROM_RDF_BYTES", 0)
    monkeypatch.setattr(ente_files, "RANGE_BYTES", 300)
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(ente_files.tempfile, "tempdir", str(tmp_path / "tmp"))
    in_workers = []
    split = ente_files.split_nquads_in_workers
    monkeypatch.setattr(ente_files, "split_nquads_in_workers",
                        lambda *args: in_workers.append(result := split(*args)) or result)
    return in_workers


def split_by_ente(paths: list[Path], workers: int):
    """What the split gives: the graphs written, every ente's quads (blank nodes counted apart, as each parse names
    them anew), and the errors."""
    with ente_files.inputs_to_validate(paths, BASE, workers=workers) as (loaded, files):
        store = files.store()
        blank = {term for quad in store for term in quad if isinstance(term, ox.BlankNode)}
        plain = {quad for quad in store if not any(isinstance(term, ox.BlankNode) for term in quad)}
        return (loaded.graphs, plain, len(blank), Counter(quad.graph_name for quad in store), files.by_ente(),
                [error.describe("en") for error in loaded.conversion.unusable])


def quad(subject: str, predicate: str, term: str, graph: str | None) -> str:
    return f"<{subject}> <{predicate}> {term}{f' <{graph}>' if graph else ''} .\n"


HANDMADE = {
    # the graph is the last term; a literal may hold what looks like one
    "literal-like-a-graph": [quad(f"{VERSION}/obiettivo/o{n}", "http://www.w3.org/2000/01/rdf-schema#label",
                                  f'"a <{OTHER_VERSION}> . b _:x \\" <{OTHER_VERSION}> ."', VERSION) for n in range(20)],
    # a plan's own graph whose run goes over several ranges, marked in the first one only
    "own-graph-over-ranges": [quad(PLAN, RDF_TYPE, f"<{PIAO}Plan>", PLAN)]
    + [quad(PLAN, "http://purl.org/dc/terms/hasVersion", f"<{PLAN}/versione/v{n}>", PLAN) for n in range(20)]
    + [quad(VERSION, RDF_TYPE, f"<{PIAO}PlanVersion>", VERSION)],
    # one blank node named in two ranges
    "blank-node-over-ranges": [quad(f"{VERSION}/obiettivo/o{n}", "http://purl.org/dc/terms/relation", "_:shared",
                                    VERSION) for n in range(20)],
    # triples of the default graph after many quads: placed by what the whole file describes
    "default-graph-at-the-end": [quad(f"{VERSION}/obiettivo/o{n}", RDF_TYPE, f"<{PIAO}Objective>", OTHER_VERSION)
                                 for n in range(20)]
    + [quad(VERSION, RDF_TYPE, f"<{PIAO}PlanVersion>", None), quad(VERSION, "http://purl.org/dc/terms/title",
                                                                   '"v1"@it', None)],
    # the version indexes are dropped, in every range
    "version-indexes": [quad(f"{VERSION}/obiettivo/o{n}", f"{PIAO}latestVersion" if n % 2 else RDF_TYPE,
                             f"<{PIAO}Objective>", VERSION) for n in range(20)],
}


@pytest.mark.parametrize("name", sorted(HANDMADE))
def test_a_file_split_in_ranges_gives_what_splitting_it_whole_gives(small_ranges, tmp_path, name):
    path = tmp_path / f"{name}.nq"
    path.write_text("".join(HANDMADE[name]), encoding="utf-8")
    whole = split_by_ente([path], workers=1)
    assert split_by_ente([path], workers=2) == whole
    assert sum(whole[3].values())                       # something was split


def test_an_ente_over_two_files_and_many_ranges_gives_the_report_splitting_them_whole_gives(small_ranges, tmp_path,
                                                                                            converted):
    lines = converted.read_bytes().splitlines(keepends=True)
    first, second = tmp_path / "first.nq", tmp_path / "second.nq"
    first.write_bytes(b"".join(lines[::2]))
    second.write_bytes(b"".join(lines[1::2]))
    whole = split_by_ente([first, second], workers=1)
    assert split_by_ente([first, second], workers=2) == whole
    assert small_ranges and all(small_ranges[-1].values())   # both files were split in ranges
    in_memory = invoke("validate", converted, "-f", "json", "--no-cache", "--workers", "1")
    split = invoke("validate", first, second, "-f", "json", "--no-cache", "--workers", "2")
    assert (split.exit_code, split.stdout) == (in_memory.exit_code, in_memory.stdout)


def test_a_bad_line_in_a_later_range_is_named_by_its_line_in_the_file_and_the_file_dropped(small_ranges, tmp_path,
                                                                                          converted):
    broken, other = tmp_path / "broken.nq", tmp_path / "other.nq"
    lines = converted.read_bytes().splitlines(keepends=True)
    broken.write_bytes(b"".join(lines[:700]) + b"<https://example.org/s> <https://example.org/p> .\n"
                       + b"".join(lines[700:800]))
    assert invoke("convert", OTHER_COMUNE, "-o", other).exit_code in (0, 1)
    alone = invoke("validate", other, "-f", "json", "--no-cache")
    result = invoke("validate", broken, other, "-f", "json", "--no-cache", "--workers", "2")
    assert result.exit_code == 2
    assert f"{broken}:701 [colonna " in result.stderr and "errore: RDF non valido" in result.stderr
    assert result.stdout == alone.stdout
    assert not list((tmp_path / "tmp").iterdir())      # the ranges' files too are deleted
