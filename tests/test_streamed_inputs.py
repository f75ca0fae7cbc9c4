"""``load`` writes its inputs into the store a batch at a time (``piao_lod.streamed_inputs``) and ``validate`` of many
plans splits them into files by ente (``piao_lod.ente_files``): the same store and the same report as reading
everything into memory first."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from answers import BASE, CREMONA_2025, OTHER_COMUNE, PLANS
from piao_lod import ente_files, streamed_inputs
from piao_lod.cli import app
from piao_lod.embedded_store import open_store_for_reading
from piao_lod.graph_inputs import load_dataset
from piao_lod.reading import ReadingOptions

PLAN_OTHER = f"{BASE}x_999999/piano/2024"


def invoke(*args):
    return CliRunner().invoke(app, [str(arg) for arg in args], catch_exceptions=False)


def quads(store: ox.Store) -> tuple[set[ox.Quad], Counter]:
    """The quads without blank nodes, and every graph's size (blank nodes, in the ontology, are renamed by
    each parse)."""
    plain = {quad for quad in store if not any(isinstance(term, ox.BlankNode) for term in quad)}
    return plain, Counter(quad.graph_name for quad in store)


@pytest.fixture(scope="module")
def rdf_inputs(tmp_path_factory) -> list[Path]:
    """Every way RDF can carry plans: N-Quads of several plans, Turtle of one plan (into its graph), Turtle of two
    plans (into the file's graph), TriG."""
    folder = tmp_path_factory.mktemp("rdf")
    several, one, two, trig = folder / "plans.nq", folder / "one.ttl", folder / "two.ttl", folder / "other.trig"
    for output, sources in ((several, PLANS[:2]), (one, [CREMONA_2025]), (two, [CREMONA_2025, OTHER_COMUNE]),
                            (trig, [OTHER_COMUNE])):
        assert invoke("convert", *sources, "-o", output).exit_code in (0, 1)
    return [several, one, two, trig]


@pytest.mark.parametrize("batch", [streamed_inputs.BATCH_QUADS, 997])
def test_a_load_gives_the_store_reading_everything_in_memory_gives(tmp_path, monkeypatch, rdf_inputs, batch):
    monkeypatch.setattr(streamed_inputs, "BATCH_QUADS", batch)
    inputs = [*rdf_inputs, OTHER_COMUNE]
    result = invoke("load", *inputs, "--store", tmp_path / "store")
    assert result.exit_code == 0, result.output
    expected = load_dataset(inputs, BASE).store
    assert quads(open_store_for_reading(tmp_path / "store")) == quads(expected)
    assert {graph.value for graph in expected.named_graphs()} >= {rdf_inputs[2].resolve().as_uri(), PLAN_OTHER}


def test_blank_nodes_of_two_files_stay_two_nodes(tmp_path):
    for name, value in (("one.nq", "1"), ("two.nq", "2")):
        (tmp_path / name).write_text(f'_:b1 <https://example.org/p> "{value}" <https://example.org/g> .\n',
                                     encoding="utf-8")
    assert invoke("load", tmp_path / "one.nq", tmp_path / "two.nq", "--store", tmp_path / "store").exit_code == 0
    subjects = {quad.subject for quad in open_store_for_reading(tmp_path / "store")
                .quads_for_pattern(None, ox.NamedNode("https://example.org/p"), None)}
    assert len(subjects) == 2 and all(isinstance(subject, ox.BlankNode) for subject in subjects)


def test_a_second_load_replaces_its_graphs_and_keeps_the_others(tmp_path, rdf_inputs):
    """The same version loaded again (named alike: an undated changed table would be a version of its own)."""
    store = tmp_path / "store"
    assert invoke("load", rdf_inputs[0], OTHER_COMUNE, "--version-name", "adottato", "--store", store).exit_code == 0
    shorter = tmp_path / "synthetic-x_999999-2024.csv"
    lines = OTHER_COMUNE.read_text(encoding="utf-8").splitlines()
    shorter.write_text("\n".join(line for line in lines if "1.1_0002" not in line) + "\n", encoding="utf-8")
    assert invoke("load", shorter, "--version-name", "adottato", "--store", store).exit_code == 0
    expected = load_dataset([rdf_inputs[0], shorter], BASE, ReadingOptions(version="adottato")).store
    assert quads(open_store_for_reading(store)) == quads(expected)


def test_a_bad_line_deep_in_a_big_file_is_reported_with_its_line_and_nothing_of_the_file_is_loaded(tmp_path, monkeypatch,
                                                                                                    rdf_inputs):
    monkeypatch.setattr(streamed_inputs, "BATCH_QUADS", 100)
    lines = rdf_inputs[0].read_bytes().splitlines(keepends=True)
    broken = tmp_path / "broken.nq"
    broken.write_bytes(b"".join(lines[:1500]) + b'<https://example.org/s> <https://example.org/p> "open\n'
                       + b"".join(lines[1500:]))
    result = invoke("load", broken, OTHER_COMUNE, "--store", tmp_path / "store")
    assert result.exit_code == 2
    assert f"{broken}:1501 [colonna " in result.stderr and "errore: RDF non valido" in result.stderr
    assert "Traceback" not in result.output
    assert quads(open_store_for_reading(tmp_path / "store")) == quads(load_dataset([OTHER_COMUNE], BASE).store)


def test_a_file_changed_during_a_load_leaves_the_store_as_it_was(tmp_path, monkeypatch, rdf_inputs):
    store = tmp_path / "store"
    assert invoke("load", OTHER_COMUNE, "--store", store).exit_code == 0
    before = quads(open_store_for_reading(store))
    changing = tmp_path / "changing.nq"
    changing.write_bytes(rdf_inputs[0].read_bytes())
    scan = streamed_inputs.scan_rdf_file

    def scan_then_break(path):
        scanned = scan(path)
        path.write_bytes(path.read_bytes() + b"<broken\n")
        return scanned

    monkeypatch.setattr(streamed_inputs, "scan_rdf_file", scan_then_break)
    result = invoke("load", changing, "--store", store)
    assert result.exit_code == 2
    assert f"{changing}: errore: è cambiato mentre veniva caricato" in result.stderr
    assert "Traceback" not in result.output
    assert quads(ox.Store.read_only(str(store))) == before


@pytest.mark.parametrize("inputs", ["rdf", "tables"])
def test_validating_from_files_by_ente_gives_the_report_validating_in_memory_gives(tmp_path, monkeypatch, rdf_inputs,
                                                                                     inputs):
    given = [rdf_inputs[0], rdf_inputs[3]] if inputs == "rdf" else PLANS
    cache = tmp_path / "cache"
    in_memory = invoke("validate", *given, "-f", "json", "--workers", "2", "--no-cache")
    monkeypatch.setattr(ente_files, "SPLIT_FROM_RDF_BYTES", 0)
    monkeypatch.setattr(ente_files, "SPLIT_FROM_TABLES", 0)
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(ente_files.tempfile, "tempdir", str(tmp_path / "tmp"))
    split = []
    by_ente = ente_files.EnteFiles.by_ente
    monkeypatch.setattr(ente_files.EnteFiles, "by_ente", lambda self: split.append(1) or by_ente(self))
    for workers in ("1", "2"):
        on_disk = invoke("validate", *given, "-f", "json", "--workers", workers, "--cache", cache)
        assert (on_disk.exit_code, on_disk.stdout) == (in_memory.exit_code, in_memory.stdout)
    assert in_memory.exit_code == 1
    assert len(split) == 2                              # both validations read the enti from files
    assert not list((tmp_path / "tmp").iterdir())      # which are deleted afterwards


def test_validating_by_ente_reports_a_bad_file_and_validates_the_others(tmp_path, monkeypatch, rdf_inputs):
    broken = tmp_path / "broken.nq"
    lines = rdf_inputs[0].read_bytes().splitlines(keepends=True)
    broken.write_bytes(b"".join(lines[:700]) + b"<https://example.org/s> <https://example.org/p> .\n")
    alone = invoke("validate", rdf_inputs[3], "-f", "json", "--no-cache")
    monkeypatch.setattr(ente_files, "SPLIT_FROM_RDF_BYTES", 0)
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(ente_files.tempfile, "tempdir", str(tmp_path / "tmp"))
    result = invoke("validate", broken, rdf_inputs[3], "-f", "json", "--no-cache", "--workers", "2")
    assert result.exit_code == 2
    assert f"{broken}:701 [colonna " in result.stderr and "errore: RDF non valido" in result.stderr
    assert result.stdout == alone.stdout
    assert not list((tmp_path / "tmp").iterdir())
